#include "engine/tokenizer/sentencepiece_tokenizer.h"

#include <dlfcn.h>

#include <cstdlib>
#include <optional>
#include <stdexcept>
#include <system_error>

#include "engine/core/error.h"
#include "engine/tokenizer/spm_bpe_encoder.h"
#include "engine/tokenizer/spm_model_proto.h"

#ifndef HACE_WITH_SPM
#define HACE_WITH_SPM 0
#endif
#ifndef HACE_SPM_LINKED
#define HACE_SPM_LINKED 0
#endif
#ifndef HACE_SPM_MODULE_BUILD_PATH
#define HACE_SPM_MODULE_BUILD_PATH ""
#endif

namespace hace::tokenizer {
namespace fs = std::filesystem;

namespace {

// Must match kAbiVersion in spm_module.cpp: a stale module from an older build is refused
// instead of being called with the wrong signatures.
constexpr int kSpmAbiVersion = 1;
constexpr std::string_view kSpaceSymbol = "\xE2\x96\x81";  // U+2581
constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// The module's C entry points (declared in spm_module.cpp).
struct SpmApi {
    int (*abi_version)() = nullptr;
    void (*free_buffer)(void*) = nullptr;
    hace_spm_model* (*load)(const char*, char**) = nullptr;
    void (*free_model)(hace_spm_model*) = nullptr;
    int (*piece_size)(const hace_spm_model*) = nullptr;
    int (*bos_id)(const hace_spm_model*) = nullptr;
    int (*eos_id)(const hace_spm_model*) = nullptr;
    int (*unk_id)(const hace_spm_model*) = nullptr;
    int (*pad_id)(const hace_spm_model*) = nullptr;
    const char* (*id_to_piece)(const hace_spm_model*, std::int32_t, std::size_t*) = nullptr;
    int (*is_control)(const hace_spm_model*, std::int32_t) = nullptr;
    int (*is_byte)(const hace_spm_model*, std::int32_t) = nullptr;
    int (*is_unknown)(const hace_spm_model*, std::int32_t) = nullptr;
    int (*encode)(const hace_spm_model*, const char*, std::size_t, std::int32_t**, std::size_t*,
                  char**) = nullptr;
    int (*decode)(const hace_spm_model*, const std::int32_t*, std::size_t, char**, std::size_t*,
                  char**) = nullptr;
};

struct ModuleState {
    SpmApi api;
    bool ok = false;
    std::string error;  // why not ok
};

// Records the first symbol that is missing, for the error message.
template <typename Fn>
bool bind(void* library, const char* name, Fn& fn, std::string& missing) {
    void* symbol = ::dlsym(library, name);
    if (symbol == nullptr) {
        missing = name;
        return false;
    }
    fn = reinterpret_cast<Fn>(symbol);
    return true;
}

#if !HACE_SPM_LINKED
constexpr const char* kModuleName = "libhace_spm.so";

std::vector<fs::path> module_candidates(bool& from_env) {
    const char* env = std::getenv("HACE_SPM_MODULE");
    from_env = env != nullptr && *env != '\0';
    if (from_env) return {fs::path(env)};
    std::vector<fs::path> out;
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) {
        out.push_back(exe.parent_path() / kModuleName);
        out.push_back((exe.parent_path() / ".." / "lib" / "hace" / kModuleName).lexically_normal());
    }
    if (*HACE_SPM_MODULE_BUILD_PATH != '\0') out.emplace_back(HACE_SPM_MODULE_BUILD_PATH);
    return out;
}

#endif

ModuleState open_module() {
    ModuleState state;
    if (!HACE_WITH_SPM) {
        state.error = "sentencepiece support was built out (HACE_WITH_SPM=OFF)";
        return state;
    }
#if HACE_SPM_LINKED
    // The fuzz target links spm_module.cpp into its own executable (no LibTorch there, so no
    // protobuf clash) and binds to the process's symbols: the sanitizer runtimes it runs under
    // refuse RTLD_DEEPBIND.
    void* library = ::dlopen(nullptr, RTLD_NOW);
    const std::string where = "the executable (HACE_SPM_LINKED)";
#else
    bool from_env = false;
    const auto candidates = module_candidates(from_env);
    std::optional<fs::path> found;
    for (const auto& candidate : candidates) {
        std::error_code ec;
        if (fs::is_regular_file(candidate, ec)) {
            found = candidate;
            break;
        }
    }
    if (!found) {
        std::string tried;
        for (const auto& c : candidates) tried += (tried.empty() ? "" : ", ") + c.string();
        state.error = "sentencepiece module not found at " + tried +
                      (from_env ? " (from HACE_SPM_MODULE)" : " (set HACE_SPM_MODULE)");
        return state;
    }
    // LOCAL keeps sentencepiece's protobuf out of the global scope; DEEPBIND makes the library
    // bind to its own copy even though LibTorch's libprotobuf is already loaded. The handle is
    // never closed: unloading protobuf's static state is not worth the risk.
    const std::string where = found->string();
    void* library = ::dlopen(found->c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND);
    if (library == nullptr) {
        const char* why = ::dlerror();
        state.error = "cannot load sentencepiece module " + where + ": " +
                      (why ? why : "unknown dlopen error");
        return state;
    }
#endif
    SpmApi& a = state.api;
    std::string missing;
    auto b = [&](const char* name, auto& fn) { return bind(library, name, fn, missing); };
    const bool bound = b("hace_spm_abi_version", a.abi_version) &&
                       b("hace_spm_free_buffer", a.free_buffer) && b("hace_spm_load", a.load) &&
                       b("hace_spm_free", a.free_model) && b("hace_spm_piece_size", a.piece_size) &&
                       b("hace_spm_bos_id", a.bos_id) && b("hace_spm_eos_id", a.eos_id) &&
                       b("hace_spm_unk_id", a.unk_id) && b("hace_spm_pad_id", a.pad_id) &&
                       b("hace_spm_id_to_piece", a.id_to_piece) &&
                       b("hace_spm_is_control", a.is_control) && b("hace_spm_is_byte", a.is_byte) &&
                       b("hace_spm_is_unknown", a.is_unknown) && b("hace_spm_encode", a.encode) &&
                       b("hace_spm_decode", a.decode);
    if (!bound) {
        state.error = "sentencepiece module " + where + " lacks " + missing;
    } else if (a.abi_version() != kSpmAbiVersion) {
        state.error = "sentencepiece module " + where + " has ABI version " +
                      std::to_string(a.abi_version()) + ", expected " +
                      std::to_string(kSpmAbiVersion) + " (stale build?)";
    } else {
        state.ok = true;
    }
    return state;
}

// Opened once per process; C++ guarantees the initialisation is thread-safe.
const ModuleState& module_state() {
    static const ModuleState state = open_module();
    return state;
}

const SpmApi& api() {
    return module_state().api;
}

// Copies and releases a message the module allocated.
std::string take_error(char* message) {
    if (message == nullptr) return "no details";
    std::string out(message);
    api().free_buffer(message);
    while (!out.empty() && (out.back() == ' ' || out.back() == '\n')) out.pop_back();
    return out;
}

std::optional<unsigned char> parse_byte_piece(std::string_view piece) {
    if (piece.size() != 6 || !piece.starts_with("<0x") || piece.back() != '>') return std::nullopt;
    auto nibble = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        return -1;
    };
    const int high = nibble(piece[3]);
    const int low = nibble(piece[4]);
    if (high < 0 || low < 0) return std::nullopt;
    return static_cast<unsigned char>(high * 16 + low);
}

