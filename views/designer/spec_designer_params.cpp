// The designer's side of the parameter editor (param_editor.h): which method a row names, its
// schema from SpecServices, and the params cell that the editor reads when it opens and that it
// writes back on OK, so that spec() and the validation see the fields as if typed as JSON.
#include <QComboBox>
#include <QPersistentModelIndex>
#include <QPushButton>
#include <QTableWidget>

#include "views/designer/param_editor.h"
#include "views/designer/spec_designer.h"
#include "views/designer/spec_text.h"

namespace hace::views {
namespace {

// Column of the params cell: methods_ is id, name, mode, params; methodParams_ is id, params.
int paramsColumn(const QTableWidget* table) {
    return table->columnCount() - 1;
}

}  // namespace

ParamEditor* SpecDesigner::paramEditor() const {
    return paramEditor_.data();
}

const std::vector<runner::ParamInfo>* SpecDesigner::schemaOf(const QTableWidget* table,
                                                             int row) const {
    if (row < 0 || row >= table->rowCount()) return nullptr;
    const auto it = services_.methodParams.find(cell(table, row, 0).toStdString());
    if (it == services_.methodParams.end() || it->second.empty()) return nullptr;
    return &it->second;
}

void SpecDesigner::updateParamButtons() {
    for (auto [table, button] :
         {std::pair{methods_, editMethodParams_}, std::pair{methodParams_, editTableParams_}}) {
        const bool editable = schemaOf(table, table->currentRow()) != nullptr;
        button->setEnabled(editable);
        button->setToolTip(editable ? tr("Edit the selected method's parameters as fields.")
                                    : tr("Select a method that has parameters. The JSON in the "
                                         "table can always be edited as text."));
    }
}

void SpecDesigner::editParams(QTableWidget* table) {
    const int row = table->currentRow();
    const auto* schema = schemaOf(table, row);
    if (!schema) return;
    const int column = paramsColumn(table);
    // The mode the method runs in: its own, else the sweep's.
    QString mode = table == methods_ ? cell(table, row, 2) : QString();
    if (mode.isEmpty()) mode = mode_->currentText();
    if (paramEditor_) paramEditor_->reject();
    auto* editor = new ParamEditor(cell(table, row, 0), *schema,
                                   spec_text::parseJsonCell(cell(table, row, column)), mode, this);
    paramEditor_ = editor;
    // The dialog is window-modal, but the row is found again by a persistent index all the same.
    const QPersistentModelIndex index(table->model()->index(row, column));
    connect(editor, &QDialog::accepted, this, [this, table, index, editor] {
        if (!index.isValid() || !editor->changed()) return;
        const nlohmann::json params = editor->params();
        // No params in a method row is an empty cell (the short form); a per-method entry is
        // an object even when empty.
        const QString text =
            params.empty() && table == methods_ ? QString() : spec_text::formatJsonCell(params);
        if (auto* item = table->item(index.row(), index.column()))
            item->setText(text);
        else
            table->setItem(index.row(), index.column(), new QTableWidgetItem(text));
    });
    connect(editor, &QDialog::finished, editor, &QObject::deleteLater);
    editor->open();
}

}  // namespace hace::views
