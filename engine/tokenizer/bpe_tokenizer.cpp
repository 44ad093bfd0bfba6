#include "engine/tokenizer/bpe_tokenizer.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <queue>

#include "engine/core/error.h"
#include "engine/tokenizer/sentencepiece_tokenizer.h"
#include "engine/tokenizer/unicode_tables.h"

namespace hace::tokenizer {
namespace {

// Characters U+0000..U+0143 cover the whole byte map (256 + the 68 remapped bytes).
constexpr char32_t kByteMapEnd = 0x144;

struct ByteMap {
    std::array<std::string, 256> chars;
    std::array<std::int16_t, kByteMapEnd> bytes{};  // by character: its byte, or -1
};

const ByteMap& byte_map() {
    static const ByteMap map = [] {
        ByteMap m;
        m.bytes.fill(-1);
        const auto printable = [](unsigned b) {
            return (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
        };
        char32_t next = 256;
        for (unsigned b = 0; b < 256; ++b) {
            const char32_t c = printable(b) ? b : next++;
            unicode::append_utf8(m.chars[b], c);
            m.bytes[c] = static_cast<std::int16_t>(b);
        }
        return m;
    }();
    return map;
}

std::uint64_t pair_key(TokenId left, TokenId right) {
    return (static_cast<std::uint64_t>(static_cast<std::uint32_t>(left)) << 32) |
           static_cast<std::uint32_t>(right);
}

// Whether the code point before / at pos continues a word, for single_word added tokens.
bool word_char(char32_t cp) {
    const auto cls = unicode::classify(cp);
    return cp == '_' || cls == unicode::CharClass::letter || cls == unicode::CharClass::number;
}

char32_t code_point_before(std::string_view text, std::size_t pos) {
    std::size_t start = pos - 1;
    while (start > 0 && pos - start < 4 &&
           (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80) {
        --start;
    }
    const auto d = unicode::decode_utf8(text, start);
    return start + d.length == pos ? d.cp : unicode::kInvalidByteBase;
}

// Start of the whitespace that text ends with.
std::size_t trailing_whitespace_start(std::string_view text) {
    std::size_t start = 0;
    for (std::size_t pos = 0; pos < text.size();) {
        const auto d = unicode::decode_utf8(text, pos);
        pos += d.length;
        if (!unicode::is_whitespace(d.cp)) start = pos;
    }
    return start;
}

std::optional<std::string> decode_base64(std::string_view s) {
    if (s.empty() || s.size() % 4 != 0) return std::nullopt;
    std::string out;
    std::uint32_t acc = 0;
    int bits = 0;
    std::size_t padding = 0;
    for (const char c : s) {
        int v = -1;
        if (c >= 'A' && c <= 'Z') v = c - 'A';
        if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
        if (c >= '0' && c <= '9') v = c - '0' + 52;
        if (c == '+') v = 62;
        if (c == '/') v = 63;
        if (c == '=' && ++padding <= 2) continue;
        if (v < 0 || padding != 0) return std::nullopt;
        acc = (acc << 6) | static_cast<std::uint32_t>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<char>((acc >> bits) & 0xFF));
        }
    }
    return out;
}

// Qwen v1's special tokens follow the ordinary ranks (tokenization_qwen.py).
constexpr TokenId kQwenSpecialStart = 151643;
constexpr int kQwenExtraTokens = 205;

constexpr std::size_t kMaxCachedPiece = 256;
constexpr std::size_t kMaxCacheEntries = 1u << 18;

}  // namespace

const std::array<std::string, 256>& byte_level_chars() {
    return byte_map().chars;
}

std::string bytes_to_byte_level(std::string_view bytes) {
    const auto& chars = byte_map().chars;
    std::string out;
    out.reserve(bytes.size() * 2);
    for (const char c : bytes) out.append(chars[static_cast<unsigned char>(c)]);
    return out;
}

std::string byte_level_to_bytes(std::string_view text) {
    const auto& map = byte_map();
    std::string out;
    out.reserve(text.size());
    for (std::size_t pos = 0; pos < text.size();) {
        const auto d = unicode::decode_utf8(text, pos);
        if (d.cp < kByteMapEnd && map.bytes[d.cp] >= 0) {
            out.push_back(static_cast<char>(map.bytes[d.cp]));
        } else {
            out.append(text.substr(pos, d.length));
        }
        pos += d.length;
    }
    return out;
}

BpeModel read_qwen_tiktoken(const std::filesystem::path& file) {
    const std::string name = file.string();
    std::ifstream in(file, std::ios::binary);
    if (!in) throw_input(name, "cannot open file");
    BpeModel m;
    m.vocab_source = name;
    std::string line;
    for (std::size_t line_no = 1; std::getline(in, line); ++line_no) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.empty()) continue;
        const std::string where = "line " + std::to_string(line_no) + ": ";
        const std::size_t space = line.find(' ');
        const auto bytes = decode_base64(std::string_view(line).substr(0, space));
        if (space == std::string::npos || !bytes) {
            throw_input(name, where + "expected \"<base64 token> <rank>\", got " + in_quotes(line));
        }
        const std::string rank_text = line.substr(space + 1);
        TokenId rank = -1;
        try {
            std::size_t used = 0;
            rank = std::stoi(rank_text, &used);
            if (used != rank_text.size()) rank = -1;
        } catch (const std::exception&) {
        }
        if (rank < 0) throw_input(name, where + "bad rank " + in_quotes(rank_text));
        if (rank >= kQwenSpecialStart) {
            throw_input(name, where + "rank " + rank_text + " collides with the special tokens");
        }
        if (!m.vocab.emplace(bytes_to_byte_level(*bytes), rank).second) {
            throw_input(name, where + "the token is listed twice");
        }
    }
    TokenId id = kQwenSpecialStart;
    for (const char* s : {"<|endoftext|>", "<|im_start|>", "<|im_end|>"}) {
        m.added.push_back({s, id++});
    }
    for (int i = 0; i < kQwenExtraTokens; ++i) {
        m.added.push_back({"<|extra_" + std::to_string(i) + "|>", id++});
    }
    m.merge_by_token_rank = true;
    m.pattern = SplitPattern::qwen2;
    m.nfc = true;
    return m;
}

