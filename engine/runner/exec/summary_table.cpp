#include "engine/runner/exec/summary_table.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <optional>

namespace hace::runner {
namespace {

struct Block {
    std::string model;
    std::optional<std::int64_t> context;
    std::vector<std::string> rows, tasks;  // first-appearance (plan) order
    std::map<std::pair<std::string, std::string>, std::string> entries;  // (row, task) -> text
};

std::string fixed(double v, int digits) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "%.*f", digits, v);
    return buf;
}

// "0.05", "0.1", "0.3": as written in a spec, not as 0.050000.
std::string retention_text(double r) {
    std::string s = fixed(r, 6);
    while (s.size() > 1 && s.back() == '0') s.pop_back();
    if (!s.empty() && s.back() == '.') s.pop_back();
    return s;
}

std::string row_label(const CellSummary& c) {
    std::string m = c.method_name.empty() ? (c.method.empty() ? c.task : c.method) : c.method_name;
    if (c.mode == "faithful") m += " (faithful)";
    return m + "\t" + (c.retention ? retention_text(*c.retention) : std::string("-"));
}

std::string entry(const CellSummary& c, const std::string& metric) {
    if (c.status == "failed") return "failed";
    const auto it = c.metric_means.find(metric);
    if (it == c.metric_means.end()) {
        return c.samples == 0 ? std::string("-") : "- [" + std::to_string(c.samples) + "]";
    }
    return fixed(it->second, 1) + " [" + std::to_string(c.samples) + "]";
}

void add_unique(std::vector<std::string>& list, const std::string& s) {
    if (std::find(list.begin(), list.end(), s) == list.end()) list.push_back(s);
}

std::string pad(const std::string& s, std::size_t width) {
    return s.size() >= width ? s : s + std::string(width - s.size(), ' ');
}

}  // namespace

std::string summary_text(const std::vector<CellSummary>& cells, const std::string& metric,
                         const std::string& source) {
    std::vector<Block> blocks;
    std::int64_t samples = 0;
    for (const auto& c : cells) {
        samples += c.samples;
        auto b = std::find_if(blocks.begin(), blocks.end(), [&](const Block& x) {
            return x.model == c.model && x.context == c.context_length;
        });
        if (b == blocks.end()) {
            blocks.push_back({c.model, c.context_length, {}, {}, {}});
            b = blocks.end() - 1;
        }
        const std::string row = row_label(c);
        add_unique(b->rows, row);
        add_unique(b->tasks, c.task);
        b->entries[{row, c.task}] = entry(c, metric);
    }
    std::string out = source + ": " + std::to_string(cells.size()) + " cells, " +
                      std::to_string(samples) + " samples; each entry: mean " + metric +
                      " [samples]\n";
    for (const Block& b : blocks) {
        out += "\nmodel " + b.model + ", " +
               (b.context ? "context " + std::to_string(*b.context) + " tokens"
                          : std::string("no context axis")) +
               "\n";
        // Columns: method, retention, then one per task; widths from the longest entry.
        std::vector<std::string> head = {"method", "retention"};
        head.insert(head.end(), b.tasks.begin(), b.tasks.end());
        std::vector<std::vector<std::string>> lines;
        for (const auto& row : b.rows) {
            const auto tab = row.find('\t');
            std::vector<std::string> line = {row.substr(0, tab), row.substr(tab + 1)};
            for (const auto& t : b.tasks) {
                const auto it = b.entries.find({row, t});
                line.push_back(it == b.entries.end() ? std::string() : it->second);
            }
            lines.push_back(std::move(line));
        }
        std::vector<std::size_t> width(head.size());
        for (std::size_t i = 0; i < head.size(); ++i) {
            width[i] = head[i].size();
            for (const auto& l : lines) width[i] = std::max(width[i], l[i].size());
        }
        const auto emit = [&](const std::vector<std::string>& l) {
            std::string text;
            for (std::size_t i = 0; i < l.size(); ++i) {
                text += i + 1 < l.size() ? pad(l[i], width[i] + 2) : l[i];
            }
            while (!text.empty() && text.back() == ' ') text.pop_back();
            out += "  " + text + "\n";
        };
        emit(head);
        for (const auto& l : lines) emit(l);
    }
    if (cells.empty()) out += "(no cells stored yet)\n";
    return out;
}

}  // namespace hace::runner
