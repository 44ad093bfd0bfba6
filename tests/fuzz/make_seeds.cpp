// hace_fuzz_seeds SHARED_DATA SOURCE_DIR OUT: writes the seed corpus of every fuzz target into
// OUT/<target>/, derived from the shared data folder and the repository's resources/ at run time
// (nothing large is committed). Real files are trimmed so that an input stays a few KiB, which
// keeps each execution cheap: tokenizers to their first few hundred ids and the merges among
// them, safetensors files to tiny shapes with the real names, dtypes and metadata, head-score
// files to 2 layers x 4 heads, LongBench records to a short context.
#include <cstdint>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/core/dtype.h"
#include "engine/eval/metrics/scorer.h"
#include "engine/eval/tasks/minilongbench_import.h"
#include "engine/runner/result_store.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using nlohmann::ordered_json;

fs::path g_out;
int g_written = 0;

std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

void write_seed(const std::string& target, const std::string& name, const std::string& bytes) {
    const fs::path dir = g_out / target;
    fs::create_directories(dir);
    std::ofstream(dir / name, std::ios::binary) << bytes;
    ++g_written;
}

// Folders holding a model: the goldens, the shared models and the bundled ones.
std::vector<fs::path> model_dirs(const fs::path& data, const fs::path& source) {
    std::vector<fs::path> out;
    for (const fs::path parent :
         {data / "arch-goldens", data / "models", source / "resources" / "models"}) {
        if (!fs::is_directory(parent)) continue;
        for (const auto& e : fs::directory_iterator(parent)) {
            if (e.is_directory()) out.push_back(e.path());
        }
    }
    return out;
}

std::string seed_name(const fs::path& dir) {
    return dir.parent_path().filename().string() + "_" + dir.filename().string();
}

// The first 8 bytes (little-endian header length) and the header JSON of a real file, with
// every tensor shrunk to at most 2 elements per dimension and packed back to back.
void safetensors_seeds(const std::vector<fs::path>& dirs) {
    for (const auto& dir : dirs) {
        const fs::path file = dir / "model.safetensors";
        if (!fs::is_regular_file(file)) continue;
        const std::string bytes = read_file(file);
        if (bytes.size() < 8) continue;
        std::uint64_t len = 0;
        for (int i = 7; i >= 0; --i) len = (len << 8) | static_cast<unsigned char>(bytes[i]);
        if (len > bytes.size() - 8) continue;
        ordered_json header = ordered_json::parse(bytes.substr(8, len));
        std::uint64_t offset = 0;
        for (auto& [name, entry] : header.items()) {
            if (name == "__metadata__") continue;
            const auto dtype = hace::dtype_from_safetensors(entry.at("dtype").get<std::string>());
            std::uint64_t numel = 1;
            for (auto& d : entry.at("shape")) {
                d = std::min<std::int64_t>(d.get<std::int64_t>(), 2);
                numel *= d.get<std::uint64_t>();
            }
            const std::uint64_t n = numel * (dtype ? hace::dtype_size(*dtype) : 4);
            entry["data_offsets"] = {offset, offset + n};
            offset += n;
        }
        const std::string text = header.dump();
        std::string out(8, '\0');
        for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((text.size() >> (8 * i)) & 0xFF);
        out += text;
        out.append(offset, '\x01');
        write_seed("safetensors", seed_name(dir), out);
    }
}

void config_seeds(const std::vector<fs::path>& dirs) {
    for (const auto& dir : dirs) {
        if (fs::is_regular_file(dir / "config.json")) {
            write_seed("model_config", seed_name(dir), read_file(dir / "config.json"));
        }
    }
}

// A vocabulary cut to ids below `keep`, and the merges whose two halves and result survive.
struct Trimmed {
    json vocab = json::object();
    json merges = json::array();
};

Trimmed trim_bpe(const json& vocab, const json& merges, std::int64_t keep) {
    Trimmed t;
    for (const auto& [token, id] : vocab.items()) {
        if (id.get<std::int64_t>() < keep) t.vocab[token] = id;
    }
    for (const auto& m : merges) {
        std::string a, b;
        if (m.is_string()) {
            const auto s = m.get<std::string>();
            const auto space = s.find(' ');
            if (space == std::string::npos) continue;
            a = s.substr(0, space);
            b = s.substr(space + 1);
        } else {
            a = m.at(0).get<std::string>();
            b = m.at(1).get<std::string>();
        }
        if (t.vocab.contains(a) && t.vocab.contains(b) && t.vocab.contains(a + b)) {
            t.merges.push_back(m);
        }
    }
    return t;
}