// $HACE_SPM_BACKEND, read at each use so tests can switch it.
enum class BackendChoice : std::uint8_t { automatic, module, native, invalid };

BackendChoice backend_choice(std::string& value) {
    const char* env = std::getenv("HACE_SPM_BACKEND");
    value = env == nullptr ? "" : env;
    if (value.empty()) return BackendChoice::automatic;
    if (value == "module") return BackendChoice::module;
    if (value == "native") return BackendChoice::native;
    return BackendChoice::invalid;
}

std::string invalid_choice_message(const std::string& value) {
    return "HACE_SPM_BACKEND is '" + value + "', expected 'native' or 'module'";
}

PieceKind kind_of(spm::PieceType type) {
    switch (type) {
        case spm::PieceType::control:
            return PieceKind::control;
        case spm::PieceType::unknown:
            return PieceKind::unknown;
        case spm::PieceType::byte:
            return PieceKind::byte;
        case spm::PieceType::normal:
        case spm::PieceType::user_defined:
        case spm::PieceType::unused:
            break;
    }
    return PieceKind::normal;
}

}  // namespace

bool sentencepiece_module_available(std::string* why) {
    const auto& state = module_state();
    if (!state.ok && why != nullptr) *why = state.error;
    return state.ok;
}

bool sentencepiece_available(std::string* why) {
    std::string value;
    switch (backend_choice(value)) {
        case BackendChoice::invalid:
            if (why != nullptr) *why = invalid_choice_message(value);
            return false;
        case BackendChoice::module:
            return sentencepiece_module_available(why);
        case BackendChoice::automatic:
        case BackendChoice::native:
            break;
    }
    return true;
}