BpeTokenizer::BpeTokenizer(BpeModel model)
    : merge_by_token_rank_(model.merge_by_token_rank),
      ignore_merges_(model.ignore_merges),
      added_(std::move(model.added)),
      pattern_(model.pattern),
      nfc_(model.nfc),
      add_prefix_space_(model.add_prefix_space),
      special_(model.special),
      add_bos_(model.add_bos),
      vocab_source_(std::move(model.vocab_source)) {
    TokenId max_id = -1;
    for (const auto& [piece, id] : model.vocab) {
        if (id < 0) throw_input(vocab_source_, "token " + in_quotes(piece) + " has a negative id");
        if (piece.empty()) throw_input(vocab_source_, "the vocabulary has an empty token");
        max_id = std::max(max_id, id);
    }
    for (const AddedToken& t : added_) {
        if (t.id < 0)
            throw_input(vocab_source_, "added token " + in_quotes(t.content) + " has no id");
        if (t.content.empty()) throw_input(vocab_source_, "an added token is empty");
        max_id = std::max(max_id, t.id);
    }
    // The tables below are indexed by id, so an absurd id is a damaged file, not a table to
    // allocate (fuzz_vocab_merges: one id of 431,606,327 asked for 13.8 GB). The bound is far
    // above any real vocabulary (the largest are ~256K) and keeps the tables near 150 MB; ids
    // need not be dense (Qwen's special tokens sit at fixed ids above a trimmed vocabulary).
    constexpr TokenId kMaxTokenId = (1 << 21) - 1;
    if (max_id > kMaxTokenId) {
        throw_input(vocab_source_, "token id " + std::to_string(max_id) + " is beyond " +
                                       std::to_string(kMaxTokenId) +
                                       ", more than any tokenizer's vocabulary");
    }
    const auto size = static_cast<std::size_t>(max_id + 1);
    pieces_.resize(size);
    bytes_.resize(size);
    added_index_.assign(size, -1);

    for (auto& [piece, id] : model.vocab) {
        auto& slot = pieces_[static_cast<std::size_t>(id)];
        if (!slot.empty()) {
            throw_input(vocab_source_, "tokens " + in_quotes(slot) + " and " + in_quotes(piece) +
                                           " share id " + std::to_string(id));
        }
        slot = piece;
        bytes_[static_cast<std::size_t>(id)] = byte_level_to_bytes(piece);
    }
    vocab_ = std::move(model.vocab);

    for (std::size_t i = 0; i < added_.size(); ++i) {
        const AddedToken& t = added_[i];
        const auto id = static_cast<std::size_t>(t.id);
        // GPT-2's <|endoftext|> is both a vocabulary token and an added one; that is fine as long
        // as both name the same text.
        if (!pieces_[id].empty() && added_index_[id] < 0 && pieces_[id] != t.content) {
            throw_input(vocab_source_, "added token " + in_quotes(t.content) + " reuses the id " +
                                           std::to_string(t.id) + " of " + in_quotes(pieces_[id]));
        }
        if (added_index_[id] >= 0 || !added_ids_.emplace(t.content, t.id).second) {
            throw_input(vocab_source_, "added token " + in_quotes(t.content) + " (id " +
                                           std::to_string(t.id) + ") is listed twice");
        }
        pieces_[id] = t.content;
        bytes_[id] = t.content;
        added_index_[id] = static_cast<std::int32_t>(i);
        added_by_first_byte_[static_cast<unsigned char>(t.content[0])].push_back(
            static_cast<std::uint32_t>(i));
    }
    for (auto& list : added_by_first_byte_) {
        std::stable_sort(list.begin(), list.end(), [&](std::uint32_t a, std::uint32_t b) {
            return added_[a].content.size() > added_[b].content.size();
        });
    }

    for (unsigned b = 0; b < 256; ++b) {
        const auto it = vocab_.find(byte_level_chars()[b]);
        if (it == vocab_.end()) {
            char hex[8];
            std::snprintf(hex, sizeof hex, "0x%02X", b);
            throw_input(vocab_source_, std::string("no token for byte ") + hex + " (" +
                                           in_quotes(byte_level_chars()[b]) +
                                           "): not a byte-level BPE vocabulary");
        }
        byte_ids_[b] = it->second;
    }

    if (merge_by_token_rank_) return;
    merges_.reserve(model.merges.size());
    for (std::size_t rank = 0; rank < model.merges.size(); ++rank) {
        // Named members, not a structured binding: clang 14 (the sanitizer builds) cannot
        // capture bindings in a lambda.
        const std::string& left = model.merges[rank].first;
        const std::string& right = model.merges[rank].second;
        const auto id_of = [&](const std::string& piece) {
            const auto it = vocab_.find(piece);
            if (it == vocab_.end()) {
                const auto where = model.merge_source ? model.merge_source(rank) : vocab_source_;
                throw_input(where, "merge " + in_quotes(left + " " + right) + ": token " +
                                       in_quotes(piece) + " is not in the vocabulary");
            }
            return it->second;
        };
        const TokenId l = id_of(left);
        const TokenId r = id_of(right);
        const TokenId merged = id_of(left + right);
        // A repeated merge keeps its first (best) rank.
        merges_.emplace(pair_key(l, r), Merge{static_cast<std::uint32_t>(rank), merged});
    }
}

