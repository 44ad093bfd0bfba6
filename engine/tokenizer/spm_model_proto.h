// A reader for sentencepiece's tokenizer.model (a protobuf ModelProto), without protobuf.
//
// Only what encoding and decoding need is kept: the pieces (text, score, type), the trainer spec's
// model type, byte fallback and special-piece names, and the normalizer spec's flags. Field
// numbers are those of sentencepiece_model.proto. The reader is strict and bounded: any malformed
// input (a truncated varint or field, a length past the end, an unknown enum value, a group wire
// type, a model the library itself would refuse to load) is an InputError naming the file and
// the problem, so it is safe to run on untrusted bytes (tests/fuzz/fuzz_spm_native.cpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace hace::tokenizer::spm {

// ModelProto.SentencePiece.Type
enum class PieceType : std::uint8_t {
    normal = 1,
    unknown = 2,
    control = 3,
    user_defined = 4,
    unused = 5,
    byte = 6,
};

// TrainerSpec.ModelType
enum class ModelType : std::uint8_t { unigram = 1, bpe = 2, word = 3, character = 4 };

struct ModelPiece {
    std::string text;
    float score = 0.0F;
    PieceType type = PieceType::normal;
};

struct ModelProto {
    std::vector<ModelPiece> pieces;

    // trainer_spec (field 2), with the proto's defaults.
    ModelType model_type = ModelType::unigram;
    bool byte_fallback = false;
    bool treat_whitespace_as_suffix = false;
    std::string unk_surface = " \xE2\x81\x87 ";
    std::string unk_piece = "<unk>";
    std::string bos_piece = "<s>";
    std::string eos_piece = "</s>";
    std::string pad_piece = "<pad>";

    // normalizer_spec (field 3), with the proto's defaults.
    std::string normalizer_name;
    std::size_t precompiled_charsmap_size = 0;  // 0: identity normalization
    bool add_dummy_prefix = true;
    bool remove_extra_whitespaces = true;
    bool escape_whitespaces = true;
};

// The largest model file accepted (real ones are 0.5-5 MB).
inline constexpr std::size_t kMaxModelBytes = std::size_t{64} << 20;

// Parses a serialized ModelProto and checks what the library checks when it loads one: at least
// one piece, no empty or duplicate piece text, exactly one unknown piece, byte pieces only with
// byte_fallback (and some when it is set). `file` names the source in error messages.
ModelProto parse_model_proto(std::string_view bytes, const std::string& file);

// Reads and parses a tokenizer.model; InputError when it is missing, too large or malformed.
ModelProto read_model_proto(const std::filesystem::path& path);

std::string_view model_type_name(ModelType type);

}  // namespace hace::tokenizer::spm
