// The experiment designer: a spec goes through the form and comes back unchanged (in memory and
// through a file), edits are written in the spec's forms, the engine's validation marks the
// offending fields as you type, and the dry run shows the engine's plan.
#include <gtest/gtest.h>

#include <QApplication>
#include <QLineEdit>
#include <QListWidget>
#include <QSpinBox>
#include <QTableWidget>

#include <QThread>

#include <fstream>
#include <set>

#include "app/gui/engine_services.h"
#include "engine/core/error.h"
#include "tests/support/test_data.h"
#include "views/designer/spec_designer.h"

namespace hace::views {
namespace {

using nlohmann::json;

const json kEveryField = json::parse(R"({
  "name": "rt", "description": "every field",
  "models": ["/m/a", {"dir": "/m/b", "head_scores": "/s.json"}],
  "context_lengths": [256, 512], "retentions": [0.005, 0.1, 1],
  "methods": ["full",
              {"id": "hace", "name": "hace-b", "mode": "faithful", "params": {"beta": 1.05}}],
  "tasks": ["niah", {"id": "needle", "samples": 3, "max_new_tokens": 16,
                     "options": {"distractors": true}}],
  "samples_per_task": 7, "batch_size": "auto", "data": {"haystack": "/h", "needle_task": "/n"},
  "decoding": {"greedy": true, "seed": 7, "max_new_tokens": 12, "temperature": 0.7,
               "top_p": 0.9, "top_k": 5},
  "device": "cuda:1", "dtype": "bf16", "mode": "faithful",
  "method_params": {"snapkv": {"window": 16}}, "head_scores": {"b": "/s2.json"},
  "unknown_key": 3 })");

std::filesystem::path sharedModel(const char* name) {
    return hace::test::shared_data() / "models" / name;
}

// A runnable spec on the shared needle model: needle task, full cache and SnapKV at 20%.
json runnableSpec() {
    return {{"name", "designer-test"},
            {"models", {sharedModel("needle-llama-1m").string()}},
            {"context_lengths", {256}},
            {"retentions", {0.2}},
            {"methods", {"full", "snapkv"}},
            {"tasks", {{{"id", "needle"}, {"samples", 2}}}},
            {"data", {{"needle_task", sharedModel("needle-llama-1m").string()}}}};
}

TEST(SpecDesigner, GivesBackEveryFieldAsLoaded) {
    SpecDesigner d;
    d.setSpec(kEveryField, "/tmp");
    EXPECT_EQ(d.spec(), kEveryField) << d.spec().dump(1);
    SpecDesigner minimal;
    const json small = {
        {"models", {"x"}}, {"context_lengths", {1}}, {"methods", {"full"}}, {"tasks", {"niah"}}};
    minimal.setSpec(small, "/tmp");
    EXPECT_EQ(minimal.spec(), small) << minimal.spec().dump(1);
}

TEST(SpecDesigner, RoundTripsThroughASpecFile) {
    const auto dir = hace::test::temp_dir("designer_file");
    const auto file = dir / "sweep.json";
    { std::ofstream(file) << kEveryField.dump(2); }
    SpecDesigner d;
    int named = 0;
    QObject::connect(&d, &SpecDesigner::fileNameChanged, [&] { ++named; });
    d.loadFile(QString::fromStdString(file.string()));
    EXPECT_EQ(named, 1);
    EXPECT_EQ(d.baseDir(), dir);
    const auto copy = dir / "copy.json";
    d.saveFile(QString::fromStdString(copy.string()));
    std::ifstream in(copy);
    EXPECT_EQ(json::parse(in), kEveryField);
    EXPECT_THROW(d.loadFile(QString::fromStdString((dir / "missing.json").string())), InputError);
    { std::ofstream(dir / "list.json") << "[1, 2]"; }
    EXPECT_THROW(d.loadFile(QString::fromStdString((dir / "list.json").string())), InputError);
}

TEST(SpecDesigner, EditsAreWrittenInTheSpecsForms) {
    SpecDesigner d;
    d.setSpec(kEveryField, "/tmp");
    d.findChild<QLineEdit*>();  // the form exists
    auto tables = d.findChildren<QTableWidget*>();
    QTableWidget* methods = nullptr;
    for (auto* t : tables) {
        if (t->columnCount() == 4 && t->rowCount() == 2 && t->item(0, 0)->text() == "full")
            methods = t;
    }
    ASSERT_NE(methods, nullptr);
    methods->item(1, 3)->setText(QStringLiteral("{\"beta\": 1.2}"));  // params of hace
    methods->item(1, 1)->setText(QString());
    const json out = d.spec();
    EXPECT_EQ(out["methods"][0], "full");
    EXPECT_EQ(out["methods"][1],
              json::parse(R"({"id": "hace", "mode": "faithful", "params": {"beta": 1.2}})"));
    // Untouched keys stay as loaded.
    EXPECT_EQ(out["tasks"], kEveryField["tasks"]);
    EXPECT_EQ(out["decoding"], kEveryField["decoding"]);
    methods->item(1, 3)->setText(QStringLiteral("{not json"));
    EXPECT_EQ(d.spec()["methods"][1]["params"], "{not json");  // the validator will say so
}

TEST(SpecDesigner, EditsTheBatchSizeWithAnAutoChoice) {
    SpecDesigner d;
    json spec = kEveryField;
    spec.erase("batch_size");
    d.setSpec(spec, "/tmp");
    auto* batch = d.findChild<QSpinBox*>(QStringLiteral("batchSize"));
    ASSERT_NE(batch, nullptr);
    EXPECT_EQ(batch->minimum(), 0);
    EXPECT_EQ(batch->maximum(), 256);
    EXPECT_EQ(batch->value(), 1);  // the default, and absent stays absent
    EXPECT_FALSE(d.spec().contains("batch_size"));
    batch->setValue(8);
    EXPECT_EQ(d.spec()["batch_size"], 8);
    batch->setValue(0);
    EXPECT_EQ(batch->text(), QStringLiteral("auto"));
    EXPECT_EQ(d.spec()["batch_size"], "auto");
    batch->setValue(1);
    EXPECT_FALSE(d.spec().contains("batch_size"));
    // Loaded values come back exactly: auto, the default written out, and values the box
    // cannot show (the validator reports those).
    for (const json& v : {json(4), json("auto"), json(1), json(300), json("AUTO")}) {
        spec["batch_size"] = v;
        d.setSpec(spec, "/tmp");
        EXPECT_EQ(d.spec(), spec) << v.dump();
    }
    spec["batch_size"] = "auto";
    d.setSpec(spec, "/tmp");
    EXPECT_EQ(batch->value(), 0);
    spec["batch_size"] = 16;
    d.setSpec(spec, "/tmp");
    EXPECT_EQ(batch->value(), 16);
    batch->setValue(0);
    EXPECT_EQ(d.spec()["batch_size"], "auto");
}

TEST(SpecDesigner, EngineValidationMarksTheOffendingRowAsYouType) {
    SpecDesigner d;
    d.setServices(gui::engineSpecServices());
    json spec = runnableSpec();
    HACE_REQUIRE_PATH(sharedModel("needle-llama-1m"));
    d.setSpec(spec, "/tmp");
    EXPECT_TRUE(d.isValid()) << (d.problems().empty() ? "" : d.problems()[0].text());
    std::vector<bool> validity;
    QObject::connect(&d, &SpecDesigner::validityChanged, [&](bool ok) { validity.push_back(ok); });
    spec["methods"] = {"full", "snapkvv"};
    spec["retentions"] = {1.5};
    d.setSpec(spec, "/tmp");
    ASSERT_FALSE(d.isValid());
    ASSERT_EQ(validity, std::vector<bool>{false});
    std::set<std::string> paths;
    for (const auto& p : d.problems()) paths.insert(p.path);
    EXPECT_TRUE(paths.count("methods[1]")) << d.problems()[0].text();
    EXPECT_TRUE(paths.count("retentions[0]"));
    // The problem list shows them and the method row is marked.
    auto* list = d.findChild<QListWidget*>();
    ASSERT_NE(list, nullptr);
    EXPECT_EQ(list->count(), static_cast<int>(d.problems().size()));
    QTableWidget* methods = nullptr;
    for (auto* t : d.findChildren<QTableWidget*>()) {
        if (t->columnCount() == 4 && t->rowCount() == 2 && t->item(1, 0)->text() == "snapkvv")
            methods = t;
    }
    ASSERT_NE(methods, nullptr);
    EXPECT_NE(methods->item(1, 0)->background().style(), Qt::NoBrush);
    EXPECT_EQ(methods->item(0, 0)->background().style(), Qt::NoBrush);
    EXPECT_FALSE(methods->item(1, 0)->toolTip().isEmpty());
    // Typing the fix: validation follows after the pause.
    methods->item(1, 0)->setText(QStringLiteral("snapkv"));
    for (auto* e : d.findChildren<QLineEdit*>()) {
        if (e->text() == QStringLiteral("1.5")) e->setText(QStringLiteral("0.2"));
    }
    for (int i = 0; i < 100 && !d.isValid(); ++i) {
        QApplication::processEvents(QEventLoop::AllEvents, 20);
        QThread::msleep(10);
    }
    EXPECT_TRUE(d.isValid());
    EXPECT_EQ(validity, (std::vector<bool>{false, true}));
}

TEST(SpecDesigner, DryRunShowsTheEnginesPlan) {
    HACE_REQUIRE_PATH(sharedModel("needle-llama-1m"));
    SpecDesigner d;
    d.setServices(gui::engineSpecServices());
    d.setSpec(runnableSpec(), "/tmp");
    ASSERT_TRUE(d.dryRun()) << d.estimateText().toStdString();
    // full + snapkv at one ratio: 2 cells of 2 samples.
    EXPECT_TRUE(d.estimateText().contains(QStringLiteral("2 cells, 4 samples")))
        << d.estimateText().toStdString();
    // The estimate is at the spec's batch size; auto is resolved against this host's memory
    // (the 2 samples of each cell cap it at 2).
    json batched = runnableSpec();
    batched["batch_size"] = 2;
    d.setSpec(batched, "/tmp");
    ASSERT_TRUE(d.dryRun()) << d.estimateText().toStdString();
    EXPECT_TRUE(d.estimateText().contains(QStringLiteral("batch size 2\n")))
        << d.estimateText().toStdString();
    batched["batch_size"] = "auto";
    d.setSpec(batched, "/tmp");
    ASSERT_TRUE(d.dryRun()) << d.estimateText().toStdString();
    EXPECT_TRUE(d.estimateText().contains(QStringLiteral("batch size 2 (auto: ")))
        << d.estimateText().toStdString();
    json bad = runnableSpec();
    bad["context_lengths"] = {100000};
    d.setSpec(bad, "/tmp");
    EXPECT_FALSE(d.dryRun());
}

}  // namespace
}  // namespace hace::views
