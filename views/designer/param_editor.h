// The parameter editor of one method in the experiment designer: one row per parameter of the
// engine's schema (runner::ParamInfo, engine/kv/method_params.h) with the editor of its type and
// range, a "default" toggle (the key left out: the method's own default applies), the default and
// what it stands for, the translated help line and the mode that reads it.
//
// A dialog rather than an inline panel: the params cell of the designer's tables stays the one
// source of truth (spec() and validation read it as before, and typing raw JSON into it keeps
// working), the editor is built from the cell when it opens and writes back only on OK, so the
// form and the text never have to be kept in step while either is being edited.
#pragma once

#include <QDialog>
#include <QString>
#include <QStringList>

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/runner/validation_context.h"

class QCheckBox;
class QGridLayout;
class QLabel;

namespace hace::views {

class ParamEditor : public QDialog {
    Q_OBJECT

public:
    // `params` is the cell's content: an object (or null: no params); anything else is shown as a
    // warning and replaced on OK. `mode` is the mode the method runs in ("equal", "faithful"):
    // parameters read only in the other mode are marked.
    ParamEditor(const QString& method, std::vector<runner::ParamInfo> schema,
                const nlohmann::json& params, const QString& mode, QWidget* parent = nullptr);
    ~ParamEditor() override;

    // The params object: untouched keys exactly as given, edited keys from their widgets (with
    // the schema's JSON type), keys set back to their default left out, keys outside the schema
    // as given.
    nlohmann::json params() const;
    // Whether params() differs from what was given.
    bool changed() const;

    // The widgets of one schema key (nullptr when the key is not in the schema): the editor is a
    // QDoubleSpinBox, QSpinBox, QCheckBox or QComboBox by the parameter's type.
    QWidget* editorFor(const std::string& key) const;
    QCheckBox* defaultToggleFor(const std::string& key) const;
    int rowCount() const;
    // Keys of the given object that the schema does not know (kept, shown read-only).
    QStringList extraKeys() const;

private:
    struct Row;
    void addRow(QGridLayout* grid, const runner::ParamInfo& info);
    void setDefaultShown(Row& row, bool useDefault);
    static nlohmann::json widgetValue(const Row& row);
    static void showValue(Row& row, const nlohmann::json& value);
    QString modeText(const std::string& mode) const;
    QString valueText(const nlohmann::json& value) const;

    nlohmann::json given_;   // the cell's object (empty when it was not one)
    bool replaces_ = false;  // the cell held something else than an object or nothing
    QString mode_;
    bool building_ = true;
    std::vector<Row> rows_;
};

}  // namespace hace::views
