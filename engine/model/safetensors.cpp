#include "engine/model/safetensors.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>
#include <set>
#include <string_view>
#include <system_error>

#include <nlohmann/json.hpp>

#include "engine/core/error.h"
#include "engine/core/json_io.h"

namespace hace::model {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// Same cap as the reference implementation: a real header is a few MiB at most, and a larger
// length is far more likely a corrupt prefix than a model worth trying to parse.
constexpr std::uint64_t kMaxHeaderBytes = 100ull * 1024 * 1024;
// Legitimate headers nest three levels deep; the cap keeps hostile input from costing much.
constexpr int kMaxHeaderDepth = 8;
constexpr std::string_view kMetadataKey = "__metadata__";
constexpr std::string_view kIndexName = "model.safetensors.index.json";

std::string shape_to_string(const std::vector<std::int64_t>& shape) {
    std::string s = "[";
    for (std::size_t i = 0; i < shape.size(); ++i) {
        if (i) s += ", ";
        s += std::to_string(shape[i]);
    }
    return s + "]";
}

// The descriptor is only needed until mmap returns; the mapping outlives it.
struct FdCloser {
    int fd;
    ~FdCloser() {
        if (fd >= 0) ::close(fd);
    }
};

// nlohmann::json keeps the last of two equal keys silently, so top-level duplicates are caught
// while parsing; the same hook bounds nesting depth.
json parse_header(const std::string& file, const char* first, const char* last) {
    std::set<std::string> seen;
    auto callback = [&](int depth, json::parse_event_t event, json& parsed) {
        if ((event == json::parse_event_t::object_start ||
             event == json::parse_event_t::array_start) &&
            depth >= kMaxHeaderDepth) {
            throw_input(file, "header JSON nested too deeply");
        }
        if (event == json::parse_event_t::key && depth == 1) {
            const auto& key = parsed.get_ref<const std::string&>();
            if (!seen.insert(key).second) {
                if (key == kMetadataKey) throw_input(file, "duplicate __metadata__ entry");
                throw_input(file, "duplicate tensor name " + in_quotes(key) + " in header");
            }
        }
        return true;
    };
    try {
        return json::parse(first, last, callback);
    } catch (const json::exception& e) {
        // Not only parse_error: a number too large for a double surfaces as out_of_range.
        throw_input(file, std::string("malformed header JSON (") + e.what() + ")");
    }
}

// A JSON integer in [0, INT64_MAX]; nullopt for floats, negatives, non-numbers, huge values.
std::optional<std::uint64_t> as_non_negative(const json& v) {
    if (v.is_number_unsigned()) {
        const auto u = v.get<std::uint64_t>();
        if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
            return std::nullopt;
        }
        return u;
    }
    if (v.is_number_integer()) {
        const auto i = v.get<std::int64_t>();
        if (i < 0) return std::nullopt;
        return static_cast<std::uint64_t>(i);
    }
    return std::nullopt;
}

struct Span {
    std::uint64_t begin;
    std::uint64_t end;
    const std::string* name;
};

}  // namespace

std::int64_t TensorView::numel() const {
    std::int64_t n = 1;
    for (auto d : shape) n *= d;  // cannot overflow: checked when the header was validated
    return n;
}

std::string TensorView::shape_string() const {
    return shape_to_string(shape);
}