void tokenizer_json_seeds(const fs::path& data) {
    for (const char* name : {"mistral-v0.1", "qwen3"}) {
        const fs::path dir = data / "tokenizers" / name;
        if (!fs::is_regular_file(dir / "tokenizer.json")) continue;
        json tok = json::parse(read_file(dir / "tokenizer.json"));
        auto& model = tok["model"];
        const Trimmed t = trim_bpe(model["vocab"], model["merges"], 700);
        model["vocab"] = t.vocab;
        model["merges"] = t.merges;
        const std::string text = tok.dump(1);
        write_seed("tokenizer_json", name, text);
        if (fs::is_regular_file(dir / "tokenizer_config.json")) {
            write_seed("tokenizer_json", std::string(name) + "_with_config",
                       text + '\0' + read_file(dir / "tokenizer_config.json"));
        }
    }
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
}

// GPT-2's byte-level alphabet: printable Latin-1 bytes stand for themselves, the others for
// U+0100 upwards in byte order. Returns the byte each code point stands for.
std::map<std::uint32_t, unsigned char> byte_level_inverse() {
    std::map<std::uint32_t, unsigned char> inv;
    std::uint32_t next = 256;
    for (int b = 0; b < 256; ++b) {
        const bool printable = (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || b >= 0xAE;
        inv[printable ? static_cast<std::uint32_t>(b) : next++] = static_cast<unsigned char>(b);
    }
    return inv;
}

// UTF-8 byte-level text back to raw bytes; false when a code point is not in the alphabet.
bool byte_level_to_bytes(const std::string& s, std::string& out) {
    static const auto inv = byte_level_inverse();
    out.clear();
    for (std::size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        std::uint32_t cp = c;
        std::size_t n = 1;
        if (c >= 0xC0 && c < 0xE0 && i + 1 < s.size()) {
            cp = ((c & 0x1Fu) << 6) | (static_cast<unsigned char>(s[i + 1]) & 0x3Fu);
            n = 2;
        } else if (c >= 0x80) {
            return false;
        }
        const auto it = inv.find(cp);
        if (it == inv.end()) return false;
        out += static_cast<char>(it->second);
        i += n;
    }
    return true;
}

std::string base64(const std::string& bytes) {
    static const char* kAlphabet =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    std::size_t i = 0;
    for (; i + 2 < bytes.size(); i += 3) {
        const std::uint32_t v = (static_cast<unsigned char>(bytes[i]) << 16) |
                                (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                                static_cast<unsigned char>(bytes[i + 2]);
        for (int k = 3; k >= 0; --k) out += kAlphabet[(v >> (6 * k)) & 63];
    }
    const std::size_t rest = bytes.size() - i;
    if (rest > 0) {
        std::uint32_t v = static_cast<unsigned char>(bytes[i]) << 16;
        if (rest == 2) v |= static_cast<unsigned char>(bytes[i + 1]) << 8;
        out += kAlphabet[(v >> 18) & 63];
        out += kAlphabet[(v >> 12) & 63];
        out += rest == 2 ? kAlphabet[(v >> 6) & 63] : '=';
        out += '=';
    }
    return out;
}

void vocab_merges_seeds(const fs::path& data) {
    for (const char* name : {"gpt2", "opt", "qwen3"}) {
        const fs::path dir = data / "tokenizers" / name;
        if (!fs::is_regular_file(dir / "vocab.json") || !fs::is_regular_file(dir / "merges.txt")) {
            continue;
        }
        const json vocab = json::parse(read_file(dir / "vocab.json"));
        json merges = json::array();
        std::string header;
        for (const auto& line : lines_of(read_file(dir / "merges.txt"))) {
            if (line.starts_with("#version")) {
                header = line + "\n";
            } else if (!line.empty()) {
                merges.push_back(line);
            }
        }
        const Trimmed t = trim_bpe(vocab, merges, 700);
        std::string merges_text = header;
        for (const auto& m : t.merges) merges_text += m.get<std::string>() + "\n";
        std::string seed = t.vocab.dump() + '\0' + merges_text;
        write_seed("vocab_merges", name, seed);
        if (fs::is_regular_file(dir / "tokenizer_config.json")) {
            write_seed("vocab_merges", std::string(name) + "_with_config",
                       seed + '\0' + read_file(dir / "tokenizer_config.json"));
        }
        if (std::string(name) != "gpt2") continue;
        // Qwen v1's tiktoken file: the same byte-level pieces as raw bytes, ranked by id.
        std::map<std::int64_t, std::string> by_rank;
        for (const auto& [token, id] : t.vocab.items()) {
            std::string bytes;
            if (byte_level_to_bytes(token, bytes)) by_rank[id.get<std::int64_t>()] = bytes;
        }
        std::string tiktoken;
        std::int64_t rank = 0;
        for (const auto& [id, bytes] : by_rank) {
            tiktoken += base64(bytes) + " " + std::to_string(rank++) + "\n";
        }
        write_seed("qwen_tiktoken", "from_gpt2", tiktoken);
    }
}

void spm_seeds(const std::vector<fs::path>& dirs) {
    for (const auto& dir : dirs) {
        const fs::path file = dir / "tokenizer.model";
        if (fs::is_regular_file(file) && fs::file_size(file) < 64 * 1024) {
            write_seed("spm_model", seed_name(dir), read_file(file));
            write_seed("spm_native", seed_name(dir), read_file(file));
        }
    }
}

void sweep_seeds(const fs::path& source) {
    const fs::path examples = source / "resources" / "examples";
    if (!fs::is_directory(examples)) return;
    for (const auto& e : fs::directory_iterator(examples)) {
        if (e.path().extension() != ".json") continue;
        const std::string text = read_file(e.path());
        write_seed("sweep_spec", e.path().stem().string(), text);
        // One task at a time and a smaller grid, so that more seeds validate and plan quickly.
        json spec = json::parse(text);
        if (!spec.contains("tasks") || !spec["tasks"].is_array()) continue;
        const json tasks = spec["tasks"];
        for (std::size_t i = 0; i < tasks.size(); ++i) {
            json one = spec;
            one["tasks"] = json::array({tasks[i]});
            one["retentions"] = json::array({0.1});
            one["context_lengths"] = json::array({512});
            write_seed("sweep_spec", e.path().stem().string() + "_task" + std::to_string(i),
                       one.dump(1));
        }
    }
}

void head_score_seeds(const fs::path& data, const std::vector<fs::path>& dirs) {
    std::vector<fs::path> files;
    for (const auto& dir : dirs) {
        for (const auto& e : fs::directory_iterator(dir)) {
            if (e.path().filename().string().starts_with("head_scores") &&
                e.path().extension() == ".json" &&
                e.path().filename().string().find(".stats") == std::string::npos) {
                files.push_back(e.path());
            }
        }
    }
    const fs::path headkv = data / "head_scores" / "headkv";
    if (fs::is_directory(headkv)) {
        for (const auto& e : fs::directory_iterator(headkv)) files.push_back(e.path());
    }
    for (const auto& file : files) {
        const json all = json::parse(read_file(file));
        ordered_json small = ordered_json::object();
        for (int l = 0; l < 2; ++l) {
            for (int h = 0; h < 4; ++h) {
                const std::string key = std::to_string(l) + "-" + std::to_string(h);
                if (!all.contains(key)) continue;
                json trials = json::array();
                for (const auto& v : all[key]) {
                    if (trials.size() == 4) break;
                    trials.push_back(v);
                }
                small[key] = trials;
            }
        }
        write_seed("head_scores", file.stem().string(), small.dump());
    }
}

// The first `n` code points of s (whole UTF-8 sequences only).
std::string utf8_prefix(const std::string& s, std::size_t n) {
    std::size_t i = 0;
    for (std::size_t count = 0; i < s.size() && count < n; ++count) {
        const auto c = static_cast<unsigned char>(s[i]);
        i += c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    }
    return s.substr(0, std::min(i, s.size()));
}

void longbench_seeds(const fs::path& data) {
    const fs::path dir = data / "longbench";
    if (!fs::is_directory(dir)) return;
    for (const auto& e : fs::directory_iterator(dir)) {
        if (e.path().extension() != ".jsonl") continue;
        std::ifstream in(e.path(), std::ios::binary);
        std::string all;
        std::string line;
        for (int i = 0; i < 3 && std::getline(in, line); ++i) {
            json record = json::parse(line);
            record["context"] = utf8_prefix(record["context"].get<std::string>(), 300);
            const std::string text = record.dump();
            write_seed("longbench_jsonl", e.path().stem().string() + "_" + std::to_string(i),
                       text + "\n");
            all += text + "\n";
        }
        write_seed("longbench_jsonl", e.path().stem().string() + "_all", all);
    }

    const auto& layouts = hace::tasks::opencompass_layouts();
    const fs::path mini = dir / "minilongbench_examples";
    if (!fs::is_directory(mini)) return;
    for (const auto& e : fs::directory_iterator(mini)) {
        const auto file = hace::tasks::import_minilongbench(e.path());
        for (std::size_t k = 0; k < layouts.size(); ++k) {
            const auto& layout = layouts[k];
            ordered_json dump = ordered_json::object();
            int n = 0;
            for (const auto& s : file.samples) {
                if (s.dataset != layout.dataset || n == 2) continue;
                dump[std::to_string(n++)] = {
                    {"origin_prompt", layout.prefix + utf8_prefix(s.context, 300) + layout.middle +
                                          s.input + layout.suffix},
                    {"prediction", "unused"},
                    {"gold", s.answers}};
            }
            if (n == 0) continue;
            write_seed("minilongbench", e.path().stem().string(),
                       std::string(1, static_cast<char>(k)) + dump.dump(1));
        }
    }
}

void score_seeds(const fs::path& data) {
    const fs::path file = data / "scorer-vectors" / "longbench_scores.jsonl";
    if (!fs::is_regular_file(file)) return;
    const auto lines = lines_of(read_file(file));
    const auto metric_count = hace::metrics::all_metrics().size();
    for (std::size_t chunk = 0; chunk * 4 < lines.size() && chunk < 12; ++chunk) {
        std::string seed(1, static_cast<char>(chunk % metric_count));
        for (std::size_t i = chunk * 4; i < std::min(lines.size(), chunk * 4 + 4); ++i) {
            const json j = json::parse(lines[i]);
            seed += json{{"prediction", j["prediction"]}, {"answers", j["answers"]}}.dump() + "\n";
        }
        write_seed("score_jsonl", "chunk" + std::to_string(chunk), seed);
    }
}

// A small but complete results database written by the store itself.
void results_db_seeds() {
    namespace runner = hace::runner;
    const fs::path work = g_out / "results_db.work";
    fs::remove_all(work);
    fs::create_directories(work);
    const fs::path db = work / "seed.sqlite";
    {
        runner::ResultStore store = runner::ResultStore::open(db);
        const auto sweep = store.register_sweep("seed", json{{"name", "seed"}});
        const auto run = store.start_run(sweep, json{{"host", "seed"}, {"threads", 1}});
        const auto keys = store.add_cells(
            sweep,
            {{json{{"method", "snapkv"}, {"retention", 0.1}}, 2}, {json{{"method", "full"}}, 1}});
        runner::SampleResult s;
        s.cell_hash = keys[0];
        s.sample_id = "needle-0";
        s.run_id = run;
        s.prediction = "48213";
        s.references = {"48213"};
        s.metrics = {{"keyword_recall", 1.0}};
        s.prompt_tokens = 512;
        s.output_tokens = 4;
        s.retention_nominal = 0.1;
        s.layer_stats = {{0, "budget", 51.0}};
        s.head_stats = {{0, 1, "kept", 40.0}};
        store.write_sample(s);
        store.mark_cell_done(keys[0]);
        store.mark_cell_failed(keys[1], "out of memory");
    }
    const std::string bytes = read_file(db);
    write_seed("results_db", "writing", std::string(1, '\0') + bytes);
    write_seed("results_db", "reading", std::string(1, '\1') + bytes);
    fs::remove_all(work);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 4) {
        std::fprintf(stderr, "usage: hace_fuzz_seeds SHARED_DATA SOURCE_DIR OUT\n");
        return 2;
    }
    const fs::path data = argv[1];
    const fs::path source = argv[2];
    g_out = argv[3];
    try {
        const auto dirs = model_dirs(data, source);
        safetensors_seeds(dirs);
        config_seeds(dirs);
        tokenizer_json_seeds(data);
        vocab_merges_seeds(data);
        spm_seeds(dirs);
        sweep_seeds(source);
        head_score_seeds(data, dirs);
        longbench_seeds(data);
        score_seeds(data);
        results_db_seeds();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "hace_fuzz_seeds: %s\n", e.what());
        return 1;
    }
    std::printf("hace_fuzz_seeds: %d seeds in %s\n", g_written, g_out.c_str());
    return 0;
}
