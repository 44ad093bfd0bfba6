#include "engine/kv/head_scores.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

#include <nlohmann/json.hpp>

#include "engine/core/error.h"
#include "engine/core/json_io.h"

namespace hace::kv {
namespace {

using Cell = std::pair<std::int64_t, std::int64_t>;  // (layer, query head)

std::string key_label(std::string_view key) {
    std::string s = "key \"";
    s.append(key);
    s.append("\"");
    return s;
}

std::string cell_key(std::int64_t layer, std::int64_t head) {
    std::string s = std::to_string(layer);
    s.append("-");
    s.append(std::to_string(head));
    return s;
}

std::string number_text(double v) {
    char buf[64];
    const auto r = std::to_chars(buf, buf + sizeof buf, v);
    return std::string(buf, r.ptr);
}

// A run of decimal digits that fits in int64; anything else (signs, spaces, empty) is refused.
std::optional<std::int64_t> parse_index(std::string_view s) {
    if (s.empty()) return std::nullopt;
    for (char c : s)
        if (c < '0' || c > '9') return std::nullopt;
    std::int64_t v = 0;
    const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
    if (r.ec != std::errc{} || r.ptr != s.data() + s.size()) return std::nullopt;
    return v;
}

std::optional<Cell> parse_key(std::string_view key) {
    const auto dash = key.find('-');
    if (dash == std::string_view::npos) return std::nullopt;
    const auto layer = parse_index(key.substr(0, dash));
    const auto head = parse_index(key.substr(dash + 1));
    if (!layer || !head) return std::nullopt;
    return Cell{*layer, *head};
}

std::vector<double> parse_trials(const std::string& file, const std::string& key,
                                 const nlohmann::json& value) {
    if (!value.is_array()) {
        std::string msg = key_label(key);
        msg.append(": expected a list of per-trial scores, got ");
        msg.append(json_type_name(value));
        throw_input(file, msg);
    }
    // An empty list has no mean; the official loader would silently produce NaN budgets here.
    if (value.empty()) {
        std::string msg = key_label(key);
        msg.append(": empty list of trial scores (a head needs at least one trial)");
        throw_input(file, msg);
    }
    std::vector<double> out;
    out.reserve(value.size());
    for (std::size_t i = 0; i < value.size(); ++i) {
        const auto& x = value[i];
        if (!x.is_number()) {
            std::string msg = key_label(key);
            msg.append(": trial ");
            msg.append(std::to_string(i));
            msg.append(" is a ");
            msg.append(json_type_name(x));
            msg.append(", expected a number");
            throw_input(file, msg);
        }
        const double v = x.get<double>();
        if (!std::isfinite(v) || v < 0.0) {
            std::string msg = key_label(key);
            msg.append(": trial ");
            msg.append(std::to_string(i));
            msg.append(" is ");
            msg.append(number_text(v));
            msg.append(" (scores must be finite and non-negative)");
            throw_input(file, msg);
        }
        out.push_back(v);
    }
    return out;
}

double mean_of(const std::vector<double>& v) {
    double s = 0.0;
    for (double x : v) s += x;
    return s / static_cast<double>(v.size());
}

}  // namespace

HeadScoreFile load_head_score_file(const std::filesystem::path& path) {
    const std::string file = path.string();
    std::ifstream in(path, std::ios::binary);
    if (!in) throw_input(file, "cannot open file");
    std::stringstream buf;
    buf << in.rdbuf();

    // nlohmann keeps only the last of repeated keys, so repeats must be caught while parsing.
    std::set<std::string> seen;
    std::optional<std::string> repeated;
    const nlohmann::json::parser_callback_t on_event =
        [&](int depth, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
            if (depth == 1 && event == nlohmann::json::parse_event_t::key && !repeated) {
                const auto& k = parsed.get_ref<const std::string&>();
                if (!seen.insert(k).second) repeated = k;
            }
            return true;
        };
    nlohmann::json doc;
    try {
        doc = nlohmann::json::parse(buf.str(), on_event);
    } catch (const nlohmann::json::exception& e) {
        // parse_error for syntax, out_of_range for numbers that overflow a double.
        std::string msg = "malformed JSON (";
        msg.append(e.what());
        msg.append(")");
        throw_input(file, msg);
    }
    if (repeated) throw_input(file, key_label(*repeated).append(": appears more than once"));
    if (!doc.is_object()) {
        std::string msg = "expected a JSON object keyed \"<layer>-<head>\", got ";
        msg.append(json_type_name(doc));
        throw_input(file, msg);
    }
    if (doc.empty()) throw_input(file, "no head scores (empty object)");

    // Explicit keys, ordered by (layer, head): the file's own order carries no meaning here.
    std::map<Cell, std::pair<std::string, std::vector<double>>> cells;
    for (const auto& [key, value] : doc.items()) {
        const auto cell = parse_key(key);
        if (!cell) {
            throw_input(file, key_label(key).append(": not of the form \"<layer>-<head>\" with "
                                                    "non-negative integers"));
        }
        auto trials = parse_trials(file, key, value);
        const auto [it, inserted] = cells.try_emplace(*cell, key, std::move(trials));
        if (!inserted) {
            // Different spellings of one head, e.g. "3-1" and "03-1".
            std::string msg = key_label(key);
            msg.append(": same head as key \"");
            msg.append(it->second.first);
            msg.append("\"");
            throw_input(file, msg);
        }
    }

    std::int64_t layers = 0;
    std::int64_t q_heads = 0;
    for (const auto& entry : cells) {
        layers = std::max(layers, entry.first.first + 1);
        q_heads = std::max(q_heads, entry.first.second + 1);
    }
    // Walk the sorted cells against the full grid; the first gap is the missing key. Checked
    // before allocating so that a stray huge index cannot make us allocate a huge grid.
    const auto n = static_cast<std::int64_t>(cells.size());
    const bool complete = layers <= n / q_heads && layers * q_heads == n;
    if (!complete) {
        std::int64_t pos = 0;
        for (const auto& entry : cells) {
            const Cell expected{pos / q_heads, pos % q_heads};
            if (entry.first != expected) break;
            ++pos;
        }
        std::string msg = key_label(cell_key(pos / q_heads, pos % q_heads));
        msg.append(": missing (the grid is ");
        msg.append(std::to_string(layers));
        msg.append(" layers x ");
        msg.append(std::to_string(q_heads));
        msg.append(" heads from the largest indices)");
        throw_input(file, msg);
    }

    HeadScoreFile f;
    f.path = path;
    f.layers = layers;
    f.q_heads = q_heads;
    f.trials.assign(static_cast<std::size_t>(layers),
                    std::vector<std::vector<double>>(static_cast<std::size_t>(q_heads)));
    f.mean.assign(static_cast<std::size_t>(layers),
                  std::vector<double>(static_cast<std::size_t>(q_heads), 0.0));
    for (auto& [cell, entry] : cells) {
        const auto l = static_cast<std::size_t>(cell.first);
        const auto h = static_cast<std::size_t>(cell.second);
        f.mean[l][h] = mean_of(entry.second);
        f.trials[l][h] = std::move(entry.second);
    }
    return f;
}

std::vector<std::vector<double>> kv_head_scores(const HeadScoreFile& f, std::int64_t model_layers,
                                                std::int64_t model_q_heads,
                                                std::int64_t model_kv_heads, double temperature) {
    const std::string file = f.path.string();
    if (f.layers != model_layers) {
        throw_mismatch(file, "layers", std::to_string(model_layers), std::to_string(f.layers));
    }
    if (f.q_heads != model_q_heads) {
        throw_mismatch(file, "query heads", std::to_string(model_q_heads),
                       std::to_string(f.q_heads));
    }
    if (model_kv_heads <= 0 || model_q_heads % model_kv_heads != 0) {
        std::string msg = "query heads (";
        msg.append(std::to_string(model_q_heads));
        msg.append(") are not a multiple of the model's KV heads (");
        msg.append(std::to_string(model_kv_heads));
        msg.append(")");
        throw_input(file, msg);
    }
    if (!(temperature > 0.0) || !std::isfinite(temperature)) {
        std::string msg = "head-score temperature must be finite and > 0, got ";
        msg.append(number_text(temperature));
        throw_input(file, msg);
    }

    if (static_cast<std::int64_t>(f.mean.size()) != f.layers) {
        throw_input(file, "head-score means do not match the file's layer count");
    }
    for (const auto& row : f.mean) {
        if (static_cast<std::int64_t>(row.size()) != f.q_heads) {
            throw_input(file, "head-score means do not match the file's head count");
        }
    }

    const auto layers = static_cast<std::size_t>(model_layers);
    const auto kv_heads = static_cast<std::size_t>(model_kv_heads);
    const auto group = static_cast<std::size_t>(model_q_heads / model_kv_heads);
    std::vector<std::vector<double>> s(layers, std::vector<double>(kv_heads, 0.0));
    double total = 0.0;
    for (std::size_t l = 0; l < layers; ++l) {
        for (std::size_t h = 0; h < f.mean[l].size(); ++h) s[l][h / group] += f.mean[l][h];
        for (double x : s[l]) total += x;
    }
    if (!(total > 0.0)) throw_input(file, "all head scores are zero");
    for (auto& row : s)
        for (double& x : row) x /= total;

    // temp = 1 is the identity; skipping pow keeps the plain normalisation bit-exact.
    if (temperature != 1.0) {
        double sharpened = 0.0;
        for (auto& row : s) {
            for (double& x : row) {
                x = std::pow(x, temperature);
                sharpened += x;
            }
        }
        if (!(sharpened > 0.0) || !std::isfinite(sharpened)) {
            std::string msg = "head-score temperature ";
            msg.append(number_text(temperature));
            msg.append(" under- or overflows every score");
            throw_input(file, msg);
        }
        for (auto& row : s)
            for (double& x : row) x /= sharpened;
    }
    return s;
}

void write_head_score_file(const std::filesystem::path& path,
                           const std::vector<std::vector<std::vector<double>>>& trials) {
    const std::string file = path.string();
    if (trials.empty() || trials.front().empty()) throw_input(file, "no head scores to write");
    const std::size_t q_heads = trials.front().size();
    std::string out = "{";
    for (std::size_t l = 0; l < trials.size(); ++l) {
        if (trials[l].size() != q_heads) {
            std::string msg = "layer ";
            msg.append(std::to_string(l));
            msg.append(" has ");
            msg.append(std::to_string(trials[l].size()));
            msg.append(" heads, layer 0 has ");
            msg.append(std::to_string(q_heads));
            throw_input(file, msg);
        }
        for (std::size_t h = 0; h < q_heads; ++h) {
            const std::string key =
                cell_key(static_cast<std::int64_t>(l), static_cast<std::int64_t>(h));
            const auto& list = trials[l][h];
            if (list.empty())
                throw_input(file, key_label(key).append(": empty list of trial scores"));
            if (l != 0 || h != 0) out.append(", ");
            out.append("\"");
            out.append(key);
            out.append("\": [");
            for (std::size_t i = 0; i < list.size(); ++i) {
                if (!std::isfinite(list[i]) || list[i] < 0.0) {
                    std::string msg = key_label(key);
                    msg.append(": trial ");
                    msg.append(std::to_string(i));
                    msg.append(" is ");
                    msg.append(number_text(list[i]));
                    msg.append(" (scores must be finite and non-negative)");
                    throw_input(file, msg);
                }
                if (i != 0) out.append(", ");
                out.append(number_text(list[i]));
            }
            out.append("]");
        }
    }
    out.append("}\n");

    // Temp file + rename, as write_json_file does, so a reader never sees half a file.
    std::string tmp = file;
    tmp.append(".tmp");
    {
        std::ofstream os(tmp, std::ios::binary | std::ios::trunc);
        if (!os) throw_input(file, "cannot write file");
        os << out;
        if (!os) throw_input(file, "write failed");
    }
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec) throw_input(file, std::string("cannot move file into place: ").append(ec.message()));
}