std::unique_ptr<SafetensorsFile> SafetensorsFile::open(const fs::path& path) {
    const std::string file = path.string();
    std::unique_ptr<SafetensorsFile> sf(new SafetensorsFile());
    sf->path_ = path;

    FdCloser fd{::open(file.c_str(), O_RDONLY | O_CLOEXEC)};
    if (fd.fd < 0) throw_input(file, std::string("cannot open file: ") + std::strerror(errno));
    struct stat st {};
    if (::fstat(fd.fd, &st) != 0) {
        throw_input(file, std::string("cannot stat file: ") + std::strerror(errno));
    }
    if (!S_ISREG(st.st_mode)) throw_input(file, "not a regular file");
    const auto file_size = static_cast<std::uint64_t>(st.st_size);
    if (file_size < 8) {
        throw_input(file, "file too short (" + std::to_string(file_size) +
                              " bytes) for the 8-byte header length");
    }
    if (file_size > std::numeric_limits<std::size_t>::max()) throw_input(file, "file too large");

    void* map =
        ::mmap(nullptr, static_cast<std::size_t>(file_size), PROT_READ, MAP_PRIVATE, fd.fd, 0);
    if (map == MAP_FAILED)
        throw_input(file, std::string("cannot map file: ") + std::strerror(errno));
    sf->map_ = map;
    sf->map_size_ = static_cast<std::size_t>(file_size);
    const auto* base = static_cast<const std::byte*>(map);

    // The prefix is little-endian by definition, whatever the host order.
    std::uint64_t header_len = 0;
    for (int i = 7; i >= 0; --i) {
        header_len = (header_len << 8) | std::to_integer<std::uint64_t>(base[i]);
    }
    if (header_len > file_size - 8) {
        throw_input(file, "header length " + std::to_string(header_len) +
                              " runs past the end of the file (" + std::to_string(file_size) +
                              " bytes; truncated?)");
    }
    if (header_len > kMaxHeaderBytes) {
        throw_input(file, "header length " + std::to_string(header_len) +
                              " is implausibly large (limit " + std::to_string(kMaxHeaderBytes) +
                              ")");
    }
    const std::uint64_t data_start = 8 + header_len;
    const std::uint64_t data_size = file_size - data_start;
    const auto* header_first = reinterpret_cast<const char*>(base + 8);
    const json header = parse_header(file, header_first, header_first + header_len);
    if (!header.is_object()) {
        throw_input(file, "header is not a JSON object (got " + json_type_name(header) + ")");
    }

    std::vector<Span> spans;
    for (const auto& [name, entry] : header.items()) {
        if (name == kMetadataKey) {
            if (!entry.is_object()) throw_input(file, "__metadata__ is not an object");
            for (const auto& [k, v] : entry.items()) {
                if (!v.is_string()) {
                    throw_input(file, "__metadata__ value for key " + in_quotes(k) +
                                          " is not a string (got " + json_type_name(v) + ")");
                }
                sf->metadata_[k] = v.get<std::string>();
            }
            continue;
        }
        const std::string where = "tensor " + name;
        if (!entry.is_object()) {
            throw_input(file,
                        where + ": entry is not an object (got " + json_type_name(entry) + ")");
        }
        for (const char* field : {"dtype", "shape", "data_offsets"}) {
            if (!entry.contains(field)) throw_input(file, where + ": missing \"" + field + "\"");
        }
        const json& jdtype = entry.at("dtype");
        const json& jshape = entry.at("shape");
        const json& joffsets = entry.at("data_offsets");
        if (!jdtype.is_string()) throw_input(file, where + ": dtype is not a string");
        const auto& dtype_name = jdtype.get_ref<const std::string&>();
        const auto dtype = dtype_from_safetensors(dtype_name);
        if (!dtype) throw_input(file, where + ": unknown dtype " + in_quotes(dtype_name));
        if (!jshape.is_array()) {
            throw_input(file,
                        where + ": shape is not an array (got " + json_type_name(jshape) + ")");
        }

        TensorView tv;
        tv.name = name;
        tv.dtype = *dtype;
        tv.file = path;
        std::uint64_t numel = 1;
        for (const json& jd : jshape) {
            if (jd.is_number_integer() && !jd.is_number_unsigned() && jd.get<std::int64_t>() < 0) {
                throw_input(file, where + ": negative dimension in shape " + jshape.dump());
            }
            const auto d = as_non_negative(jd);
            if (!d) throw_input(file, where + ": shape entry " + jd.dump() + " is not an integer");
            tv.shape.push_back(static_cast<std::int64_t>(*d));
            // numel must stay representable as int64 for TensorView::numel().
            if (__builtin_mul_overflow(numel, *d, &numel) ||
                numel > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
                throw_input(file, where + ": shape " + jshape.dump() + " overflows element count");
            }
        }
        std::uint64_t expected_bytes = 0;
        if (__builtin_mul_overflow(numel, std::uint64_t{dtype_size(*dtype)}, &expected_bytes)) {
            throw_input(file, where + ": shape " + jshape.dump() + " overflows byte size");
        }

        if (!joffsets.is_array() || joffsets.size() != 2 || !as_non_negative(joffsets[0]) ||
            !as_non_negative(joffsets[1])) {
            throw_input(file, where + ": data_offsets must be two non-negative integers (got " +
                                  joffsets.dump() + ")");
        }
        const std::uint64_t begin = *as_non_negative(joffsets[0]);
        const std::uint64_t end = *as_non_negative(joffsets[1]);
        if (begin > end) {
            throw_input(file, where + ": data_offsets begin " + std::to_string(begin) +
                                  " is after end " + std::to_string(end));
        }
        if (end > data_size) {
            throw_input(file, where + ": data_offsets " + joffsets.dump() +
                                  " run past the data section (" + std::to_string(data_size) +
                                  " bytes; truncated or out of range)");
        }
        if (end - begin != expected_bytes) {
            throw_input(file, where + ": byte size mismatch: shape " + shape_to_string(tv.shape) +
                                  " x " + dtype_name + " needs " + std::to_string(expected_bytes) +
                                  " bytes but data_offsets span " + std::to_string(end - begin));
        }
        tv.data = base + data_start + begin;
        tv.nbytes = static_cast<std::size_t>(expected_bytes);
        auto [it, inserted] = sf->tensors_.emplace(name, std::move(tv));
        if (!inserted) throw_input(file, "duplicate tensor name " + in_quotes(name));
        spans.push_back({begin, end, &it->first});
    }

    // Empty ranges own no bytes, so only non-empty tensors can collide.
    std::sort(spans.begin(), spans.end(), [](const Span& a, const Span& b) {
        return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
    });
    const Span* reach = nullptr;  // the non-empty span ending furthest so far
    for (const Span& s : spans) {
        if (s.begin == s.end) continue;
        if (reach && s.begin < reach->end) {
            throw_input(file, "tensors " + *reach->name + " and " + *s.name + " overlap (bytes [" +
                                  std::to_string(reach->begin) + ", " + std::to_string(reach->end) +
                                  ") and [" + std::to_string(s.begin) + ", " +
                                  std::to_string(s.end) + "))");
        }
        if (!reach || s.end > reach->end) reach = &s;
    }
    return sf;
}

