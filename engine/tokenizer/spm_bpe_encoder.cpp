#include "engine/tokenizer/spm_bpe_encoder.h"

#include <algorithm>
#include <cstdio>
#include <queue>
#include <stdexcept>
#include <utility>

#include "engine/core/error.h"

namespace hace::tokenizer::spm {
namespace {

constexpr std::string_view kSpaceSymbol = "\xE2\x96\x81";  // U+2581
constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

bool is_trail(std::string_view s, std::size_t i) {
    return i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0U) == 0x80U;
}

std::uint32_t low_bits(std::string_view s, std::size_t i) {
    return static_cast<unsigned char>(s[i]) & 0x3FU;
}

bool is_scalar_value(std::uint32_t cp) {
    return cp < 0xD800 || (cp >= 0xE000 && cp <= 0x10FFFF);
}

// Length of the well-formed UTF-8 character that `s` (non-empty) starts with, or 0 when it does
// not start with one (overlong forms, surrogates, code points past U+10FFFF, missing trail bytes).
std::size_t valid_char_length(std::string_view s) {
    const auto lead = static_cast<std::uint32_t>(static_cast<unsigned char>(s[0]));
    if (lead < 0x80) return 1;
    if ((lead & 0xE0U) == 0xC0U) {
        if (!is_trail(s, 1)) return 0;
        const std::uint32_t cp = ((lead & 0x1FU) << 6U) | low_bits(s, 1);
        return cp >= 0x80 ? 2 : 0;
    }
    if ((lead & 0xF0U) == 0xE0U) {
        if (!is_trail(s, 1) || !is_trail(s, 2)) return 0;
        const std::uint32_t cp = ((lead & 0x0FU) << 12U) | (low_bits(s, 1) << 6U) | low_bits(s, 2);
        return cp >= 0x800 && is_scalar_value(cp) ? 3 : 0;
    }
    if ((lead & 0xF8U) == 0xF0U) {
        if (!is_trail(s, 1) || !is_trail(s, 2) || !is_trail(s, 3)) return 0;
        const std::uint32_t cp = ((lead & 0x07U) << 18U) | (low_bits(s, 1) << 12U) |
                                 (low_bits(s, 2) << 6U) | low_bits(s, 3);
        return cp >= 0x10000 && is_scalar_value(cp) ? 4 : 0;
    }
    return 0;
}

// The character length the lead byte announces; normalized text is well-formed, so splitting
// needs no more (capped by what is left, as the library does).
std::size_t announced_length(std::string_view s) {
    const auto lead = static_cast<unsigned char>(s[0]);
    const std::size_t n = lead < 0xC0 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
    return std::min(n, s.size());
}

std::string byte_piece(unsigned byte) {
    char text[8];
    std::snprintf(text, sizeof text, "<0x%02X>", byte);
    return text;
}

}  // namespace

std::optional<std::string> native_unsupported_reason(const ModelProto& model) {
    if (model.model_type != ModelType::bpe) {
        return "a " + std::string(model_type_name(model.model_type)) +
               " sentencepiece model; the native encoder handles BPE models only (the "
               "sentencepiece module is needed)";
    }
    if (model.precompiled_charsmap_size > 0) {
        const std::string name = model.normalizer_name.empty() ? "custom" : model.normalizer_name;
        return "normalizer '" + name +
               "' uses a precompiled charsmap; the native encoder supports identity "
               "normalization only (the sentencepiece module is needed)";
    }
    return std::nullopt;
}