HeadScoreStats head_score_stats(const HeadScoreFile& f) {
    HeadScoreStats st;
    st.mean.resize(f.trials.size());
    st.variance.resize(f.trials.size());
    st.cv.resize(f.trials.size());
    for (std::size_t l = 0; l < f.trials.size(); ++l) {
        for (const auto& list : f.trials[l]) {
            const double m = list.empty() ? 0.0 : mean_of(list);
            double var = 0.0;
            if (list.size() > 1) {
                for (double x : list) var += (x - m) * (x - m);
                var /= static_cast<double>(list.size() - 1);
            }
            st.mean[l].push_back(m);
            st.variance[l].push_back(var);
            st.cv[l].push_back(m > 0.0 ? std::sqrt(var) / m : 0.0);
        }
    }
    return st;
}

std::vector<std::vector<double>> query_head_scores(const HeadScoreFile& f, double temperature) {
    double sum = 0.0;
    for (const auto& layer : f.mean) {
        for (double m : layer) sum += std::pow(m, temperature);
    }
    std::vector<std::vector<double>> out;
    for (const auto& layer : f.mean) {
        std::vector<double> row;
        for (double m : layer) row.push_back(sum > 0 ? std::pow(m, temperature) / sum : 0.0);
        out.push_back(std::move(row));
    }
    return out;
}

}  // namespace hace::kv