SafetensorsFile::~SafetensorsFile() {
    if (map_) ::munmap(map_, map_size_);
}

namespace {

bool has_extension(const fs::path& p, std::initializer_list<std::string_view> exts) {
    const std::string ext = p.extension().string();
    return std::any_of(exts.begin(), exts.end(), [&](std::string_view e) { return ext == e; });
}

// Shard names come from a JSON file; anything but a bare file name could reach outside the folder.
bool is_plain_file_name(const std::string& name) {
    return !name.empty() && name != "." && name != ".." &&
           name.find_first_of(std::string_view("/\\\0", 3)) == std::string::npos;
}

std::vector<fs::path> regular_files(const fs::path& dir) {
    std::vector<fs::path> out;
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        std::error_code ec2;
        if (it->is_regular_file(ec2)) out.push_back(it->path());
    }
    if (ec) throw_input(dir.string(), "cannot list folder: " + ec.message());
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace

WeightStore WeightStore::open_dir(const fs::path& dir) {
    const std::string d = dir.string();
    std::error_code ec;
    if (!fs::exists(dir, ec)) throw_input(d, "model folder does not exist");
    if (!fs::is_directory(dir, ec)) throw_input(d, "not a folder");

    WeightStore store;
    store.dir_ = dir;
    // Files are added one by one so a name seen twice is reported with both of its files.
    auto add_file = [&](const fs::path& p) -> const SafetensorsFile& {
        std::shared_ptr<SafetensorsFile> f = SafetensorsFile::open(p);
        for (const auto& [name, tv] : f->tensors()) {
            auto [it, inserted] = store.index_.emplace(name, &tv);
            if (!inserted) {
                throw_input(d, "tensor " + name + " appears in both " +
                                   it->second->file.filename().string() + " and " +
                                   p.filename().string());
            }
        }
        store.files_.push_back(std::move(f));
        return *store.files_.back();
    };

    const fs::path index_path = dir / kIndexName;
    if (fs::exists(index_path, ec)) {
        const std::string ip = index_path.string();
        const json index = read_json_file(index_path);
        if (!index.is_object()) throw_input(ip, "index is not a JSON object");
        if (!index.contains("weight_map")) throw_input(ip, "missing \"weight_map\"");
        const json& wm = index.at("weight_map");
        if (!wm.is_object()) throw_input(ip, "\"weight_map\" is not an object");
        std::map<std::string, std::vector<std::string>> by_shard;
        for (const auto& [name, shard] : wm.items()) {
            if (!shard.is_string()) {
                throw_input(ip, "weight_map: tensor " + name + ": shard is not a string");
            }
            const auto& s = shard.get_ref<const std::string&>();
            if (!is_plain_file_name(s)) {
                throw_input(ip, "weight_map: tensor " + name + ": shard " + in_quotes(s) +
                                    " is not a plain file name inside the folder");
            }
            by_shard[s].push_back(name);
        }
        if (by_shard.empty()) throw_input(ip, "\"weight_map\" is empty");
        for (const auto& [shard, names] : by_shard) {
            const SafetensorsFile& f = add_file(dir / shard);
            for (const auto& name : names) {
                if (!f.tensors().count(name)) {
                    throw_input(ip, "tensor " + name + " is mapped to shard " + shard +
                                        " but is missing from it");
                }
            }
        }
        return store;
    }

    const fs::path single = dir / "model.safetensors";
    if (fs::exists(single, ec)) {
        add_file(single);
        return store;
    }

    std::vector<fs::path> shards;
    std::vector<std::string> pickles;
    for (const auto& p : regular_files(dir)) {
        if (p.extension() == ".safetensors") shards.push_back(p);
        if (has_extension(p, {".bin", ".pt", ".pth", ".ckpt"})) {
            pickles.push_back(p.filename().string());
        }
    }
    if (!shards.empty()) {
        for (const auto& p : shards) add_file(p);
        return store;
    }
    if (!pickles.empty()) {
        std::string list;
        for (std::size_t i = 0; i < pickles.size() && i < 4; ++i)
            list += (i ? ", " : "") + pickles[i];
        if (pickles.size() > 4) list += ", ...";
        throw_input(d, "only PyTorch pickle checkpoints found (" + list +
                           "); refusing to load them because unpickling executes code — "
                           "convert to safetensors");
    }
    throw_input(d, "no model.safetensors or model.safetensors.index.json");
}

bool WeightStore::contains(const std::string& name) const {
    return index_.count(name) != 0;
}

const TensorView* WeightStore::find(const std::string& name) const {
    auto it = index_.find(name);
    return it == index_.end() ? nullptr : it->second;
}

const TensorView& WeightStore::require(const std::string& name) const {
    const TensorView* tv = find(name);
    if (!tv) throw_input(dir_.string(), "tensor " + name + " missing");
    return *tv;
}

const TensorView& WeightStore::require(const std::string& name,
                                       const std::vector<std::int64_t>& shape) const {
    const TensorView& tv = require(name);
    if (tv.shape != shape) {
        throw_mismatch(tv.file.string(), "tensor " + name, "shape " + shape_to_string(shape),
                       shape_to_string(tv.shape));
    }
    return tv;
}

std::vector<std::string> WeightStore::names() const {
    std::vector<std::string> out;
    out.reserve(index_.size());
    for (const auto& [name, tv] : index_) out.push_back(name);
    return out;
}

std::size_t WeightStore::total_bytes() const {
    std::size_t total = 0;
    for (const auto& [name, tv] : index_) total += tv->nbytes;
    return total;
}

}  // namespace hace::model
