// The isolated sentencepiece module (libhace_spm.so): a C ABI over SentencePieceProcessor.
//
// This file is the only code linked with libsentencepiece. The engine dlopen()s the module with
// RTLD_LOCAL | RTLD_DEEPBIND, so sentencepiece's private protobuf copy never meets LibTorch's.
// Hence the rules here: only C types cross the boundary, every entry point catches everything,
// and memory handed out is either owned by the handle or released through hace_spm_free_buffer.
// The declarations are mirrored in sentencepiece_tokenizer.cpp; bump kAbiVersion on any change.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <sentencepiece_processor.h>

#define HACE_SPM_EXPORT extern "C" __attribute__((visibility("default")))

struct hace_spm_model {
    sentencepiece::SentencePieceProcessor processor;
};

namespace {

constexpr int kAbiVersion = 1;

// A malloc'ed NUL-terminated copy, so the caller can free it without knowing our allocator.
char* c_copy(std::string_view s) {
    char* out = static_cast<char*>(std::malloc(s.size() + 1));
    if (out == nullptr) return nullptr;
    if (!s.empty()) std::memcpy(out, s.data(), s.size());
    out[s.size()] = '\0';
    return out;
}

void set_error(char** error, std::string_view message) {
    if (error != nullptr) *error = c_copy(message);
}

bool in_range(const hace_spm_model* model, std::int32_t id) {
    return model != nullptr && id >= 0 && id < model->processor.GetPieceSize();
}

}  // namespace

HACE_SPM_EXPORT int hace_spm_abi_version() {
    return kAbiVersion;
}

HACE_SPM_EXPORT void hace_spm_free_buffer(void* buffer) {
    std::free(buffer);
}

// Returns null and a malloc'ed message in *error when the file cannot be read or parsed.
HACE_SPM_EXPORT hace_spm_model* hace_spm_load(const char* path, char** error) {
    if (error != nullptr) *error = nullptr;
    try {
        // Owned until returned: Load can also throw (fuzz_spm_model found the leak).
        auto model = std::make_unique<hace_spm_model>();
        const auto status = model->processor.Load(path);
        if (!status.ok()) {
            set_error(error, status.ToString());
            return nullptr;
        }
        return model.release();
    } catch (const std::exception& e) {
        set_error(error, e.what());
    } catch (...) {
        set_error(error, "unknown exception in sentencepiece");
    }
    return nullptr;
}

HACE_SPM_EXPORT void hace_spm_free(hace_spm_model* model) {
    delete model;
}

HACE_SPM_EXPORT int hace_spm_piece_size(const hace_spm_model* model) {
    return model ? model->processor.GetPieceSize() : 0;
}

HACE_SPM_EXPORT int hace_spm_bos_id(const hace_spm_model* m) {
    return m ? m->processor.bos_id() : -1;
}

HACE_SPM_EXPORT int hace_spm_eos_id(const hace_spm_model* m) {
    return m ? m->processor.eos_id() : -1;
}

HACE_SPM_EXPORT int hace_spm_unk_id(const hace_spm_model* m) {
    return m ? m->processor.unk_id() : -1;
}

HACE_SPM_EXPORT int hace_spm_pad_id(const hace_spm_model* m) {
    return m ? m->processor.pad_id() : -1;
}

// The piece text, owned by the model (valid until hace_spm_free); null for an id out of range.
HACE_SPM_EXPORT const char* hace_spm_id_to_piece(const hace_spm_model* model, std::int32_t id,
                                                 std::size_t* length) {
    if (!in_range(model, id)) return nullptr;
    try {
        const std::string& piece = model->processor.IdToPiece(id);
        if (length != nullptr) *length = piece.size();
        return piece.c_str();
    } catch (...) {
        return nullptr;
    }
}

HACE_SPM_EXPORT int hace_spm_is_control(const hace_spm_model* model, std::int32_t id) {
    return in_range(model, id) && model->processor.IsControl(id) ? 1 : 0;
}

HACE_SPM_EXPORT int hace_spm_is_byte(const hace_spm_model* model, std::int32_t id) {
    return in_range(model, id) && model->processor.IsByte(id) ? 1 : 0;
}

HACE_SPM_EXPORT int hace_spm_is_unknown(const hace_spm_model* model, std::int32_t id) {
    return in_range(model, id) && model->processor.IsUnknown(id) ? 1 : 0;
}

// Encodes with the model's own normalizer, without BOS/EOS. On success returns 0 and a malloc'ed
// array in *ids (null when *count is 0); on failure returns -1 and a message in *error.
HACE_SPM_EXPORT int hace_spm_encode(const hace_spm_model* model, const char* text,
                                    std::size_t length, std::int32_t** ids, std::size_t* count,
                                    char** error) {
    *ids = nullptr;
    *count = 0;
    if (error != nullptr) *error = nullptr;
    try {
        std::vector<int> out;
        const auto status = model->processor.Encode(std::string_view(text, length), &out);
        if (!status.ok()) {
            set_error(error, status.ToString());
            return -1;
        }
        if (out.empty()) return 0;
        auto* buffer = static_cast<std::int32_t*>(std::malloc(out.size() * sizeof(std::int32_t)));
        if (buffer == nullptr) {
            set_error(error, "out of memory");
            return -1;
        }
        for (std::size_t i = 0; i < out.size(); ++i) buffer[i] = static_cast<std::int32_t>(out[i]);
        *ids = buffer;
        *count = out.size();
        return 0;
    } catch (const std::exception& e) {
        set_error(error, e.what());
    } catch (...) {
        set_error(error, "unknown exception in sentencepiece");
    }
    return -1;
}

// The library's own DecodeIds, kept as the reference our decoder is checked against. Returns 0 and
// a malloc'ed NUL-terminated text (plus its length) or -1 and a message in *error.
HACE_SPM_EXPORT int hace_spm_decode(const hace_spm_model* model, const std::int32_t* ids,
                                    std::size_t count, char** text, std::size_t* length,
                                    char** error) {
    *text = nullptr;
    *length = 0;
    if (error != nullptr) *error = nullptr;
    try {
        std::vector<int> in(count);
        for (std::size_t i = 0; i < count; ++i) {
            // The library indexes its piece table unchecked on some paths.
            if (!in_range(model, ids[i])) {
                set_error(error, "token id " + std::to_string(ids[i]) + " out of range");
                return -1;
            }
            in[i] = ids[i];
        }
        std::string out;
        const auto status = model->processor.Decode(in, &out);
        if (!status.ok()) {
            set_error(error, status.ToString());
            return -1;
        }
        *text = c_copy(out);
        if (*text == nullptr) {
            set_error(error, "out of memory");
            return -1;
        }
        *length = out.size();
        return 0;
    } catch (const std::exception& e) {
        set_error(error, e.what());
    } catch (...) {
        set_error(error, "unknown exception in sentencepiece");
    }
    return -1;
}
