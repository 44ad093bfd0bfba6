// The designer's parameter editor: one field per schema parameter with the editor of its type and
// range, values written back with the schema's JSON type, "default" leaving the key out, given
// keys outside the schema kept; and, with the engine's services, every method that has
// parameters gets a field for each of them in the designer (a new method needs no designer edit).
#include <gtest/gtest.h>

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>
#include <QTableWidget>

#include "app/gui/engine_services.h"
#include "views/designer/param_editor.h"
#include "views/designer/spec_designer.h"

namespace hace::views {
namespace {

using nlohmann::json;

runner::ParamInfo param(std::string key, ParamType type, std::optional<double> min,
                        std::optional<double> max, json fallback, std::string mode = "both") {
    runner::ParamInfo p;
    p.key = std::move(key);
    p.rule = {type, min, max};
    p.default_value = std::move(fallback);
    p.help = "help of " + p.key;
    p.mode = std::move(mode);
    return p;
}

// One parameter of each type, as the engine's schema has them.
std::vector<runner::ParamInfo> schema() {
    auto selector = param("selector", ParamType::String, {}, {}, "");
    selector.choices = {"cake", "snap", "knorm"};
    selector.default_meaning = "the method's own";
    return {param("window", ParamType::Integer, 0.0, {}, 0),
            param("ada_alpha", ParamType::Number, 0.0, 1.0, 0.2),
            param("pyramid_beta", ParamType::Number, 1e-9, {}, 20.0),
            param("decode_eviction", ParamType::Bool, {}, {}, true),
            std::move(selector),
            param("sinks", ParamType::Integer, 0.0, {}, 4, "equal")};
}

TEST(ParamEditor, OneFieldPerParameterWithTheEditorOfItsType) {
    ParamEditor e(QStringLiteral("m"), schema(), nullptr, QStringLiteral("equal"));
    ASSERT_EQ(e.rowCount(), 6);
    EXPECT_NE(qobject_cast<QSpinBox*>(e.editorFor("window")), nullptr);
    EXPECT_NE(qobject_cast<QDoubleSpinBox*>(e.editorFor("ada_alpha")), nullptr);
    EXPECT_NE(qobject_cast<QCheckBox*>(e.editorFor("decode_eviction")), nullptr);
    auto* selector = qobject_cast<QComboBox*>(e.editorFor("selector"));
    ASSERT_NE(selector, nullptr);
    ASSERT_EQ(selector->count(), 4);  // the default, then the choices
    EXPECT_EQ(selector->itemData(0).toString(), QString());
    EXPECT_EQ(selector->itemData(3).toString(), QStringLiteral("knorm"));
    EXPECT_EQ(e.editorFor("nope"), nullptr);
    // Nothing given: every field at its default, disabled, and the default's meaning shown.
    for (const char* key : {"window", "ada_alpha", "decode_eviction", "selector", "sinks"}) {
        EXPECT_TRUE(e.defaultToggleFor(key)->isChecked()) << key;
        EXPECT_FALSE(e.editorFor(key)->isEnabled()) << key;
    }
    EXPECT_DOUBLE_EQ(qobject_cast<QDoubleSpinBox*>(e.editorFor("ada_alpha"))->value(), 0.2);
    EXPECT_TRUE(qobject_cast<QCheckBox*>(e.editorFor("decode_eviction"))->isChecked());
    bool meaningShown = false;
    for (auto* l : e.findChildren<QLabel*>())
        meaningShown |= l->text().contains(QStringLiteral("Default: the method's own."));
    EXPECT_TRUE(meaningShown);
    EXPECT_EQ(e.editorFor("window")->toolTip(), QStringLiteral("help of window"));
    EXPECT_EQ(e.params(), json::object());
    EXPECT_FALSE(e.changed());
}

TEST(ParamEditor, WritesTheSchemasJsonTypes) {
    ParamEditor e(QStringLiteral("m"), schema(), json::object(), QString());
    e.defaultToggleFor("window")->setChecked(false);
    qobject_cast<QSpinBox*>(e.editorFor("window"))->setValue(16);
    e.defaultToggleFor("ada_alpha")->setChecked(false);
    qobject_cast<QDoubleSpinBox*>(e.editorFor("ada_alpha"))->setValue(0.5);
    e.defaultToggleFor("decode_eviction")->setChecked(false);
    qobject_cast<QCheckBox*>(e.editorFor("decode_eviction"))->setChecked(false);
    e.defaultToggleFor("selector")->setChecked(false);
    qobject_cast<QComboBox*>(e.editorFor("selector"))->setCurrentIndex(2);
    const json out = e.params();
    EXPECT_TRUE(out["window"].is_number_integer());
    EXPECT_EQ(out["window"], 16);
    EXPECT_TRUE(out["ada_alpha"].is_number_float());
    EXPECT_DOUBLE_EQ(out["ada_alpha"].get<double>(), 0.5);
    EXPECT_TRUE(out["decode_eviction"].is_boolean());
    EXPECT_EQ(out["decode_eviction"], false);
    EXPECT_EQ(out["selector"], "snap");
    EXPECT_EQ(out.size(), 4u);  // only the keys that were set
    EXPECT_TRUE(e.changed());
    // A field turned off "default" without a new value writes the default explicitly.
    e.defaultToggleFor("sinks")->setChecked(false);
    EXPECT_EQ(e.params()["sinks"], 4);
}

TEST(ParamEditor, DefaultLeavesTheKeyOutAndOtherKeysStay) {
    const json given = {{"window", 16}, {"ada_alpha", nullptr}, {"unknown", 3}};
    ParamEditor e(QStringLiteral("m"), schema(), given, QString());
    EXPECT_FALSE(e.defaultToggleFor("window")->isChecked());
    EXPECT_EQ(qobject_cast<QSpinBox*>(e.editorFor("window"))->value(), 16);
    EXPECT_TRUE(e.defaultToggleFor("ada_alpha")->isChecked());  // null is the default
    EXPECT_EQ(e.extraKeys(), QStringList{QStringLiteral("unknown")});
    EXPECT_EQ(e.params(), given);  // untouched: as given, null and unknown key included
    e.defaultToggleFor("window")->setChecked(true);
    EXPECT_EQ(e.params(), json({{"ada_alpha", nullptr}, {"unknown", 3}}));
    // The unknown key is shown to the user.
    bool shown = false;
    for (auto* l : e.findChildren<QLabel*>())
        shown |= l->text().contains(QStringLiteral("unknown = 3"));
    EXPECT_TRUE(shown);
    // A null turned into a value and back to the default: the key goes, the unknown one stays.
    e.defaultToggleFor("ada_alpha")->setChecked(false);
    e.defaultToggleFor("ada_alpha")->setChecked(true);
    EXPECT_EQ(e.params(), json({{"unknown", 3}}));
}

TEST(ParamEditor, OutOfRangeValuesCannotBeEntered) {
    ParamEditor e(QStringLiteral("m"), schema(), json::object(), QString());
    auto* alpha = qobject_cast<QDoubleSpinBox*>(e.editorFor("ada_alpha"));
    auto* window = qobject_cast<QSpinBox*>(e.editorFor("window"));
    auto* beta = qobject_cast<QDoubleSpinBox*>(e.editorFor("pyramid_beta"));
    e.defaultToggleFor("ada_alpha")->setChecked(false);
    e.defaultToggleFor("window")->setChecked(false);
    e.defaultToggleFor("pyramid_beta")->setChecked(false);
    alpha->setValue(2.0);
    window->setValue(-5);
    beta->setValue(0.0);
    EXPECT_DOUBLE_EQ(alpha->value(), 1.0);
    EXPECT_EQ(window->value(), 0);
    EXPECT_GE(beta->minimum(), 1e-9);  // the rule's bound is inclusive and above zero
    EXPECT_GE(beta->value(), 1e-9);
    const json out = e.params();
    for (const auto& info : schema()) {
        if (out.contains(info.key)) {
            EXPECT_EQ(check_param_value(info.key, info.rule, out[info.key]), "") << info.key;
        }
    }
    // Typing is checked by the field too: text beyond the range does not validate.
    int pos = 0;
    QString text = QStringLiteral("1.5");
    EXPECT_NE(alpha->validate(text, pos), QValidator::Acceptable);
}

TEST(ParamEditor, AGivenValueThatDoesNotFitIsKeptUntilChanged) {
    const json given = {{"window", "wide"}, {"ada_alpha", 3.0}};
    ParamEditor e(QStringLiteral("m"), schema(), given, QString());
    EXPECT_FALSE(e.defaultToggleFor("window")->isChecked());
    EXPECT_EQ(e.params(), given);  // the validator reports them
    qobject_cast<QSpinBox*>(e.editorFor("window"))->setValue(8);
    EXPECT_EQ(e.params()["window"], 8);
    EXPECT_EQ(e.params()["ada_alpha"], 3.0);
    // A cell that is not an object is replaced by the fields on OK.
    ParamEditor text(QStringLiteral("m"), schema(), "{not json", QString());
    EXPECT_TRUE(text.changed());
    EXPECT_EQ(text.params(), json::object());
}

QTableWidget* tableWithColumns(SpecDesigner& d, int columns) {
    for (auto* t : d.findChildren<QTableWidget*>()) {
        if (t->columnCount() == columns && t->rowCount() > 0) return t;
    }
    return nullptr;
}

QPushButton* button(SpecDesigner& d, const char* name) {
    return d.findChild<QPushButton*>(QString::fromLatin1(name));
}

// Every method the engine offers: with a schema, its row opens an editor with one field per
// parameter of the right kind and range; without one, the button stays off (JSON as text).
TEST(DesignerParams, EveryMethodWithParametersHasItsFields) {
    const SpecServices services = gui::engineSpecServices();
    ASSERT_FALSE(services.methodIds.empty());
    json methods = json::array();
    for (const auto& id : services.methodIds) methods.push_back(id);
    SpecDesigner d;
    d.setServices(services);
    d.setSpec(
        {{"models", {"x"}}, {"context_lengths", {1}}, {"methods", methods}, {"tasks", {"niah"}}},
        "/tmp");
    QTableWidget* table = tableWithColumns(d, 4);
    ASSERT_NE(table, nullptr);
    ASSERT_EQ(table->rowCount(), static_cast<int>(services.methodIds.size()));
    QPushButton* edit = button(d, "editMethodParams");
    ASSERT_NE(edit, nullptr);
    int withParams = 0;
    for (int r = 0; r < table->rowCount(); ++r) {
        const std::string id = table->item(r, 0)->text().toStdString();
        table->setCurrentCell(r, 0);
        const auto it = services.methodParams.find(id);
        const bool has = it != services.methodParams.end() && !it->second.empty();
        EXPECT_EQ(edit->isEnabled(), has) << id;
        if (!has) continue;
        ++withParams;
        edit->click();
        ParamEditor* e = d.paramEditor();
        ASSERT_NE(e, nullptr) << id;
        EXPECT_TRUE(e->windowTitle().contains(QString::fromStdString(id)));
        EXPECT_EQ(e->rowCount(), static_cast<int>(it->second.size())) << id;
        for (const auto& p : it->second) {
            QWidget* w = e->editorFor(p.key);
            ASSERT_NE(w, nullptr) << id << " " << p.key;
            ASSERT_NE(e->defaultToggleFor(p.key), nullptr);
            EXPECT_TRUE(e->defaultToggleFor(p.key)->isChecked()) << id << " " << p.key;
            EXPECT_FALSE(w->toolTip().isEmpty()) << id << " " << p.key;  // the help line
            switch (p.rule.type) {
                case ParamType::Number: {
                    auto* box = qobject_cast<QDoubleSpinBox*>(w);
                    ASSERT_NE(box, nullptr) << id << " " << p.key;
                    if (p.rule.min) {
                        EXPECT_GE(box->minimum(), *p.rule.min) << p.key;
                    }
                    if (p.rule.max) {
                        EXPECT_LE(box->maximum(), *p.rule.max) << p.key;
                    }
                    break;
                }
                case ParamType::Integer: {
                    auto* box = qobject_cast<QSpinBox*>(w);
                    ASSERT_NE(box, nullptr) << id << " " << p.key;
                    if (p.rule.min) {
                        EXPECT_GE(box->minimum(), *p.rule.min) << p.key;
                    }
                    if (p.rule.max) {
                        EXPECT_LE(box->maximum(), *p.rule.max) << p.key;
                    }
                    break;
                }
                case ParamType::Bool:
                    EXPECT_NE(qobject_cast<QCheckBox*>(w), nullptr) << id << " " << p.key;
                    break;
                case ParamType::String: {
                    auto* box = qobject_cast<QComboBox*>(w);
                    ASSERT_NE(box, nullptr) << id << " " << p.key;
                    for (const auto& c : p.choices)
                        EXPECT_GE(box->findData(QString::fromStdString(c)), 0) << p.key << c;
                    break;
                }
            }
            // The default shows in the field and is a value of the rule.
            EXPECT_EQ(check_param_value(p.key, p.rule, p.default_value), "") << p.key;
        }
        e->reject();
        EXPECT_EQ(d.spec()["methods"][r], id);  // cancelled: nothing written
    }
    EXPECT_GT(withParams, 0);
}

TEST(DesignerParams, FieldsAreWrittenIntoTheSpec) {
    SpecDesigner d;
    d.setServices(gui::engineSpecServices());
    d.setSpec({{"models", {"x"}},
               {"context_lengths", {1}},
               {"methods", {"full", "snapkv"}},
               {"tasks", {"niah"}},
               {"method_params", {{"snapkv", {{"pool", 7}}}}}},
              "/tmp");
    QTableWidget* methods = tableWithColumns(d, 4);
    ASSERT_NE(methods, nullptr);
    methods->setCurrentCell(1, 0);
    button(d, "editMethodParams")->click();
    ParamEditor* e = d.paramEditor();
    ASSERT_NE(e, nullptr);
    ASSERT_NE(e->editorFor("window"), nullptr);
    ASSERT_NE(e->editorFor("decode_eviction"), nullptr);
    e->defaultToggleFor("window")->setChecked(false);
    qobject_cast<QSpinBox*>(e->editorFor("window"))->setValue(16);
    e->defaultToggleFor("decode_eviction")->setChecked(false);
    qobject_cast<QCheckBox*>(e->editorFor("decode_eviction"))->setChecked(false);
    e->accept();
    json out = d.spec();
    EXPECT_EQ(out["methods"][0], "full");
    EXPECT_EQ(out["methods"][1],
              json({{"id", "snapkv"}, {"params", {{"window", 16}, {"decode_eviction", false}}}}));
    EXPECT_TRUE(out["methods"][1]["params"]["window"].is_number_integer());
    // Back to the defaults: the keys go, and the method is written in its short form again.
    button(d, "editMethodParams")->click();
    e = d.paramEditor();
    ASSERT_NE(e, nullptr);
    EXPECT_FALSE(e->defaultToggleFor("window")->isChecked());
    e->defaultToggleFor("window")->setChecked(true);
    e->defaultToggleFor("decode_eviction")->setChecked(true);
    e->accept();
    EXPECT_EQ(d.spec()["methods"][1], "snapkv");
    // The per-method parameters table opens the same editor on its entry.
    QTableWidget* perMethod = nullptr;
    for (auto* t : d.findChildren<QTableWidget*>()) {
        if (t->columnCount() == 2 && t->rowCount() == 1 &&
            t->item(0, 0)->text() == QStringLiteral("snapkv"))
            perMethod = t;
    }
    ASSERT_NE(perMethod, nullptr);
    perMethod->setCurrentCell(0, 1);
    button(d, "editTableParams")->click();
    e = d.paramEditor();
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(qobject_cast<QSpinBox*>(e->editorFor("pool"))->value(), 7);
    e->defaultToggleFor("pool")->setChecked(true);
    e->accept();
    EXPECT_EQ(d.spec()["method_params"], json({{"snapkv", json::object()}}));
    // The validation sees what was written, exactly as typed JSON.
    d.validateNow();
    for (const auto& p : d.problems())
        EXPECT_EQ(p.path.rfind("method_params", 0), std::string::npos);
}

}  // namespace
}  // namespace hace::views