BpeEncoder::BpeEncoder(const ModelProto& model, const std::string& file)
    : user_defined_by_byte_(256),
      byte_fallback_(model.byte_fallback),
      add_dummy_prefix_(model.add_dummy_prefix),
      remove_extra_whitespaces_(model.remove_extra_whitespaces),
      escape_whitespaces_(model.escape_whitespaces),
      whitespace_as_suffix_(model.treat_whitespace_as_suffix) {
    if (const auto why = native_unsupported_reason(model)) throw_input(file, *why);
    const std::size_t n = model.pieces.size();
    texts_.reserve(n);
    types_.reserve(n);
    for (const auto& p : model.pieces) {
        texts_.push_back(p.text);
        types_.push_back(p.type);
    }
    mergeable_.reserve(n);
    bool has_unknown = false;
    for (std::size_t i = 0; i < n; ++i) {
        const std::string_view text = texts_[i];
        const auto id = static_cast<std::int32_t>(i);
        switch (types_[i]) {
            case PieceType::normal:
            case PieceType::user_defined:
            case PieceType::unused:
                mergeable_.emplace(
                    text, Mergeable{id, model.pieces[i].score, types_[i] == PieceType::unused});
                break;
            case PieceType::unknown:
            case PieceType::control:
            case PieceType::byte:
                reserved_.emplace(text, id);
                break;
        }
        if (types_[i] == PieceType::unknown) {
            unk_id_ = id;
            has_unknown = true;
        }
        if (types_[i] == PieceType::user_defined && !text.empty()) {
            user_defined_by_byte_[static_cast<unsigned char>(text[0])].push_back(text);
        }
    }
    // parse_model_proto guarantees this; a hand-made ModelProto might not.
    if (!has_unknown) throw_input(file, "sentencepiece model has no unknown piece");
    for (auto& group : user_defined_by_byte_) {
        std::stable_sort(group.begin(), group.end(), [](std::string_view a, std::string_view b) {
            return a.size() > b.size();
        });
    }
    for (unsigned b = 0; b < 256; ++b) byte_ids_[b] = piece_to_id(byte_piece(b));
}

std::size_t BpeEncoder::match_user_defined(std::string_view text) const {
    if (text.empty()) return 0;
    for (const std::string_view piece :
         user_defined_by_byte_[static_cast<unsigned char>(text[0])]) {
        if (text.starts_with(piece)) return piece.size();
    }
    return 0;
}

const BpeEncoder::Mergeable* BpeEncoder::find_mergeable(std::string_view piece) const {
    const auto it = mergeable_.find(piece);
    return it == mergeable_.end() ? nullptr : &it->second;
}

std::int32_t BpeEncoder::piece_to_id(std::string_view piece) const {
    if (const auto it = reserved_.find(piece); it != reserved_.end()) return it->second;
    if (const auto* m = find_mergeable(piece)) return m->id;
    return unk_id_;
}

std::string BpeEncoder::normalize(std::string_view input) const {
    std::string out;
    if (input.empty()) return out;
    // One normalization unit: a user-defined piece, a character, or an invalid byte (U+FFFD).
    std::string_view unit;
    auto next_unit = [&](std::string_view rest) -> std::size_t {
        if (const std::size_t n = match_user_defined(rest); n > 0) {
            unit = rest.substr(0, n);
            return n;
        }
        const std::size_t n = valid_char_length(rest);
        if (n == 0) {
            unit = kReplacement;
            return 1;
        }
        unit = rest.substr(0, n);
        return n;
    };
    if (remove_extra_whitespaces_) {
        while (!input.empty()) {
            const std::size_t n = next_unit(input);
            if (unit != " ") break;
            input.remove_prefix(n);
        }
        if (input.empty()) return out;
    }
    const std::string_view space = escape_whitespaces_ ? kSpaceSymbol : std::string_view(" ");
    out.reserve(input.size() + input.size() / 2 + space.size());
    if (add_dummy_prefix_ && !whitespace_as_suffix_) out.append(space);
    bool after_space = remove_extra_whitespaces_;
    while (!input.empty()) {
        const std::size_t n = next_unit(input);
        if (after_space) {
            while (!unit.empty() && unit.front() == ' ') unit.remove_prefix(1);
        }
        if (!unit.empty()) {
            for (const char c : unit) {
                if (c == ' ' && escape_whitespaces_) {
                    out.append(kSpaceSymbol);
                } else {
                    out.push_back(c);
                }
            }
            after_space = unit.back() == ' ';
        }
        input.remove_prefix(n);
        if (!remove_extra_whitespaces_) after_space = false;
    }
    if (remove_extra_whitespaces_) {
        // Like the library, this also drops U+2581 characters that were in the input.
        std::size_t keep = out.size();
        while (std::string_view(out.data(), keep).ends_with(space)) keep -= space.size();
        out.erase(keep);
    }
    if (add_dummy_prefix_ && whitespace_as_suffix_) out.append(space);
    return out;
}

