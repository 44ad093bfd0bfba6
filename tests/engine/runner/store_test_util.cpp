#include "tests/engine/runner/store_test_util.h"

#include <cmath>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <sqlite3.h>

namespace hace::runner::test {

using nlohmann::json;

void raw_exec(const std::filesystem::path& db, const std::string& sql) {
    sqlite3* h = nullptr;
    ASSERT_EQ(sqlite3_open(db.c_str(), &h), SQLITE_OK);
    char* err = nullptr;
    const int rc = sqlite3_exec(h, sql.c_str(), nullptr, nullptr, &err);
    EXPECT_EQ(rc, SQLITE_OK) << (err ? err : "") << " in " << sql;
    sqlite3_free(err);
    sqlite3_close(h);
}

std::string raw_query(const std::filesystem::path& db, const std::string& sql) {
    sqlite3* h = nullptr;
    std::string out;
    if (sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
        ADD_FAILURE() << "cannot open " << db;
        sqlite3_close(h);
        return out;
    }
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(h, sql.c_str(), -1, &s, nullptr) == SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW) {
        const auto* t = sqlite3_column_text(s, 0);
        out = t ? reinterpret_cast<const char*>(t) : "";
    } else {
        ADD_FAILURE() << sqlite3_errmsg(h) << " in " << sql;
    }
    sqlite3_finalize(s);
    sqlite3_close(h);
    return out;
}

std::string file_bytes(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

json cell_config(int i) {
    return {{"format", "test-cell"}, {"cell", i}, {"retention", 0.01 * (i + 1)}};
}

SampleResult make_sample(const std::string& cell, std::int64_t index) {
    SampleResult r;
    r.cell_hash = cell;
    r.sample_index = index;
    r.sample_id = "sample-" + std::to_string(index);
    r.prediction = "answer " + std::to_string(index * 7);
    r.references = {"ref " + std::to_string(index), "alt"};
    r.metrics = {{"qa_f1", 0.25 * double(index % 5)},
                 {"rouge_l", 1.0 / double(index + 2)},
                 {"em", double(index % 2)}};
    r.prompt_tokens = 1000 + index;
    r.output_tokens = 10 + index;
    r.prefill_ms = 12.5 + double(index);
    r.decode_ms = 3.25 * double(index + 1);
    r.total_ms = *r.prefill_ms + *r.decode_ms;
    r.peak_bytes = 1 << 20;
    r.kv_full_entries = 2 * 2 * r.prompt_tokens;
    r.kv_kept_entries = 2 * 2 * 20;
    r.kv_bytes = *r.kv_kept_entries * 2 * 8 * 4;
    r.retention_nominal = 0.02;
    r.retention_realised = double(*r.kv_kept_entries) / double(*r.kv_full_entries);
    r.extra = {{"truncated", index % 3 == 0}};
    for (std::int64_t l = 0; l < 2; ++l) {
        r.layer_stats.push_back({l, "budget", double(40 + l + index)});
        for (std::int64_t h = 0; h < 2; ++h) {
            r.head_stats.push_back({l, h, "budget", double(10 + l * 2 + h)});
            r.head_stats.push_back({l, h, "importance", 0.1 * double(l + h + index)});
        }
    }
    return r;
}

void expect_same_sample(const SampleResult& a, const SampleResult& b) {
    EXPECT_EQ(a.cell_hash, b.cell_hash);
    EXPECT_EQ(a.sample_index, b.sample_index);
    EXPECT_EQ(a.sample_id, b.sample_id);
    EXPECT_EQ(a.prediction, b.prediction);
    EXPECT_EQ(a.references, b.references);
    ASSERT_EQ(a.metrics.size(), b.metrics.size());
    for (const auto& [name, value] : a.metrics) {
        ASSERT_TRUE(b.metrics.count(name)) << name;
        if (std::isnan(value))
            EXPECT_TRUE(std::isnan(b.metrics.at(name))) << name;
        else
            EXPECT_EQ(value, b.metrics.at(name)) << name;
    }
    EXPECT_EQ(a.prompt_tokens, b.prompt_tokens);
    EXPECT_EQ(a.output_tokens, b.output_tokens);
    EXPECT_EQ(a.prefill_ms, b.prefill_ms);
    EXPECT_EQ(a.decode_ms, b.decode_ms);
    EXPECT_EQ(a.total_ms, b.total_ms);
    EXPECT_EQ(a.peak_bytes, b.peak_bytes);
    EXPECT_EQ(a.kv_bytes, b.kv_bytes);
    EXPECT_EQ(a.kv_full_entries, b.kv_full_entries);
    EXPECT_EQ(a.kv_kept_entries, b.kv_kept_entries);
    EXPECT_EQ(a.retention_nominal, b.retention_nominal);
    EXPECT_EQ(a.retention_realised, b.retention_realised);
    EXPECT_EQ(a.extra, b.extra);
    ASSERT_EQ(a.layer_stats.size(), b.layer_stats.size());
    for (std::size_t i = 0; i < a.layer_stats.size(); ++i) {
        EXPECT_EQ(a.layer_stats[i].layer, b.layer_stats[i].layer);
        EXPECT_EQ(a.layer_stats[i].name, b.layer_stats[i].name);
        EXPECT_EQ(a.layer_stats[i].value, b.layer_stats[i].value);
    }
    ASSERT_EQ(a.head_stats.size(), b.head_stats.size());
    for (std::size_t i = 0; i < a.head_stats.size(); ++i) {
        EXPECT_EQ(a.head_stats[i].layer, b.head_stats[i].layer);
        EXPECT_EQ(a.head_stats[i].head, b.head_stats[i].head);
        EXPECT_EQ(a.head_stats[i].name, b.head_stats[i].name);
        EXPECT_EQ(a.head_stats[i].value, b.head_stats[i].value);
    }
}

std::vector<std::string> add_test_cells(ResultStore& store, int n_cells, std::int64_t samples) {
    const std::int64_t sweep = store.register_sweep("test", {{"name", "test"}, {"cells", n_cells}});
    std::vector<CellRecord> cells;
    for (int i = 0; i < n_cells; ++i) cells.push_back({cell_config(i), samples});
    return store.add_cells(sweep, cells);
}

}  // namespace hace::runner::test
