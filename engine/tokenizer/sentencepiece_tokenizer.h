// sentencepiece tokenizers (Llama, Mistral, TinyStories...): two encoding backends.
//
// module: the reference library, in the isolated hace_spm module. libsentencepiece cannot share
//   a process's symbol scope with LibTorch (TOOLCHAIN.md section 3.1), so the library lives in
//   libhace_spm.so, which is dlopen()ed once per process with RTLD_LOCAL | RTLD_DEEPBIND. Module
//   lookup, first match wins:
//     1. $HACE_SPM_MODULE when set (then nothing else is tried);
//     2. libhace_spm.so next to the running executable;
//     3. ../lib/hace/libhace_spm.so relative to the executable's folder (install layout);
//     4. the path the build wrote it to.
// native: our own reader of the .model file (spm_model_proto.h) and BPE encoder
//   (spm_bpe_encoder.h). Covers BPE models with identity normalization (all the Llama-style
//   models here); used where the module cannot be loaded: sanitizer builds (their runtimes refuse
//   RTLD_DEEPBIND, so HACE_WITH_SPM is OFF there) and machines without libsentencepiece.
// The module is the first choice when it loads; $HACE_SPM_BACKEND=native|module forces one.
// Decoding is our own code over the piece table in both cases (see PieceDecoder), so that it
// behaves the same wherever the text is produced.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/tokenizer/tokenizer.h"

struct hace_spm_model;

namespace hace::tokenizer::spm {
class BpeEncoder;
}

namespace hace::tokenizer {

enum class SpmBackend : std::uint8_t { module, native };

// Whether sentencepiece BPE models with identity normalization (Llama, Mistral, the bundled tiny
// models) can be tokenized in this process: true when the module loads or the native backend is
// allowed ($HACE_SPM_BACKEND is not "module"). When not, *why (if given) says why.
bool sentencepiece_available(std::string* why = nullptr);

// Whether the reference library itself can be used (built in and module loadable): what
// reference_decode() and unigram/nmt_nfkc models need. When not, *why says why: built out, or
// which paths were tried.
bool sentencepiece_module_available(std::string* why = nullptr);

std::string_view to_string(SpmBackend backend);  // "module" or "native"

enum class PieceKind : std::uint8_t {
    normal,   // text; U+2581 stands for a space
    control,  // <s>, </s>, [INST]...: no surface text
    unknown,  // <unk>
    byte,     // <0xNN> byte fallback
};

// Joins pieces into text the way sentencepiece's decoder does:
//  - control pieces are dropped when skip_special, else kept as their piece text ("<s>");
//  - a run of byte pieces becomes those raw bytes, then invalid UTF-8 in it becomes U+FFFD, one
//    per maximal invalid subsequence (sentencepiece 0.1.97 emits one per byte, so the two differ
//    on truncated multi-byte sequences such as F0 9F: one U+FFFD here, two there);
//  - the unknown piece becomes the model's unk surface (normally " \u2047 ");
//  - U+2581 becomes a space, except that one leading U+2581 (the dummy prefix) is dropped from
//    the first non-control piece, even when nothing is left of it (a lone "\u2581"); a byte run
//    or the unknown piece coming first uses up that chance. Like 0.1.97 this does not look at
//    the model's add_dummy_prefix flag, which the library does not expose.
class PieceDecoder {
public:
    // sentencepiece's default unk surface (trainer_spec.unk_surface).
    static constexpr std::string_view kDefaultUnknownSurface = " \xE2\x81\x87 ";

    // unknown_surface must outlive the decoder.
    explicit PieceDecoder(bool skip_special,
                          std::string_view unknown_surface = kDefaultUnknownSurface)
        : skip_special_(skip_special), unknown_surface_(unknown_surface) {}

    void add(std::string_view piece, PieceKind kind);
    // The text so far. Pending bytes are rendered but kept, so a multi-byte character split
    // across calls still joins up when its last byte arrives.
    std::string text() const;

private:
    void flush_bytes();

    bool skip_special_;
    std::string_view unknown_surface_;
    bool at_start_ = true;
    std::string out_;
    std::string pending_bytes_;
};

// Replaces each maximal invalid subsequence of UTF-8 (Unicode's "maximal subpart" practice, as
// in Python's errors="replace") with U+FFFD.
std::string sanitize_utf8(std::string_view bytes);

class SentencePieceTokenizer final : public Tokenizer {
public:
    // Throws InputError naming model_file when it is missing or corrupt, or when no backend can
    // encode it (module absent and the model not supported natively; or $HACE_SPM_BACKEND forces
    // a backend that cannot, or has an unknown value).
    explicit SentencePieceTokenizer(const std::filesystem::path& model_file);
    ~SentencePieceTokenizer() override;
    SentencePieceTokenizer(const SentencePieceTokenizer&) = delete;
    SentencePieceTokenizer& operator=(const SentencePieceTokenizer&) = delete;

    std::vector<TokenId> encode(std::string_view text, bool add_bos) const override;
    std::string decode(const std::vector<TokenId>& ids, bool skip_special) const override;
    std::string piece(TokenId id) const override;
    std::int32_t vocab_size() const override;
    SpecialIds special_ids() const override { return special_; }
    std::string kind() const override { return "sentencepiece"; }

    PieceKind piece_kind(TokenId id) const;
    // What the unknown piece decodes to. Taken from the model, as the library does: usually
    // " \u2047 ", but e.g. stories260K stores the escaped text " \\342\\201\\207 ".
    const std::string& unknown_surface() const { return unknown_surface_; }
    // The library's own DecodeIds (always skips control pieces), for cross-checking decode().
    // Needs the module backend: throws std::logic_error on the native one.
    std::string reference_decode(const std::vector<TokenId>& ids) const;
    const std::filesystem::path& path() const { return path_; }
    SpmBackend backend() const { return backend_; }

private:
    void check_id(TokenId id) const;
    void load_module();
    // module_error: why the module was not used, added to an "unsupported model" message.
    void load_native(const std::string* module_error);

    std::filesystem::path path_;
    SpmBackend backend_ = SpmBackend::module;
    hace_spm_model* model_ = nullptr;          // module backend
    std::unique_ptr<spm::BpeEncoder> native_;  // native backend
    std::vector<std::string> pieces_;
    std::vector<PieceKind> kinds_;
    SpecialIds special_;
    std::string unknown_surface_;
};

}  // namespace hace::tokenizer