std::string_view to_string(SpmBackend backend) {
    return backend == SpmBackend::native ? "native" : "module";
}

std::string sanitize_utf8(std::string_view bytes) {
    std::string out;
    out.reserve(bytes.size());
    std::size_t i = 0;
    while (i < bytes.size()) {
        const auto lead = static_cast<unsigned char>(bytes[i]);
        if (lead < 0x80) {
            out.push_back(static_cast<char>(lead));
            ++i;
            continue;
        }
        // Length and the allowed range of the second byte (which excludes overlong forms,
        // surrogates and code points above U+10FFFF); later bytes are always 80..BF.
        std::size_t length = 0;  // 0: never a valid lead byte
        unsigned char lo = 0x80;
        unsigned char hi = 0xBF;
        if (lead >= 0xC2 && lead <= 0xDF) {
            length = 2;
        } else if (lead >= 0xE0 && lead <= 0xEF) {
            length = 3;
            if (lead == 0xE0) lo = 0xA0;
            if (lead == 0xED) hi = 0x9F;
        } else if (lead >= 0xF0 && lead <= 0xF4) {
            length = 4;
            if (lead == 0xF0) lo = 0x90;
            if (lead == 0xF4) hi = 0x8F;
        }
        std::size_t j = i + 1;
        if (length > 0) {
            for (; j < i + length && j < bytes.size(); ++j) {
                const auto b = static_cast<unsigned char>(bytes[j]);
                const bool second = j == i + 1;
                if (b < (second ? lo : 0x80) || b > (second ? hi : 0xBF)) break;
            }
        }
        if (length > 0 && j == i + length) {
            out.append(bytes.substr(i, length));
        } else {
            out.append(kReplacement);  // the lead byte plus the valid prefix that followed it
        }
        i = j;
    }
    return out;
}