std::vector<std::int32_t> BpeEncoder::encode(std::string_view text) const {
    const std::string norm = normalize(text);
    std::vector<std::int32_t> ids;
    if (norm.empty()) return ids;
    // Symbol indices and offsets are 32-bit.
    if (norm.size() > 0x7FFFFFFFU) throw std::length_error("text too long to tokenize");

    // A doubly linked list of symbols over `norm`; a merged-away symbol has size 0.
    struct Symbol {
        std::int32_t prev;
        std::int32_t next;
        std::uint32_t begin;
        std::uint32_t size;
        bool frozen;  // a user-defined piece: never merged
    };
    std::vector<Symbol> symbols;
    symbols.reserve(norm.size());
    for (std::size_t pos = 0; pos < norm.size();) {
        const std::string_view rest(norm.data() + pos, norm.size() - pos);
        std::size_t n = match_user_defined(rest);
        const bool frozen = n > 0;
        if (!frozen) n = announced_length(rest);
        const auto index = static_cast<std::int32_t>(symbols.size());
        symbols.push_back({index - 1, pos + n < norm.size() ? index + 1 : -1,
                           static_cast<std::uint32_t>(pos), static_cast<std::uint32_t>(n), frozen});
        pos += n;
    }
    auto view = [&](const Symbol& s) { return std::string_view(norm.data() + s.begin, s.size); };

    struct Candidate {
        float score;
        std::int32_t left;
        std::int32_t right;
        std::uint32_t size;  // of the merged piece: a mismatch at pop time means it is stale
    };
    // Highest score on top; among equal scores the leftmost pair.
    struct Ranks {
        bool operator()(const Candidate& a, const Candidate& b) const {
            return a.score < b.score || (a.score == b.score && a.left > b.left);
        }
    };
    std::priority_queue<Candidate, std::vector<Candidate>, Ranks> queue;
    // An unused piece's parts, recorded when the pair is queued (the last pair of that text
    // queued wins, as in the library).
    std::unordered_map<std::string_view, std::pair<std::string_view, std::string_view>> parts;

    auto consider = [&](std::int32_t left, std::int32_t right) {
        if (left < 0 || right < 0) return;
        const Symbol& l = symbols[static_cast<std::size_t>(left)];
        const Symbol& r = symbols[static_cast<std::size_t>(right)];
        if (l.frozen || r.frozen) return;
        const std::string_view joined(norm.data() + l.begin, std::size_t{l.size} + r.size);
        const Mergeable* m = find_mergeable(joined);
        if (m == nullptr) return;
        queue.push({m->score, left, right, static_cast<std::uint32_t>(joined.size())});
        if (m->unused) parts[joined] = {view(l), view(r)};
    };

    for (std::size_t i = 1; i < symbols.size(); ++i) {
        consider(static_cast<std::int32_t>(i - 1), static_cast<std::int32_t>(i));
    }
    while (!queue.empty()) {
        const Candidate top = queue.top();
        queue.pop();
        Symbol& l = symbols[static_cast<std::size_t>(top.left)];
        Symbol& r = symbols[static_cast<std::size_t>(top.right)];
        if (l.size == 0 || r.size == 0 || l.size + r.size != top.size) continue;  // stale
        l.size += r.size;
        l.next = r.next;
        if (r.next >= 0) symbols[static_cast<std::size_t>(r.next)].prev = top.left;
        r.size = 0;
        consider(l.prev, top.left);
        consider(top.left, l.next);
    }

    bool previous_unknown = false;
    auto emit = [&](std::string_view piece, std::int32_t id) {
        const bool unknown = types_[static_cast<std::size_t>(id)] == PieceType::unknown;
        if (unknown && byte_fallback_) {
            for (const char c : piece) ids.push_back(byte_ids_[static_cast<unsigned char>(c)]);
        } else if (!(unknown && previous_unknown)) {
            ids.push_back(id);  // a run of unknown symbols is one unknown id
        }
        previous_unknown = unknown;
    };
    std::vector<std::string_view> pending;  // resegmentation stack, leftmost part on top
    for (std::int32_t i = 0; i != -1; i = symbols[static_cast<std::size_t>(i)].next) {
        pending.push_back(view(symbols[static_cast<std::size_t>(i)]));
        while (!pending.empty()) {
            const std::string_view piece = pending.back();
            pending.pop_back();
            const std::int32_t id = piece_to_id(piece);
            if (types_[static_cast<std::size_t>(id)] == PieceType::unused) {
                if (const auto it = parts.find(piece); it != parts.end()) {
                    pending.push_back(it->second.second);
                    pending.push_back(it->second.first);
                    continue;
                }
            }
            emit(piece, id);
        }
    }
    return ids;
}

}  // namespace hace::tokenizer::spm
