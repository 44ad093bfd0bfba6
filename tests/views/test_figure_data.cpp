// From a results database to figure data: cells with their mean metrics, samples, per-head
// grids, curves with cliffs and the needle grid, on the hand-computed fixture
// (results_fixture.h).
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <stdexcept>

#include "engine/core/error.h"
#include "tests/support/test_data.h"
#include "tests/views/results_fixture.h"
#include "views/data/figure_builders.h"
#include "views/data/results_query.h"

namespace hace::views {
namespace {

class FigureData : public ::testing::Test {
protected:
    void SetUp() override {
        path_ = hace::test::temp_dir("figure_data") / "results.sqlite";
        haceCell_ = test::writeResultsFixture(path_);
    }
    std::filesystem::path path_;
    std::string haceCell_;
};

const CurveSeries& seriesOf(const CurveData& d, const std::string& method) {
    for (const auto& s : d.series) {
        if (s.method == method) return s;
    }
    throw std::runtime_error("no series " + method);
}

TEST_F(FigureData, CellsCarryMeanMetricsStatusAndSampleCounts) {
    const auto db = ResultsDb::open(path_);
    const auto cells = db.cells();
    ASSERT_EQ(cells.size(), 14u);
    int failed = 0;
    for (const auto& c : cells) {
        if (c.method == "pyramidkv" && c.retention && std::abs(*c.retention - 0.1) < 1e-12) {
            EXPECT_DOUBLE_EQ(*c.metric("score"), 25.0);  // (20 + 30) / 2
            EXPECT_DOUBLE_EQ(*c.metric("qa_f1"), 0.25);
            EXPECT_EQ(c.mode, "faithful");
            EXPECT_EQ(c.samplesDone, 2);
            EXPECT_EQ(c.status, "done");
            EXPECT_DOUBLE_EQ(*c.meanTotalMs, 10.5);  // 10 and 11 ms
        }
        if (c.status == "failed") {
            ++failed;
            EXPECT_EQ(c.failureReason, "out of memory");
            EXPECT_EQ(c.samplesDone, 0);
            EXPECT_FALSE(c.metric("score").has_value());
        }
        EXPECT_EQ(c.model, "tiny-a");
        EXPECT_EQ(c.layers, 3);
        EXPECT_EQ(c.kvHeads, 2);
    }
    EXPECT_EQ(failed, 1);
    // Ordered by task, context, method, mode, retention with the full cache last.
    EXPECT_EQ(cells[0].task, "narrativeqa");
    EXPECT_EQ(cells[0].method, "full");
}

TEST_F(FigureData, HeadGridIsTheMeanOverSamplesOrOneSample) {
    const auto db = ResultsDb::open(path_);
    EXPECT_EQ(db.headStatNames(haceCell_), (std::vector<std::string>{"budget", "kept"}));
    const HeadGrid mean = db.headGrid(haceCell_, "kept");
    ASSERT_EQ(mean.layers, 3);
    ASSERT_EQ(mean.heads, 2);
    for (int l = 0; l < 3; ++l) {
        for (int h = 0; h < 2; ++h) EXPECT_DOUBLE_EQ(mean.at(l, h), 10 * l + h + 2);
    }
    const HeadGrid second = db.headGrid(haceCell_, "budget", 1);
    EXPECT_DOUBLE_EQ(second.at(2, 1), 10 * 2 + 1 + 3 - 1);
    EXPECT_EQ(db.headGrid(haceCell_, "importance").layers, 0);
}

TEST_F(FigureData, CurvesAverageSamplesAndFindEachCliff) {
    const auto db = ResultsDb::open(path_);
    FigureSelection sel;  // defaults: first model, task and context with a ratio
    const CurveData d = buildCurves(db.cells(), sel, path_.string());
    ASSERT_TRUE(d.fullScore.has_value());
    EXPECT_DOUBLE_EQ(*d.fullScore, 50.0);
    ASSERT_EQ(d.series.size(), 3u);
    const auto& snap = seriesOf(d, "snapkv");
    ASSERT_EQ(snap.points.size(), 4u);
    EXPECT_DOUBLE_EQ(snap.points[0].retention, 0.05);
    EXPECT_DOUBLE_EQ(snap.points[2].score, 46.0);
    EXPECT_EQ(snap.cliffKind, CliffKind::Found);
    EXPECT_DOUBLE_EQ(snap.cliff, 0.2);
    EXPECT_DOUBLE_EQ(*snap.failingBelow, 0.1);
    const auto& hace = seriesOf(d, "hace");
    EXPECT_EQ(hace.cliffKind, CliffKind::Found);
    EXPECT_DOUBLE_EQ(hace.cliff, 0.1);
    const auto& pyr = seriesOf(d, "pyramidkv");
    EXPECT_EQ(pyr.mode, "faithful");
    EXPECT_DOUBLE_EQ(pyr.points[0].score, 25.0);
    EXPECT_EQ(pyr.cliffKind, CliffKind::AboveRange);
    // Intervals from the engine's bootstrap over the samples: 20 and 30 give means 20, 25 or 30
    // (chances 1/4, 1/2, 1/4), so the 95% interval is [20, 30]; 40 and 40 give [40, 40].
    ASSERT_TRUE(pyr.points[0].ciLow && pyr.points[0].ciHigh);
    EXPECT_DOUBLE_EQ(*pyr.points[0].ciLow, 20.0);
    EXPECT_DOUBLE_EQ(*pyr.points[0].ciHigh, 30.0);
    EXPECT_DOUBLE_EQ(*pyr.points[1].ciLow, 40.0);
    EXPECT_EQ(pyr.points[0].observations.size(), 2u);
    const auto cells = db.cells();
    for (const auto& c : cells) {
        if (c.method != "pyramidkv" || c.retention != 0.1) continue;
        const auto ci = c.interval("score");
        ASSERT_TRUE(ci);
        EXPECT_EQ(ci->n, 2);
        EXPECT_DOUBLE_EQ(ci->ci.low, 20.0);
        EXPECT_DOUBLE_EQ(ci->ci.high, 30.0);
    }

    // A 20% tolerance (within >= 40) moves SnapKV's cliff to 10% and HACE's below the range.
    sel.tolerancePercent = 20.0;
    const CurveData loose = buildCurves(db.cells(), sel, path_.string());
    EXPECT_DOUBLE_EQ(seriesOf(loose, "snapkv").cliff, 0.1);
    EXPECT_EQ(seriesOf(loose, "hace").cliffKind, CliffKind::BelowRange);
    EXPECT_DOUBLE_EQ(seriesOf(loose, "hace").cliff, 0.05);
}

TEST_F(FigureData, NeedleGridReadsDepthFromExtraOrSampleId) {
    const auto db = ResultsDb::open(path_);
    const NeedleData d = buildNeedle(db, db.cells(), FigureSelection{});
    EXPECT_EQ(d.lengths, (std::vector<std::int64_t>{256, 512}));
    EXPECT_EQ(d.depths, (std::vector<double>{0, 50, 100}));
    EXPECT_DOUBLE_EQ(d.scoreMax, 100.0);
    EXPECT_DOUBLE_EQ(d.at(1, 0), 100.0);  // depth 50, 256 tokens (from "L256/d50")
    EXPECT_DOUBLE_EQ(d.at(1, 1), 0.0);    // depth 50, 512 tokens (from extra.meta.depth)
    EXPECT_DOUBLE_EQ(d.at(0, 1), 100.0);
    EXPECT_DOUBLE_EQ(d.at(2, 0), 0.0);
}

TEST_F(FigureData, HeatmapPicksTheSelectedCellAndNothingMatchingIsAnInputError) {
    const auto db = ResultsDb::open(path_);
    FigureSelection sel;
    sel.method = "hace";
    sel.retention = 0.1;
    sel.task = "narrativeqa";
    const HeatmapData d = buildHeatmap(db, db.cells(), sel);
    EXPECT_EQ(d.layers, 3);
    EXPECT_DOUBLE_EQ(d.at(1, 1), 13.0);
    sel.cell = haceCell_.substr(0, 10);
    sel.stat = "budget";
    EXPECT_DOUBLE_EQ(buildHeatmap(db, db.cells(), sel).at(1, 1), 12.0);
    sel.cell = "ffffffffffff";
    EXPECT_THROW(buildHeatmap(db, db.cells(), sel), InputError);
    FigureSelection none;
    none.model = "no-such-model";
    EXPECT_THROW(buildCurves(db.cells(), none, path_.string()), InputError);
    FigureSelection kivi;
    kivi.method = "kivi";
    EXPECT_THROW(buildNeedle(db, db.cells(), kivi), InputError);
    EXPECT_THROW(buildHeatmap(db, db.cells(), kivi), InputError);
}

TEST(ResultsDbOpen, RefusesAFileThatIsNotAResultsDatabase) {
    const auto dir = hace::test::temp_dir("results_db_refuse");
    const auto file = dir / "notes.sqlite";
    { std::ofstream(file) << "not a database"; }
    EXPECT_THROW(ResultsDb::open(file), InputError);
    EXPECT_THROW(ResultsDb::open(dir / "missing.sqlite"), InputError);
}

}  // namespace
}  // namespace hace::views