void PieceDecoder::add(std::string_view piece, PieceKind kind) {
    if (kind == PieceKind::byte) {
        if (const auto byte = parse_byte_piece(piece)) {
            pending_bytes_.push_back(static_cast<char>(*byte));
            return;
        }
        kind = PieceKind::normal;  // a malformed byte piece is shown as the text it is
    }
    flush_bytes();
    switch (kind) {
        case PieceKind::control:
            // No effect on at_start_, so skip_special=false only adds the control texts.
            if (!skip_special_) out_.append(piece);
            return;
        case PieceKind::unknown:
            out_.append(unknown_surface_);
            at_start_ = false;
            return;
        case PieceKind::normal:
        case PieceKind::byte:
            break;
    }
    if (at_start_ && piece.starts_with(kSpaceSymbol)) piece.remove_prefix(kSpaceSymbol.size());
    at_start_ = false;
    for (std::size_t pos = 0;;) {
        const std::size_t hit = piece.find(kSpaceSymbol, pos);
        out_.append(piece.substr(pos, hit - pos));
        if (hit == std::string_view::npos) break;
        out_.push_back(' ');
        pos = hit + kSpaceSymbol.size();
    }
}

void PieceDecoder::flush_bytes() {
    if (pending_bytes_.empty()) return;
    out_.append(sanitize_utf8(pending_bytes_));
    pending_bytes_.clear();
    at_start_ = false;
}

std::string PieceDecoder::text() const {
    return pending_bytes_.empty() ? out_ : out_ + sanitize_utf8(pending_bytes_);
}

SentencePieceTokenizer::SentencePieceTokenizer(const fs::path& model_file) : path_(model_file) {
    const std::string name = path_.string();
    std::error_code ec;
    if (!fs::exists(path_, ec)) throw_input(name, "no such file");
    if (!fs::is_regular_file(path_, ec)) throw_input(name, "not a regular file");
    std::string value;
    const auto& state = module_state();
    switch (backend_choice(value)) {
        case BackendChoice::invalid:
            throw_input(name, invalid_choice_message(value));
        case BackendChoice::module:
            if (!state.ok) throw_input(name, state.error);
            load_module();
            return;
        case BackendChoice::native:
            load_native(nullptr);
            return;
        case BackendChoice::automatic:
            break;
    }
    // The library is the reference implementation: the first choice whenever it loads.
    if (state.ok) {
        load_module();
    } else {
        load_native(&state.error);
    }
}

void SentencePieceTokenizer::load_module() {
    const std::string name = path_.string();
    const SpmApi& a = api();
    backend_ = SpmBackend::module;
    char* error = nullptr;
    model_ = a.load(name.c_str(), &error);
    if (model_ == nullptr) {
        throw_input(name, "not a valid sentencepiece model (" + take_error(error) + ")");
    }
    try {
        const int size = a.piece_size(model_);
        if (size <= 0) throw_input(name, "sentencepiece model has an empty vocabulary");
        pieces_.reserve(static_cast<std::size_t>(size));
        kinds_.reserve(static_cast<std::size_t>(size));
        for (TokenId id = 0; id < size; ++id) {
            std::size_t length = 0;
            const char* text = a.id_to_piece(model_, id, &length);
            pieces_.emplace_back(text ? std::string(text, length) : std::string());
            kinds_.push_back(a.is_control(model_, id)   ? PieceKind::control
                             : a.is_unknown(model_, id) ? PieceKind::unknown
                             : a.is_byte(model_, id)    ? PieceKind::byte
                                                        : PieceKind::normal);
        }
        special_ = {a.bos_id(model_), a.eos_id(model_), a.unk_id(model_), a.pad_id(model_)};
        // The surface lives in the model's trainer spec, which the library does not expose; a
        // lone unknown id decodes to exactly that surface (it is never space-stripped).
        unknown_surface_ = PieceDecoder::kDefaultUnknownSurface;
        if (special_.unk >= 0 && special_.unk < size) {
            unknown_surface_ = reference_decode({special_.unk});
        }
    } catch (...) {
        a.free_model(model_);
        model_ = nullptr;
        throw;
    }
}

