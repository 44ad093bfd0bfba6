// The kept-token view and the HIV heatmaps from a real small run: a sweep on the bundled needle
// model with "store_kept" (SnapKV and CAKE at 10 % and at a 32-token budget, query-aware and
// query-agnostic) and the HIV test. The stored kept positions equal `hace compress --dump` for
// the same prompt; the figure data are recomputed by hand from the stored positions; the
// figures are written by the renderers and by `hace plot` in every format.
#include <algorithm>
#include <fstream>

#include <gtest/gtest.h>

#include <QBuffer>
#include <QFile>
#include <QImage>
#include <QPainter>
#include <QProcess>

#include "engine/core/json_io.h"
#include "engine/runner/exec/sweep_executor.h"
#include "engine/runner/result_store.h"
#include "tests/support/test_data.h"
#include "views/data/figure_builders.h"
#include "views/plot/figure_export.h"
#include "views/plot/tokens_renderer.h"

namespace hace::views {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

fs::path needle_model() {
    return hace::test::source_dir() / "resources/models/needle-llama-1m";
}
fs::path needle_data() {
    return hace::test::shared_data() / "models/needle-llama-1m";
}

struct Cli {
    int code = -1;
    std::string out, err;
};

Cli hace_cli(const QStringList& args) {
    QProcess p;
    p.start(QStringLiteral(HACE_CLI_PATH), args);
    if (!p.waitForFinished(300000)) {
        p.kill();
        return {};
    }
    return {p.exitCode(), p.readAllStandardOutput().toStdString(),
            p.readAllStandardError().toStdString()};
}

// One run shared by the tests of this file.
class KeptFigures : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        if (!fs::exists(needle_data() / "needle_task.json")) return;
        dir_ = new fs::path(hace::test::temp_dir("kept-figures"));
        const json s = {
            {"name", "kept"},
            {"models", {needle_model().string()}},
            {"context_lengths", {256}},
            {"retentions", {0.1}},
            {"budgets", {32}},
            {"methods", {"snapkv", "cake"}},
            {"tasks",
             {"needle",
              {{"id", "needle"}, {"query", "agnostic"}},
              {{"id", "hiv"},
               {"options",
                {{"protocol", "needle-model"}, {"max_length", 512}, {"max_trials", 6}}}}}},
            {"samples_per_task", 1},
            {"decoding", {{"max_new_tokens", 4}}},
            {"store_kept", true},
            {"data",
             {{"needle_task", needle_data().string()}, {"hiv_needles", needle_data().string()}}}};
        runner::RunOptions o;
        o.threads = 1;
        const auto summary = runner::run_sweep(
            runner::parse_sweep_spec(s, fs::current_path(), "kept.json"), *dir_ / "kept.sqlite", o);
        ok_ = summary.failures.empty() && summary.cells_done == summary.cells;
    }
    static void TearDownTestSuite() {
        delete dir_;
        dir_ = nullptr;
    }
    void SetUp() override {
        HACE_REQUIRE_PATH(needle_data() / "needle_task.json");
        ASSERT_TRUE(ok_) << "the sweep failed";
    }
    static fs::path db() { return *dir_ / "kept.sqlite"; }
    static const CellSummary& cell(const std::vector<CellSummary>& cells, const std::string& method,
                                   bool budget, const std::string& query) {
        for (const auto& c : cells) {
            if (c.method == method && c.capacity.has_value() == budget && c.query == query &&
                c.task == "needle")
                return c;
        }
        throw std::runtime_error("no such cell " + method);
    }

    static fs::path* dir_;
    static bool ok_;
};
fs::path* KeptFigures::dir_ = nullptr;
bool KeptFigures::ok_ = false;

