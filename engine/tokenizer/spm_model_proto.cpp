#include "engine/tokenizer/spm_model_proto.h"

#include <cmath>
#include <cstring>
#include <fstream>
#include <system_error>
#include <unordered_set>

#include "engine/core/error.h"

namespace hace::tokenizer::spm {
namespace {

// Every problem inside the bytes reads "<file>: not a valid sentencepiece model (<what>)".
[[noreturn]] void invalid(const std::string& file, const std::string& problem) {
    throw_input(file, "not a valid sentencepiece model (" + problem + ")");
}

enum WireType : std::uint32_t { kVarint = 0, kFixed64 = 1, kLengthDelimited = 2, kFixed32 = 5 };

const char* wire_type_name(std::uint32_t wire) {
    switch (wire) {
        case kVarint:
            return "varint";
        case kFixed64:
            return "fixed64";
        case kLengthDelimited:
            return "length-delimited";
        case kFixed32:
            return "fixed32";
        default:
            return "group";
    }
}

struct Field {
    std::uint32_t number = 0;
    std::uint32_t wire = 0;
    std::uint64_t varint = 0;   // kVarint
    std::uint32_t fixed32 = 0;  // kFixed32
    std::string_view bytes;     // kLengthDelimited
};

// Walks the fields of one message. `where` ("ModelProto", "piece 12"...) goes into messages.
class WireReader {
public:
    WireReader(std::string_view data, const std::string& file, std::string where)
        : data_(data), file_(file), where_(std::move(where)) {}

    bool done() const { return pos_ >= data_.size(); }

    Field next() {
        const std::size_t start = pos_;
        const std::uint64_t key = read_varint("field key");
        Field f;
        f.wire = static_cast<std::uint32_t>(key & 7U);
        const std::uint64_t number = key >> 3U;
        if (number == 0 || number > 536870911U) {  // 2^29 - 1, protobuf's largest field number
            fail("invalid field number " + std::to_string(number), start);
        }
        f.number = static_cast<std::uint32_t>(number);
        switch (f.wire) {
            case kVarint:
                f.varint = read_varint("field " + std::to_string(f.number));
                break;
            case kFixed64:
                take(8, f.number);
                break;
            case kFixed32: {
                const std::string_view raw = take(4, f.number);
                std::uint32_t value = 0;
                for (std::size_t i = 0; i < 4; ++i) {
                    value |= static_cast<std::uint32_t>(static_cast<unsigned char>(raw[i]))
                             << (8U * i);
                }
                f.fixed32 = value;
                break;
            }
            case kLengthDelimited: {
                const std::uint64_t length =
                    read_varint("length of field " + std::to_string(f.number));
                if (length > data_.size() - pos_) {
                    fail("field " + std::to_string(f.number) + " claims " + std::to_string(length) +
                             " bytes but only " + std::to_string(data_.size() - pos_) + " remain",
                         start);
                }
                f.bytes = take(static_cast<std::size_t>(length), f.number);
                break;
            }
            default:
                fail("field " + std::to_string(f.number) + " has unsupported wire type " +
                         std::to_string(f.wire) + " (groups are not used by ModelProto)",
                     start);
        }
        return f;
    }

    // Known fields must have the wire type the schema gives them.
    void expect(const Field& f, std::uint32_t wire) const {
        if (f.wire != wire) {
            invalid(file_, where_ + ": field " + std::to_string(f.number) + " is " +
                               wire_type_name(f.wire) + ", expected " + wire_type_name(wire));
        }
    }

    [[noreturn]] void fail(const std::string& problem, std::size_t offset) const {
        invalid(file_, where_ + ", byte " + std::to_string(offset) + ": " + problem);
    }

    const std::string& where() const { return where_; }

private:
    std::uint64_t read_varint(const std::string& what) {
        const std::size_t start = pos_;
        std::uint64_t value = 0;
        for (unsigned shift = 0; shift < 64; shift += 7) {
            if (pos_ >= data_.size()) fail("truncated varint in " + what, start);
            const auto byte = static_cast<unsigned char>(data_[pos_++]);
            if (shift == 63 && byte > 1) fail("varint overflows 64 bits in " + what, start);
            value |= static_cast<std::uint64_t>(byte & 0x7FU) << shift;
            if ((byte & 0x80U) == 0) return value;
        }
        fail("varint longer than 10 bytes in " + what, start);
    }

    std::string_view take(std::size_t n, std::uint32_t number) {
        if (n > data_.size() - pos_) {
            fail("field " + std::to_string(number) + " is truncated", pos_);
        }
        const std::string_view out = data_.substr(pos_, n);
        pos_ += n;
        return out;
    }