std::optional<TokenId> BpeTokenizer::token_id(std::string_view piece) const {
    const std::string key(piece);
    if (const auto it = added_ids_.find(key); it != added_ids_.end()) return it->second;
    if (const auto it = vocab_.find(key); it != vocab_.end()) return it->second;
    return std::nullopt;
}

bool BpeTokenizer::is_special(TokenId id) const {
    if (id < 0 || id >= vocab_size()) return false;
    const auto index = added_index_[static_cast<std::size_t>(id)];
    return index >= 0 && added_[static_cast<std::size_t>(index)].special;
}

void BpeTokenizer::check_id(TokenId id) const {
    if (id < 0 || id >= vocab_size()) {
        throw_input(vocab_source_, "token id " + std::to_string(id) +
                                       " is outside the vocabulary [0, " +
                                       std::to_string(vocab_size()) + ")");
    }
    if (pieces_[static_cast<std::size_t>(id)].empty()) {
        throw_input(vocab_source_,
                    "token id " + std::to_string(id) + " is not assigned to any token");
    }
}

std::string BpeTokenizer::piece(TokenId id) const {
    check_id(id);
    return pieces_[static_cast<std::size_t>(id)];
}

std::string BpeTokenizer::decode(const std::vector<TokenId>& ids, bool skip_special) const {
    std::string raw;
    for (const TokenId id : ids) {
        check_id(id);
        if (skip_special && is_special(id)) continue;
        raw.append(bytes_[static_cast<std::size_t>(id)]);
    }
    return sanitize_utf8(raw);
}