// The stored kept positions are those `hace compress --dump` reports for the same prompt
// (query-agnostic: for the context part), ratio and budget cells alike.
TEST_F(KeptFigures, StoredPositionsEqualTheCompressDump) {
    const auto results = ResultsDb::open(db());
    const auto cells = results.cells();
    int compared = 0;
    for (const bool budget : {false, true}) {
        for (const char* query : {"aware", "agnostic"}) {
            const CellSummary& c = cell(cells, "snapkv", budget, query);
            const auto kept = results.keptTokens(c.hash, 0);
            ASSERT_TRUE(kept.has_value()) << describeCell(c);
            const auto& k = kept->positions;
            EXPECT_EQ(k.layers, 4);
            EXPECT_EQ(std::int64_t(kept->tokenIds.size()), k.tokens);
            EXPECT_EQ(kept->queryStart.has_value(), std::string(query) == "agnostic");
            std::vector<std::int32_t> ids = kept->tokenIds;
            if (kept->queryStart) ids.resize(static_cast<std::size_t>(*kept->queryStart));
            QString idList;
            for (auto id : ids) idList += (idList.isEmpty() ? "" : ",") + QString::number(id);
            const fs::path dump = *dir_ / ("dump-" + std::to_string(compared) + ".json");
            QStringList args = {"compress",
                                "--model",
                                QString::fromStdString(needle_model().string()),
                                "--prompt-ids",
                                idList,
                                "--method",
                                "snapkv",
                                "--threads",
                                "1",
                                "--dump",
                                QString::fromStdString(dump.string())};
            args << (budget ? QStringList{"--capacity", "32"} : QStringList{"--retention", "0.1"});
            const Cli r = hace_cli(args);
            ASSERT_EQ(r.code, 0) << r.err;
            const json d = read_json_file(dump);
            ASSERT_EQ(d["layers"].size(), std::size_t(k.layers));
            for (std::int64_t l = 0; l < k.layers; ++l) {
                const auto& heads = d["layers"][std::size_t(l)]["heads"];
                ASSERT_EQ(heads.size(), std::size_t(k.heads));
                for (std::int64_t h = 0; h < k.heads; ++h) {
                    EXPECT_EQ(heads[std::size_t(h)]["kept"].get<std::vector<std::int64_t>>(),
                              k.at(l, h))
                        << describeCell(c) << " layer " << l << " head " << h;
                }
            }
            ++compared;
        }
    }
    EXPECT_EQ(compared, 4);
}

// Figure data recomputed from the stored positions: fractions per scope, the categories of two
// methods, the needle span, the question of the agnostic protocol.
TEST_F(KeptFigures, TokenFigureDataFromTheStoredPositions) {
    const auto results = ResultsDb::open(db());
    const auto cells = results.cells();
    const CellSummary& a = cell(cells, "snapkv", false, "agnostic");
    const CellSummary& b = cell(cells, "cake", false, "agnostic");
    FigureSelection sel;
    sel.method = "snapkv";
    sel.methodB = "cake";
    sel.retention = 0.1;
    sel.query = "agnostic";
    sel.sample = "0";
    const TokenViewData data = buildTokens(results, cells, sel);
    const auto ka = *results.keptTokens(a.hash, 0);
    const auto kb = *results.keptTokens(b.hash, 0);
    ASSERT_EQ(data.sides.size(), 2u);
    ASSERT_EQ(data.tokens.size(), ka.tokenText.size());
    ASSERT_TRUE(data.queryStart && ka.queryStart);
    EXPECT_EQ(*data.queryStart, *ka.queryStart);
    ASSERT_TRUE(data.needle.has_value());
    EXPECT_LT(data.needle->first, data.needle->second);
    // Concatenated token texts spell the decoded prompt.
    std::string text;
    for (const auto& t : ka.tokenText) text += t;
    EXPECT_NE(text.find("Question:"), std::string::npos);
    const std::int64_t segments = ka.positions.layers * ka.positions.heads;
    std::int64_t both = 0, aOnly = 0, bOnly = 0;
    for (std::size_t i = 0; i < data.tokens.size(); ++i) {
        std::int64_t inA = 0, inB = 0;
        for (std::int64_t s = 0; s < segments; ++s) {
            const auto& sa = ka.positions.segments[std::size_t(s)];
            const auto& sb = kb.positions.segments[std::size_t(s)];
            inA += std::binary_search(sa.begin(), sa.end(), std::int64_t(i));
            inB += std::binary_search(sb.begin(), sb.end(), std::int64_t(i));
        }
        const bool question = std::int64_t(i) >= *ka.queryStart;
        EXPECT_DOUBLE_EQ(data.sides[0].fraction[i],
                         question ? 1.0 : double(inA) / double(segments));
        EXPECT_DOUBLE_EQ(data.sides[1].fraction[i],
                         question ? 1.0 : double(inB) / double(segments));
        const auto cat = TokensRenderer::category(data, i);
        both += cat == TokensRenderer::Category::Both;
        aOnly += cat == TokensRenderer::Category::AOnly;
        bOnly += cat == TokensRenderer::Category::BOnly;
    }
    EXPECT_GT(both, 0);
    // One layer and head: binary fractions equal membership in that segment.
    sel.layer = 2;
    sel.head = 1;
    const TokenViewData one = buildTokens(results, cells, sel);
    const auto& seg = ka.positions.at(2, 1);
    for (std::size_t i = 0; i < std::size_t(*ka.queryStart); ++i) {
        EXPECT_EQ(one.sides[0].fraction[i],
                  std::binary_search(seg.begin(), seg.end(), std::int64_t(i)) ? 1.0 : 0.0);
    }
    // Hover text names the token, its position and the heads that kept it.
    const std::size_t probe = std::size_t(seg.front());
    const QString tip = TokensRenderer::describeToken(one, probe);
    EXPECT_TRUE(tip.contains(QStringLiteral("Token %1").arg(probe))) << tip.toStdString();
    EXPECT_TRUE(tip.contains(QStringLiteral("L2: 1"))) << tip.toStdString();

    // The renderer draws one box per token and panel, and outlines the needle.
    QImage image(900, 1200, QImage::Format_RGB32);
    image.fill(Qt::white);
    QPainter p(&image);
    const auto result =
        TokensRenderer::render(p, QRectF(0, 0, 900, 1200), data, PlotStyle::forDevice(image, 8.0));
    p.end();
    EXPECT_EQ(result.boxes.size(), 2 * data.tokens.size());
    EXPECT_EQ(result.panels.size(), 2u);
    EXPECT_GE(result.needleOutlines, 2u);
    for (const auto& box : result.boxes) {
        EXPECT_TRUE(result.panels[box.side].contains(box.rect.center()));
    }
}