    std::string_view data_;
    const std::string& file_;
    std::string where_;
    std::size_t pos_ = 0;
};

bool as_bool(const WireReader& r, const Field& f) {
    r.expect(f, kVarint);
    return f.varint != 0;
}

std::string as_string(const WireReader& r, const Field& f) {
    r.expect(f, kLengthDelimited);
    return std::string(f.bytes);
}

ModelPiece parse_piece(std::string_view bytes, const std::string& file, std::size_t index) {
    WireReader r(bytes, file, "piece " + std::to_string(index));
    ModelPiece piece;
    while (!r.done()) {
        const Field f = r.next();
        switch (f.number) {
            case 1:
                piece.text = as_string(r, f);
                break;
            case 2: {
                r.expect(f, kFixed32);
                float score = 0.0F;
                static_assert(sizeof score == sizeof f.fixed32);
                std::memcpy(&score, &f.fixed32, sizeof score);
                // NaN has no order: the merge queue could not rank it.
                if (std::isnan(score)) invalid(file, r.where() + ": score is not a number");
                piece.score = score;
                break;
            }
            case 3:
                r.expect(f, kVarint);
                if (f.varint < 1 || f.varint > 6) {
                    invalid(file, r.where() + ": unknown piece type " + std::to_string(f.varint));
                }
                piece.type = static_cast<PieceType>(f.varint);
                break;
            default:
                break;  // unknown fields are skipped, as protobuf does
        }
    }
    return piece;
}

void parse_trainer_spec(std::string_view bytes, const std::string& file, ModelProto& model) {
    WireReader r(bytes, file, "trainer_spec");
    while (!r.done()) {
        const Field f = r.next();
        switch (f.number) {
            case 3:
                r.expect(f, kVarint);
                if (f.varint < 1 || f.varint > 4) {
                    invalid(file, "trainer_spec: unknown model_type " + std::to_string(f.varint));
                }
                model.model_type = static_cast<ModelType>(f.varint);
                break;
            case 24:
                model.treat_whitespace_as_suffix = as_bool(r, f);
                break;
            case 35:
                model.byte_fallback = as_bool(r, f);
                break;
            case 44:
                model.unk_surface = as_string(r, f);
                break;
            case 45:
                model.unk_piece = as_string(r, f);
                break;
            case 46:
                model.bos_piece = as_string(r, f);
                break;
            case 47:
                model.eos_piece = as_string(r, f);
                break;
            case 48:
                model.pad_piece = as_string(r, f);
                break;
            default:
                break;  // training options: irrelevant to encoding
        }
    }
}

void parse_normalizer_spec(std::string_view bytes, const std::string& file, ModelProto& model) {
    WireReader r(bytes, file, "normalizer_spec");
    while (!r.done()) {
        const Field f = r.next();
        switch (f.number) {
            case 1:
                model.normalizer_name = as_string(r, f);
                break;
            case 2:
                r.expect(f, kLengthDelimited);
                model.precompiled_charsmap_size = f.bytes.size();
                break;
            case 3:
                model.add_dummy_prefix = as_bool(r, f);
                break;
            case 4:
                model.remove_extra_whitespaces = as_bool(r, f);
                break;
            case 5:
                model.escape_whitespaces = as_bool(r, f);
                break;
            default:
                break;
        }
    }
}

// The checks sentencepiece's ModelInterface makes when it loads a model.
void validate(const ModelProto& model, const std::string& file) {
    if (model.pieces.empty()) invalid(file, "empty vocabulary");
    std::unordered_set<std::string_view> seen;
    seen.reserve(model.pieces.size());
    bool has_unknown = false;
    bool has_byte = false;
    for (std::size_t i = 0; i < model.pieces.size(); ++i) {
        const ModelPiece& p = model.pieces[i];
        const std::string where = "piece " + std::to_string(i);
        if (p.text.empty()) invalid(file, where + ": empty piece text");
        if (!seen.insert(p.text).second) {
            invalid(file, where + ": piece text is defined twice");
        }
        if (p.type == PieceType::unknown) {
            if (has_unknown) invalid(file, where + ": a second unknown piece");
            has_unknown = true;
        }
        if (p.type == PieceType::byte) {
            if (!model.byte_fallback) {
                invalid(file, where + ": byte piece although byte_fallback is off");
            }
            has_byte = true;
        }
    }
    if (!has_unknown) invalid(file, "no unknown piece");
    if (model.byte_fallback && !has_byte) {
        invalid(file, "byte_fallback is on but the model has no byte pieces");
    }
}

}  // namespace

ModelProto parse_model_proto(std::string_view bytes, const std::string& file) {
    if (bytes.empty()) invalid(file, "empty file");
    if (bytes.size() > kMaxModelBytes) {
        throw_input(file, "sentencepiece model is larger than " +
                              std::to_string(kMaxModelBytes >> 20) + " MiB");
    }
    ModelProto model;
    WireReader r(bytes, file, "ModelProto");
    while (!r.done()) {
        const Field f = r.next();
        switch (f.number) {
            case 1:
                r.expect(f, kLengthDelimited);
                model.pieces.push_back(parse_piece(f.bytes, file, model.pieces.size()));
                break;
            case 2:
                r.expect(f, kLengthDelimited);
                parse_trainer_spec(f.bytes, file, model);
                break;
            case 3:
                r.expect(f, kLengthDelimited);
                parse_normalizer_spec(f.bytes, file, model);
                break;
            default:
                break;  // self_test_data, denormalizer_spec: not needed
        }
    }
    validate(model, file);
    return model;
}

ModelProto read_model_proto(const std::filesystem::path& path) {
    const std::string name = path.string();
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) throw_input(name, "no such file");
    if (!std::filesystem::is_regular_file(path, ec)) throw_input(name, "not a regular file");
    const auto size = std::filesystem::file_size(path, ec);
    if (ec) throw_input(name, "cannot read size: " + ec.message());
    if (size > kMaxModelBytes) {
        throw_input(name, "sentencepiece model is larger than " +
                              std::to_string(kMaxModelBytes >> 20) + " MiB");
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) throw_input(name, "cannot open");
    std::string bytes(static_cast<std::size_t>(size), '\0');
    in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (in.gcount() != static_cast<std::streamsize>(bytes.size())) {
        throw_input(name, "cannot read");
    }
    return parse_model_proto(bytes, name);
}

std::string_view model_type_name(ModelType type) {
    switch (type) {
        case ModelType::unigram:
            return "unigram";
        case ModelType::bpe:
            return "bpe";
        case ModelType::word:
            return "word";
        case ModelType::character:
            return "char";
    }
    return "unknown";
}

}  // namespace hace::tokenizer::spm