std::optional<BpeTokenizer::Merge> BpeTokenizer::find_merge(TokenId left, TokenId right,
                                                            std::string& scratch) const {
    if (merge_by_token_rank_) {
        scratch.assign(pieces_[static_cast<std::size_t>(left)]);
        scratch.append(pieces_[static_cast<std::size_t>(right)]);
        const auto it = vocab_.find(scratch);
        if (it == vocab_.end()) return std::nullopt;
        return Merge{static_cast<std::uint32_t>(it->second), it->second};
    }
    const auto it = merges_.find(pair_key(left, right));
    if (it == merges_.end()) return std::nullopt;
    return it->second;
}

// BPE over a doubly linked list of symbols with a heap of candidate pairs: O(n log n) even for a
// megabyte-long piece. A popped candidate whose symbols have changed since is stale and dropped.
void BpeTokenizer::merge_piece(std::string_view bytes, std::vector<TokenId>& out) const {
    const std::size_t n = bytes.size();
    if (ignore_merges_) {
        if (const auto it = vocab_.find(bytes_to_byte_level(bytes)); it != vocab_.end()) {
            out.push_back(it->second);
            return;
        }
    }
    struct Symbol {
        TokenId id;
        std::int64_t prev;
        std::int64_t next;
    };
    struct Candidate {
        std::uint32_t rank;
        std::uint32_t pos;
        TokenId left;
        TokenId right;
        TokenId merged;
        bool operator>(const Candidate& o) const {
            return rank != o.rank ? rank > o.rank : pos > o.pos;
        }
    };
    std::vector<Symbol> symbols(n);
    for (std::size_t i = 0; i < n; ++i) {
        symbols[i] = {byte_ids_[static_cast<unsigned char>(bytes[i])],
                      static_cast<std::int64_t>(i) - 1,
                      i + 1 < n ? static_cast<std::int64_t>(i + 1) : -1};
    }
    std::priority_queue<Candidate, std::vector<Candidate>, std::greater<>> heap;
    std::string scratch;
    const auto consider = [&](std::int64_t l, std::int64_t r) {
        const TokenId left = symbols[static_cast<std::size_t>(l)].id;
        const TokenId right = symbols[static_cast<std::size_t>(r)].id;
        if (const auto m = find_merge(left, right, scratch)) {
            heap.push({m->rank, static_cast<std::uint32_t>(l), left, right, m->merged});
        }
    };
    for (std::size_t i = 0; i + 1 < n; ++i) {
        consider(static_cast<std::int64_t>(i), static_cast<std::int64_t>(i + 1));
    }
    while (!heap.empty()) {
        const Candidate c = heap.top();
        heap.pop();
        Symbol& left = symbols[c.pos];
        if (left.id != c.left || left.next < 0) continue;
        Symbol& right = symbols[static_cast<std::size_t>(left.next)];
        if (right.id != c.right) continue;
        left.id = c.merged;
        right.id = -1;
        left.next = right.next;
        if (left.next >= 0) symbols[static_cast<std::size_t>(left.next)].prev = c.pos;
        if (left.prev >= 0) consider(left.prev, c.pos);
        if (left.next >= 0) consider(c.pos, left.next);
    }
    for (std::int64_t i = 0; i >= 0; i = symbols[static_cast<std::size_t>(i)].next) {
        out.push_back(symbols[static_cast<std::size_t>(i)].id);
    }
}