TEST_F(KeptFigures, HivHeatmapsOfImportanceAndItsVariance) {
    const auto results = ResultsDb::open(db());
    const HivData data = buildHiv(results, results.cells(), FigureSelection());
    const json stats = read_json_file(*dir_ / "kept.hiv" / "needle-llama-1m.json.stats.json");
    ASSERT_EQ(data.importance.layers, 4);
    ASSERT_EQ(data.importance.heads, 8);
    const auto mean = stats["mean"].get<std::vector<std::vector<double>>>();
    const auto var = stats["variance"].get<std::vector<std::vector<double>>>();
    for (std::int64_t l = 0; l < 4; ++l) {
        for (std::int64_t h = 0; h < 8; ++h) {
            EXPECT_DOUBLE_EQ(data.importance.at(l, h), mean[std::size_t(l)][std::size_t(h)]);
            EXPECT_DOUBLE_EQ(data.variance.at(l, h), var[std::size_t(l)][std::size_t(h)]);
        }
    }
    EXPECT_TRUE(data.caption.contains(QStringLiteral("6 trials"))) << data.caption.toStdString();
}

// `hace plot --figure tokens|hiv` in every format; bad selections exit 2 with one line.
TEST_F(KeptFigures, HacePlotDrawsTokensAndHiv) {
    const QString dbPath = QString::fromStdString(db().string());
    for (const char* ext : {"pdf", "svg", "png"}) {
        const QString tokens = QString::fromStdString((*dir_ / "tokens.").string()) + ext;
        Cli r = hace_cli({"plot",    "--db",    dbPath,     "--figure", "tokens",
                          "--a",     "snapkv",  "--b",      "cake",     "--retention",
                          "0.1",     "--query", "agnostic", "--sample", "0",
                          "--layer", "1",       "--out",    tokens,     "--json"});
        ASSERT_EQ(r.code, 0) << r.err;
        EXPECT_EQ(json::parse(r.out)["format"], ext);
        EXPECT_GT(QFile(tokens).size(), 2000) << tokens.toStdString();
        const QString hiv = QString::fromStdString((*dir_ / "hiv.").string()) + ext;
        r = hace_cli({"plot", "--db", dbPath, "--figure", "hiv", "--out", hiv, "--size", "double",
                      "--dpi", "150"});
        ASSERT_EQ(r.code, 0) << r.err;
        EXPECT_GT(QFile(hiv).size(), 1000) << hiv.toStdString();
        if (std::string(ext) == "png") {
            const QImage img(hiv);
            EXPECT_EQ(img.width(), 1074);  // 7.16 in at 150 dpi
        }
        if (std::string(ext) == "pdf") {
            QFile f(tokens);
            ASSERT_TRUE(f.open(QIODevice::ReadOnly));
            EXPECT_TRUE(f.read(5) == "%PDF-");
        }
    }
    const Cli bad =
        hace_cli({"plot", "--db", dbPath, "--figure", "tokens", "--a", "snapkv", "--layer", "9",
                  "--out", QString::fromStdString((*dir_ / "bad.png").string())});
    EXPECT_EQ(bad.code, 2);
    EXPECT_NE(bad.err.find("--layer 9 is outside 0..3"), std::string::npos) << bad.err;
    // A budget axis for curves.
    const Cli curve =
        hace_cli({"plot", "--db", dbPath, "--figure", "curve", "--axis", "budget", "--task",
                  "needle", "--out", QString::fromStdString((*dir_ / "budget.svg").string())});
    EXPECT_EQ(curve.code, 0) << curve.err;
}

}  // namespace
}  // namespace hace::views