void SentencePieceTokenizer::load_native(const std::string* module_error) {
    const std::string name = path_.string();
    backend_ = SpmBackend::native;
    const spm::ModelProto model = spm::read_model_proto(path_);
    if (const auto why = spm::native_unsupported_reason(model)) {
        throw_input(name, *why + (module_error ? "; " + *module_error : std::string()));
    }
    native_ = std::make_unique<spm::BpeEncoder>(model, name);
    pieces_.reserve(model.pieces.size());
    kinds_.reserve(model.pieces.size());
    for (const auto& p : model.pieces) {
        pieces_.push_back(p.text);
        kinds_.push_back(kind_of(p.type));
    }
    // As the library: special ids are found by their piece names in the trainer spec and count
    // only when the piece has the right type (pad is -1 for Llama, whose "<pad>" is no piece).
    auto find = [&](const std::string& piece, PieceKind kind) -> TokenId {
        const TokenId id = native_->piece_to_id(piece);
        return kinds_[static_cast<std::size_t>(id)] == kind ? id : -1;
    };
    special_ = {
        find(model.bos_piece, PieceKind::control), find(model.eos_piece, PieceKind::control),
        find(model.unk_piece, PieceKind::unknown), find(model.pad_piece, PieceKind::control)};
    unknown_surface_ = model.unk_surface;
}

SentencePieceTokenizer::~SentencePieceTokenizer() {
    if (model_ != nullptr) api().free_model(model_);
}

void SentencePieceTokenizer::check_id(TokenId id) const {
    if (id < 0 || id >= vocab_size()) {
        throw_input(path_.string(), "token id " + std::to_string(id) +
                                        " is outside the vocabulary [0, " +
                                        std::to_string(vocab_size()) + ")");
    }
}

std::vector<TokenId> SentencePieceTokenizer::encode(std::string_view text, bool add_bos) const {
    if (native_) {
        std::vector<TokenId> out;
        if (add_bos && special_.bos >= 0) out.push_back(special_.bos);
        const auto body = native_->encode(text);
        out.insert(out.end(), body.begin(), body.end());
        return out;
    }
    std::int32_t* ids = nullptr;
    std::size_t count = 0;
    char* error = nullptr;
    const char* data = text.empty() ? "" : text.data();
    if (api().encode(model_, data, text.size(), &ids, &count, &error) != 0) {
        throw std::runtime_error(path_.string() +
                                 ": sentencepiece encode failed: " + take_error(error));
    }
    std::vector<TokenId> out;
    out.reserve(count + 1);
    if (add_bos && special_.bos >= 0) out.push_back(special_.bos);
    out.insert(out.end(), ids, ids + count);
    api().free_buffer(ids);
    return out;
}

std::string SentencePieceTokenizer::decode(const std::vector<TokenId>& ids,
                                           bool skip_special) const {
    PieceDecoder decoder(skip_special, unknown_surface_);
    for (const TokenId id : ids) {
        check_id(id);
        const auto index = static_cast<std::size_t>(id);
        decoder.add(pieces_[index], kinds_[index]);
    }
    return decoder.text();
}

std::string SentencePieceTokenizer::piece(TokenId id) const {
    check_id(id);
    return pieces_[static_cast<std::size_t>(id)];
}

std::int32_t SentencePieceTokenizer::vocab_size() const {
    return static_cast<std::int32_t>(pieces_.size());
}

PieceKind SentencePieceTokenizer::piece_kind(TokenId id) const {
    check_id(id);
    return kinds_[static_cast<std::size_t>(id)];
}

std::string SentencePieceTokenizer::reference_decode(const std::vector<TokenId>& ids) const {
    if (model_ == nullptr) {
        throw std::logic_error(path_.string() +
                               ": reference_decode needs the sentencepiece module");
    }
    for (const TokenId id : ids) check_id(id);
    char* text = nullptr;
    std::size_t length = 0;
    char* error = nullptr;
    if (api().decode(model_, ids.data(), ids.size(), &text, &length, &error) != 0) {
        throw std::runtime_error(path_.string() +
                                 ": sentencepiece decode failed: " + take_error(error));
    }
    std::string out(text, length);
    api().free_buffer(text);
    return out;
}

}  // namespace hace::tokenizer