void BpeTokenizer::encode_piece(std::string_view bytes, std::vector<TokenId>& out) const {
    if (bytes.size() == 1) {
        out.push_back(byte_ids_[static_cast<unsigned char>(bytes[0])]);
        return;
    }
    if (bytes.size() > kMaxCachedPiece) {
        merge_piece(bytes, out);
        return;
    }
    {
        const std::lock_guard lock(cache_mutex_);
        if (const auto it = cache_.find(bytes); it != cache_.end()) {
            out.insert(out.end(), it->second.begin(), it->second.end());
            return;
        }
    }
    const std::size_t first = out.size();
    merge_piece(bytes, out);
    std::vector<TokenId> ids(out.begin() + static_cast<std::ptrdiff_t>(first), out.end());
    const std::lock_guard lock(cache_mutex_);
    if (cache_.size() >= kMaxCacheEntries) cache_.clear();
    cache_.emplace(std::string(bytes), std::move(ids));
}

void BpeTokenizer::encode_ordinary(std::string_view text, std::vector<TokenId>& out) const {
    if (text.empty()) return;
    std::string buffer;
    if (nfc_) {
        buffer = unicode::to_nfc(text);
        text = buffer;
    }
    if (add_prefix_space_ && text.front() != ' ') {
        std::string prefixed = " ";
        prefixed.append(text);
        buffer = std::move(prefixed);
        text = buffer;
    }
    std::vector<std::string_view> pieces;
    pre_tokenize(text, pattern_, pieces);
    for (const std::string_view p : pieces) encode_piece(p, out);
}

std::size_t BpeTokenizer::match_added(std::string_view text, std::size_t pos,
                                      std::size_t& index) const {
    for (const std::uint32_t i : added_by_first_byte_[static_cast<unsigned char>(text[pos])]) {
        const AddedToken& t = added_[i];
        if (text.substr(pos, t.content.size()) != t.content) continue;
        if (t.single_word) {
            const std::size_t end = pos + t.content.size();
            if (pos > 0 && word_char(code_point_before(text, pos))) continue;
            if (end < text.size() && word_char(unicode::decode_utf8(text, end).cp)) continue;
        }
        index = i;
        return t.content.size();
    }
    return 0;
}

std::vector<TokenId> BpeTokenizer::encode(std::string_view text, bool add_bos) const {
    std::vector<TokenId> out;
    out.reserve(text.size() / 3 + 2);
    if (add_bos && add_bos_ && special_.bos >= 0) out.push_back(special_.bos);
    std::size_t stretch = 0;  // start of the text not yet encoded
    for (std::size_t pos = 0; pos < text.size();) {
        std::size_t index = 0;
        const std::size_t length = match_added(text, pos, index);
        if (length == 0) {
            ++pos;
            continue;
        }
        const AddedToken& t = added_[index];
        std::string_view before = text.substr(stretch, pos - stretch);
        if (t.lstrip) before = before.substr(0, trailing_whitespace_start(before));
        encode_ordinary(before, out);
        out.push_back(t.id);
        pos += length;
        if (t.rstrip) {
            while (pos < text.size()) {
                const auto d = unicode::decode_utf8(text, pos);
                if (!unicode::is_whitespace(d.cp)) break;
                pos += d.length;
            }
        }
        stretch = pos;
    }
    encode_ordinary(text.substr(stretch), out);
    return out;
}

}  // namespace hace::tokenizer
