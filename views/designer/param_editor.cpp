#include "views/designer/param_editor.h"

#include <QCheckBox>
#include <QComboBox>
#include <QCoreApplication>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QGridLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPushButton>
#include <QScrollArea>
#include <QSpinBox>
#include <QVBoxLayout>

#include <algorithm>
#include <climits>
#include <cmath>

#include "engine/core/param_rule.h"

namespace hace::views {
namespace {

using nlohmann::json;

// Bounds of a field whose rule has none: wide enough for any setting of these parameters.
constexpr double kNumberLimit = 1e9;

// Decimals that show `v` exactly (up to 12), at least `least`.
int decimalsFor(double v, int least) {
    int d = least;
    while (d < 12) {
        const double scale = std::pow(10.0, d);
        if (std::abs(std::round(v * scale) / scale - v) <= 1e-12 * std::max(1.0, std::abs(v)))
            break;
        ++d;
    }
    return d;
}

// A number field that shows its value without trailing zeros and reads '.' in every language,
// as JSON writes it. The range is the rule's, rounded inwards to the shown decimals, so that no
// value outside the rule can be entered.
class NumberBox : public QDoubleSpinBox {
public:
    NumberBox(const ParamRule& rule, const json& given, const json& fallback, QWidget* parent)
        : QDoubleSpinBox(parent) {
        setLocale(QLocale::c());
        int decimals = 6;
        for (const auto& v : {given, fallback}) {
            if (v.is_number()) decimals = decimalsFor(v.get<double>(), decimals);
        }
        if (rule.min) decimals = decimalsFor(*rule.min, decimals);
        if (rule.max) decimals = decimalsFor(*rule.max, decimals);
        setDecimals(decimals);
        const double scale = std::pow(10.0, decimals);
        const double lo = rule.min ? std::ceil(*rule.min * scale) / scale : -kNumberLimit;
        const double hi = rule.max ? std::floor(*rule.max * scale) / scale : kNumberLimit;
        setRange(std::max(lo, -kNumberLimit), std::min(hi, kNumberLimit));
        setStepType(QAbstractSpinBox::AdaptiveDecimalStepType);
    }

protected:
    QString textFromValue(double value) const override {
        QString t = QLocale::c().toString(value, 'f', decimals());
        if (t.contains(QLatin1Char('.'))) {
            while (t.endsWith(QLatin1Char('0'))) t.chop(1);
            if (t.endsWith(QLatin1Char('.'))) t.chop(1);
        }
        return t;
    }
};

// Whether the field shows `given` exactly (numbers compared as numbers: 2 and 2.0 are equal).
bool sameValue(const json& shown, const json& given) {
    if (shown.is_number() && given.is_number()) {
        const double a = shown.get<double>(), b = given.get<double>();
        return std::abs(a - b) <= 1e-12 * std::max(1.0, std::abs(b));
    }
    return shown == given;
}

int intBound(const std::optional<double>& b, int fallback, bool lower) {
    if (!b) return fallback;
    const double v = lower ? std::ceil(*b) : std::floor(*b);
    return static_cast<int>(
        std::clamp(v, static_cast<double>(INT_MIN), static_cast<double>(INT_MAX)));
}

}  // namespace

struct ParamEditor::Row {
    runner::ParamInfo info;
    std::optional<json> given;  // the key's value in the cell (null included), if present
    QLabel* name = nullptr;
    QWidget* editor = nullptr;
    QCheckBox* useDefault = nullptr;
    QLabel* note = nullptr;  // a given value that no widget can show
    bool touched = false;
};

ParamEditor::ParamEditor(const QString& method, std::vector<runner::ParamInfo> schema,
                         const json& params, const QString& mode, QWidget* parent)
    : QDialog(parent), mode_(mode) {
    setWindowTitle(tr("Parameters of %1").arg(method));
    given_ = params.is_object() ? params : json::object();
    replaces_ = !params.is_object() && !params.is_null();
    auto* layout = new QVBoxLayout(this);
    if (replaces_) {
        auto* warning = new QLabel(
            tr("The parameters are not a JSON object (%1); OK replaces them with the fields below.")
                .arg(QString::fromStdString(params.is_string() ? params.get<std::string>()
                                                               : params.dump())),
            this);
        warning->setWordWrap(true);
        layout->addWidget(warning);
    }
    auto* form = new QWidget(this);
    auto* grid = new QGridLayout(form);
    grid->addWidget(new QLabel(tr("<b>Parameter</b>"), form), 0, 0);
    grid->addWidget(new QLabel(tr("<b>Value</b>"), form), 0, 1);
    grid->addWidget(new QLabel(tr("<b>Default</b>"), form), 0, 2);
    grid->addWidget(new QLabel(tr("<b>Mode</b>"), form), 0, 3);
    rows_.reserve(schema.size());
    for (const auto& info : schema) addRow(grid, info);
    QStringList extra;
    for (const auto& [key, value] : given_.items()) {
        const auto known = std::find_if(schema.begin(), schema.end(),
                                        [&](const runner::ParamInfo& p) { return p.key == key; });
        if (known == schema.end())
            extra << QStringLiteral("%1 = %2").arg(QString::fromStdString(key),
                                                   QString::fromStdString(value.dump()));
    }
    if (!extra.isEmpty()) {
        auto* others = new QLabel(
            tr("Not parameters of this method (kept as they are; the validation reports them): "
               "%1")
                .arg(extra.join(QStringLiteral(", "))),
            form);
        others->setWordWrap(true);
        others->setObjectName(QStringLiteral("extraKeys"));
        grid->addWidget(others, grid->rowCount(), 0, 1, 4);
    }
    grid->setRowStretch(grid->rowCount(), 1);
    auto* scroll = new QScrollArea(this);
    scroll->setWidgetResizable(true);
    scroll->setWidget(form);
    layout->addWidget(scroll);

    auto* buttons = new QDialogButtonBox(
        QDialogButtonBox::Ok | QDialogButtonBox::Cancel | QDialogButtonBox::RestoreDefaults, this);
    buttons->button(QDialogButtonBox::RestoreDefaults)->setText(tr("All defaults"));
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(buttons->button(QDialogButtonBox::RestoreDefaults), &QPushButton::clicked, this,
            [this] {
                for (auto& row : rows_) row.useDefault->setChecked(true);
            });
    layout->addWidget(buttons);
    resize(720, 480);
    building_ = false;
}

ParamEditor::~ParamEditor() = default;

QString ParamEditor::modeText(const std::string& mode) const {
    if (mode == "equal") return tr("equal only");
    if (mode == "faithful") return tr("faithful only");
    return tr("both modes");
}

QString ParamEditor::valueText(const json& value) const {
    if (value.is_string() && value.get<std::string>().empty()) return tr("(empty)");
    if (value.is_string()) return QString::fromStdString(value.get<std::string>());
    if (value.is_boolean()) return value.get<bool>() ? tr("on") : tr("off");
    return QString::fromStdString(value.dump());
}

void ParamEditor::addRow(QGridLayout* grid, const runner::ParamInfo& info) {
    const std::size_t index = rows_.size();
    Row& row = rows_.emplace_back();
    row.info = info;
    if (const auto it = given_.find(info.key); it != given_.end()) row.given = *it;
    QWidget* form = grid->parentWidget();
    const int r = grid->rowCount();
    const QString help = QCoreApplication::translate("hace::kv::Params", info.help.c_str());
    const json given = row.given ? *row.given : json();
    const auto touch = [this, index] {
        if (!building_) rows_[index].touched = true;
    };

    row.name = new QLabel(QString::fromStdString(info.key), form);
    row.name->setToolTip(help);
    switch (info.rule.type) {
        case ParamType::Number: {
            auto* box = new NumberBox(info.rule, given, info.default_value, form);
            connect(box, &QDoubleSpinBox::valueChanged, this, touch);
            row.editor = box;
            break;
        }
        case ParamType::Integer: {
            auto* box = new QSpinBox(form);
            box->setLocale(QLocale::c());
            box->setRange(intBound(info.rule.min, INT_MIN, true),
                          intBound(info.rule.max, INT_MAX, false));
            connect(box, &QSpinBox::valueChanged, this, touch);
            row.editor = box;
            break;
        }
        case ParamType::Bool: {
            auto* box = new QCheckBox(form);
            connect(box, &QCheckBox::toggled, this, touch);
            row.editor = box;
            break;
        }
        case ParamType::String: {
            auto* box = new QComboBox(form);
            // The default ("" = the method's own choice) first, then every allowed string; with
            // no list any text is allowed.
            box->setEditable(info.choices.empty());
            if (box->isEditable()) {
                box->addItem(QString(), QString());
                box->lineEdit()->setPlaceholderText(tr("(default)"));
            } else {
                box->addItem(tr("(default)"), QString());
            }
            for (const auto& c : info.choices) {
                box->addItem(QString::fromStdString(c), QString::fromStdString(c));
            }
            connect(box, &QComboBox::currentIndexChanged, this, touch);
            connect(box, &QComboBox::editTextChanged, this, touch);
            row.editor = box;
            break;
        }
    }
    row.editor->setObjectName(QString::fromStdString(info.key));
    row.editor->setToolTip(help);

    row.useDefault = new QCheckBox(tr("default: %1").arg(valueText(info.default_value)), form);
    row.useDefault->setToolTip(tr("Leave the key out: the method's own default applies."));
    connect(row.useDefault, &QCheckBox::toggled, this, [this, index](bool on) {
        if (!building_) rows_[index].touched = true;
        setDefaultShown(rows_[index], on);
    });

    auto* modeLabel = new QLabel(modeText(info.mode), form);
    const bool applies = mode_.isEmpty() || info.mode == "both" || info.mode == mode_.toStdString();
    if (!applies) {
        row.name->setEnabled(false);
        modeLabel->setToolTip(tr("Not read in the %1 mode this method runs in.").arg(mode_));
    }

    // The help line, then what the default means where it is a stand-in (0: "the selector's").
    QString helpLine = help;
    if (!info.defaulted)
        helpLine += QLatin1Char(' ') + tr("(read only by a selector that uses it)");
    if (!info.default_meaning.empty()) {
        helpLine = tr("%1. Default: %2.")
                       .arg(helpLine, QCoreApplication::translate("hace::kv::Params",
                                                                  info.default_meaning.c_str()));
    }
    auto* helpLabel = new QLabel(helpLine, form);
    helpLabel->setWordWrap(true);
    helpLabel->setEnabled(false);  // the greyed second line of the row
    row.note = new QLabel(form);
    row.note->setWordWrap(true);
    row.note->hide();

    grid->addWidget(row.name, r, 0);
    grid->addWidget(row.editor, r, 1);
    grid->addWidget(row.useDefault, r, 2);
    grid->addWidget(modeLabel, r, 3);
    grid->addWidget(helpLabel, r + 1, 1, 1, 3);
    grid->addWidget(row.note, r + 2, 1, 1, 3);

    // Absent or null: the default; a value the field shows as it is: shown; any other value
    // (wrong type, out of range): kept until the field is changed, with the reason.
    const bool useDefault = given.is_null();
    showValue(row, useDefault ? info.default_value : given);
    if (!useDefault && !sameValue(widgetValue(row), given)) {
        const std::string problem = check_param_value(info.key, info.rule, given);
        row.note->setText(tr("The JSON has %1 here (%2); it is kept until you change this field.")
                              .arg(QString::fromStdString(given.dump()),
                                   problem.empty() ? tr("more than this field can show")
                                                   : QString::fromStdString(problem)));
        row.note->show();
        showValue(row, info.default_value);
    }
    row.useDefault->setChecked(useDefault);
    setDefaultShown(row, useDefault);
}

void ParamEditor::setDefaultShown(Row& row, bool useDefault) {
    row.editor->setEnabled(!useDefault);
    if (useDefault) {
        const bool wasBuilding = building_;
        building_ = true;  // showing the default is not an edit of the value
        showValue(row, row.info.default_value);
        building_ = wasBuilding;
    }
}

void ParamEditor::showValue(Row& row, const json& value) {
    if (auto* box = qobject_cast<QDoubleSpinBox*>(row.editor)) {
        if (value.is_number()) box->setValue(value.get<double>());
    } else if (auto* box = qobject_cast<QSpinBox*>(row.editor)) {
        if (value.is_number())
            box->setValue(static_cast<int>(
                std::clamp(value.get<double>(), double(INT_MIN), double(INT_MAX))));
    } else if (auto* box = qobject_cast<QCheckBox*>(row.editor)) {
        if (value.is_boolean()) box->setChecked(value.get<bool>());
    } else if (auto* box = qobject_cast<QComboBox*>(row.editor)) {
        if (!value.is_string()) return;
        const QString text = QString::fromStdString(value.get<std::string>());
        const int i = box->findData(text);
        if (i >= 0)
            box->setCurrentIndex(i);
        else if (box->isEditable())
            box->setEditText(text);
    }
}

json ParamEditor::widgetValue(const Row& row) {
    if (const auto* box = qobject_cast<const QDoubleSpinBox*>(row.editor)) return box->value();
    if (const auto* box = qobject_cast<const QSpinBox*>(row.editor))
        return static_cast<std::int64_t>(box->value());
    if (const auto* box = qobject_cast<const QCheckBox*>(row.editor)) return box->isChecked();
    // A free-text field is its text; a list's entries carry their value (the default's shows a
    // label).
    const auto* box = qobject_cast<const QComboBox*>(row.editor);
    if (box->isEditable()) return box->currentText().toStdString();
    return box->currentData().toString().toStdString();
}

json ParamEditor::params() const {
    json out = given_;
    for (const auto& row : rows_) {
        if (!row.touched) continue;  // as given (absent, null or a value)
        if (row.useDefault->isChecked())
            out.erase(row.info.key);
        else
            out[row.info.key] = widgetValue(row);
    }
    return out;
}

bool ParamEditor::changed() const {
    return replaces_ || params() != given_;
}

int ParamEditor::rowCount() const {
    return static_cast<int>(rows_.size());
}

QWidget* ParamEditor::editorFor(const std::string& key) const {
    for (const auto& row : rows_) {
        if (row.info.key == key) return row.editor;
    }
    return nullptr;
}

QCheckBox* ParamEditor::defaultToggleFor(const std::string& key) const {
    for (const auto& row : rows_) {
        if (row.info.key == key) return row.useDefault;
    }
    return nullptr;
}

QStringList ParamEditor::extraKeys() const {
    QStringList out;
    for (const auto& [key, value] : given_.items()) {
        if (!editorFor(key)) out << QString::fromStdString(key);
    }
    return out;
}

}  // namespace hace::views
