// The designer's widgets, validation and estimate; the form <-> JSON mapping is in
// spec_designer_json.cpp.
#include "views/designer/spec_designer.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QEvent>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMenu>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QSpinBox>
#include <QSplitter>
#include <QStyle>
#include <QTableWidget>
#include <QTimer>
#include <QVBoxLayout>

#include <QFontDatabase>

#include <algorithm>
#include <cstdlib>
#include <exception>
#include <functional>
#include <limits>
#include <utility>

#include "engine/runner/batch_size.h"

#include "engine/runner/plan_report.h"

namespace hace::views {

SpecDesigner::SpecDesigner(QWidget* parent) : QWidget(parent) {
    validateTimer_ = new QTimer(this);
    validateTimer_->setSingleShot(true);
    validateTimer_->setInterval(250);
    connect(validateTimer_, &QTimer::timeout, this, &SpecDesigner::validateNow);
    buildUi();
    retranslate();
    setSpec(nlohmann::json::object(), std::filesystem::current_path());
}

void SpecDesigner::setServices(SpecServices services) {
    services_ = std::move(services);
    updateParamButtons();
    validateNow();
}

QTableWidget* SpecDesigner::makeTable(int columns) {
    auto* t = new QTableWidget(0, columns, this);
    t->verticalHeader()->setVisible(false);
    t->horizontalHeader()->setStretchLastSection(true);
    t->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    t->setSelectionBehavior(QAbstractItemView::SelectRows);
    t->setMinimumHeight(90);
    t->setMaximumHeight(170);
    connect(t, &QTableWidget::itemChanged, this, &SpecDesigner::scheduleValidation);
    return t;
}

void SpecDesigner::addRow(QTableWidget* table, const QStringList& cells) {
    const int row = table->rowCount();
    table->insertRow(row);
    for (int c = 0; c < table->columnCount(); ++c) {
        table->setItem(row, c, new QTableWidgetItem(c < cells.size() ? cells[c] : QString()));
    }
}

void SpecDesigner::removeSelectedRows(QTableWidget* table) {
    QList<int> rows;
    for (const auto& range : table->selectedRanges()) {
        for (int r = range.topRow(); r <= range.bottomRow(); ++r) rows << r;
    }
    if (rows.isEmpty() && table->currentRow() >= 0) rows << table->currentRow();
    std::sort(rows.begin(), rows.end(), std::greater<int>());
    for (const int r : rows) table->removeRow(r);
    scheduleValidation();
}

QWidget* SpecDesigner::tableWithButtons(QTableWidget* table, QPushButton* add, QPushButton* remove,
                                        QPushButton* extra) {
    auto* box = new QWidget(this);
    auto* layout = new QVBoxLayout(box);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(table);
    auto* row = new QHBoxLayout;
    row->addWidget(add);
    if (extra) row->addWidget(extra);
    row->addWidget(remove);
    row->addStretch(1);
    layout->addLayout(row);
    addButtons_.push_back(add);
    removeButtons_.push_back(remove);
    connect(remove, &QPushButton::clicked, this, [this, table] { removeSelectedRows(table); });
    return box;
}

QString SpecDesigner::cell(const QTableWidget* table, int row, int column) {
    const auto* item = table->item(row, column);
    return item ? item->text().trimmed() : QString();
}

void SpecDesigner::buildUi() {
    const auto onEdit = [this] { scheduleValidation(); };
    generalBox_ = new QGroupBox(this);
    name_ = new QLineEdit(this);
    description_ = new QLineEdit(this);
    device_ = new QComboBox(this);
    device_->setEditable(true);
    device_->addItems({QStringLiteral("cpu"), QStringLiteral("cuda"), QStringLiteral("cuda:0")});
    dtype_ = new QComboBox(this);
    dtype_->addItems({QStringLiteral("f32"), QStringLiteral("f16"), QStringLiteral("bf16")});
    mode_ = new QComboBox(this);
    mode_->addItems({QStringLiteral("equal"), QStringLiteral("faithful")});
    samplesPerTask_ = new QSpinBox(this);
    samplesPerTask_->setRange(1, 10'000'000);
    batchSize_ = new QSpinBox(this);
    batchSize_->setObjectName(QStringLiteral("batchSize"));
    batchSize_->setRange(0, static_cast<int>(runner::kMaxBatchSize));  // 0: "auto"
    batchSize_->setValue(1);
    contexts_ = new QLineEdit(this);
    retentions_ = new QLineEdit(this);
    nameLabel_ = new QLabel(this);
    descriptionLabel_ = new QLabel(this);
    deviceLabel_ = new QLabel(this);
    dtypeLabel_ = new QLabel(this);
    modeLabel_ = new QLabel(this);
    samplesLabel_ = new QLabel(this);
    contextsLabel_ = new QLabel(this);
    retentionsLabel_ = new QLabel(this);
    batchSizeLabel_ = new QLabel(this);
    auto* general = new QFormLayout(generalBox_);
    general->addRow(nameLabel_, name_);
    general->addRow(descriptionLabel_, description_);
    general->addRow(contextsLabel_, contexts_);
    general->addRow(retentionsLabel_, retentions_);
    general->addRow(samplesLabel_, samplesPerTask_);
    general->addRow(batchSizeLabel_, batchSize_);
    general->addRow(deviceLabel_, device_);
    general->addRow(dtypeLabel_, dtype_);
    general->addRow(modeLabel_, mode_);
    for (auto* e : {name_, description_, contexts_, retentions_}) {
        connect(e, &QLineEdit::textChanged, this, onEdit);
    }
    connect(device_, &QComboBox::currentTextChanged, this, onEdit);
    connect(dtype_, &QComboBox::currentTextChanged, this, onEdit);
    connect(mode_, &QComboBox::currentTextChanged, this, onEdit);
    connect(samplesPerTask_, &QSpinBox::valueChanged, this, onEdit);
    connect(batchSize_, &QSpinBox::valueChanged, this, onEdit);

    const auto box = [this](QGroupBox*& b, QWidget* content) {
        b = new QGroupBox(this);
        auto* l = new QVBoxLayout(b);
        l->addWidget(content);
        return b;
    };
    models_ = makeTable(2);
    methods_ = makeTable(4);
    tasks_ = makeTable(4);
    data_ = makeTable(2);
    methodParams_ = makeTable(2);
    headScores_ = makeTable(2);

    auto* addModel = new QPushButton(this);
    browseModel_ = new QPushButton(this);
    connect(addModel, &QPushButton::clicked, this, [this] { addRow(models_, {}); });
    connect(browseModel_, &QPushButton::clicked, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Model folder"));
        if (!dir.isEmpty()) addRow(models_, {dir});
    });
    auto* addMethod = new QPushButton(this);
    connect(addMethod, &QPushButton::clicked, this, [this, addMethod] {
        QMenu menu(this);
        for (const auto& id : services_.methodIds) {
            menu.addAction(QString::fromStdString(id), this,
                           [this, id] { addRow(methods_, {QString::fromStdString(id)}); });
        }
        if (services_.methodIds.empty())
            addRow(methods_, {});
        else
            menu.exec(addMethod->mapToGlobal(QPoint(0, addMethod->height())));
    });
    auto* addTask = new QPushButton(this);
    connect(addTask, &QPushButton::clicked, this, [this, addTask] {
        QMenu menu(this);
        for (const auto& id : services_.taskIds) {
            menu.addAction(QString::fromStdString(id), this,
                           [this, id] { addRow(tasks_, {QString::fromStdString(id)}); });
        }
        if (services_.taskIds.empty())
            addRow(tasks_, {});
        else
            menu.exec(addTask->mapToGlobal(QPoint(0, addTask->height())));
    });
    auto* addData = new QPushButton(this);
    browseData_ = new QPushButton(this);
    connect(addData, &QPushButton::clicked, this, [this] { addRow(data_, {}); });
    connect(browseData_, &QPushButton::clicked, this, [this] {
        const int row = data_->currentRow();
        if (row < 0) return;
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Data folder"));
        if (!dir.isEmpty()) data_->item(row, 1)->setText(dir);
    });
    auto* addParams = new QPushButton(this);
    connect(addParams, &QPushButton::clicked, this, [this] {
        addRow(methodParams_, {QString(), QStringLiteral("{}")});
    });
    auto* addScores = new QPushButton(this);
    connect(addScores, &QPushButton::clicked, this, [this] { addRow(headScores_, {}); });

    editMethodParams_ = new QPushButton(this);
    editMethodParams_->setObjectName(QStringLiteral("editMethodParams"));
    editTableParams_ = new QPushButton(this);
    editTableParams_->setObjectName(QStringLiteral("editTableParams"));
    for (auto [table, button] :
         {std::pair{methods_, editMethodParams_}, std::pair{methodParams_, editTableParams_}}) {
        connect(button, &QPushButton::clicked, this, [this, table] { editParams(table); });
        connect(table, &QTableWidget::currentCellChanged, this, &SpecDesigner::updateParamButtons);
        connect(table, &QTableWidget::itemChanged, this, &SpecDesigner::updateParamButtons);
    }

    auto* modelsW = tableWithButtons(models_, addModel, new QPushButton(this), browseModel_);
    auto* methodsW =
        tableWithButtons(methods_, addMethod, new QPushButton(this), editMethodParams_);
    auto* tasksW = tableWithButtons(tasks_, addTask, new QPushButton(this));
    auto* dataW = tableWithButtons(data_, addData, new QPushButton(this), browseData_);
    auto* paramsW =
        tableWithButtons(methodParams_, addParams, new QPushButton(this), editTableParams_);
    auto* scoresW = tableWithButtons(headScores_, addScores, new QPushButton(this));

    auto* decodingW = new QWidget(this);
    greedy_ = new QCheckBox(this);
    seed_ = new QSpinBox(this);
    seed_->setRange(0, std::numeric_limits<int>::max());
    maxNewTokens_ = new QLineEdit(this);
    temperature_ = new QDoubleSpinBox(this);
    temperature_->setRange(0.0, 10.0);
    temperature_->setDecimals(6);
    topP_ = new QDoubleSpinBox(this);
    topP_->setRange(0.0, 1.0);
    topP_->setDecimals(6);
    topK_ = new QSpinBox(this);
    topK_->setRange(0, 1'000'000);
    seedLabel_ = new QLabel(this);
    maxNewLabel_ = new QLabel(this);
    temperatureLabel_ = new QLabel(this);
    topPLabel_ = new QLabel(this);
    topKLabel_ = new QLabel(this);
    auto* decoding = new QFormLayout(decodingW);
    decoding->addRow(QString(), greedy_);
    decoding->addRow(seedLabel_, seed_);
    decoding->addRow(maxNewLabel_, maxNewTokens_);
    decoding->addRow(temperatureLabel_, temperature_);
    decoding->addRow(topPLabel_, topP_);
    decoding->addRow(topKLabel_, topK_);
    connect(greedy_, &QCheckBox::toggled, this, onEdit);
    connect(seed_, &QSpinBox::valueChanged, this, onEdit);
    connect(maxNewTokens_, &QLineEdit::textChanged, this, onEdit);
    connect(temperature_, &QDoubleSpinBox::valueChanged, this, onEdit);
    connect(topP_, &QDoubleSpinBox::valueChanged, this, onEdit);
    connect(topK_, &QSpinBox::valueChanged, this, onEdit);

    auto* form = new QWidget(this);
    auto* formLayout = new QVBoxLayout(form);
    formLayout->addWidget(generalBox_);
    formLayout->addWidget(box(modelsBox_, modelsW));
    formLayout->addWidget(box(methodsBox_, methodsW));
    formLayout->addWidget(box(tasksBox_, tasksW));
    formLayout->addWidget(box(dataBox_, dataW));
    formLayout->addWidget(box(decodingBox_, decodingW));
    formLayout->addWidget(box(methodParamsBox_, paramsW));
    formLayout->addWidget(box(headScoresBox_, scoresW));
    formLayout->addStretch(1);
    auto* scroll = new QScrollArea(this);
    scroll->setWidgetResizable(true);
    scroll->setWidget(form);

    problemsBox_ = new QGroupBox(this);
    problemSummary_ = new QLabel(this);
    problemSummary_->setWordWrap(true);
    problemList_ = new QListWidget(this);
    problemList_->setWordWrap(true);
    auto* pl = new QVBoxLayout(problemsBox_);
    pl->addWidget(problemSummary_);
    pl->addWidget(problemList_);
    connect(problemList_, &QListWidget::itemActivated, this, [this, scroll](QListWidgetItem* item) {
        const std::string path = item->data(Qt::UserRole).toString().toStdString();
        const std::string key = path.substr(0, path.find_first_of(".["));
        if (QWidget* w = fieldFor(key)) {
            scroll->ensureWidgetVisible(w);
            w->setFocus();
        }
    });
    estimateBox_ = new QGroupBox(this);
    dryRunButton_ = new QPushButton(this);
    estimate_ = new QPlainTextEdit(this);
    estimate_->setReadOnly(true);
    estimate_->setLineWrapMode(QPlainTextEdit::NoWrap);
    estimate_->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    auto* el = new QVBoxLayout(estimateBox_);
    el->addWidget(dryRunButton_);
    el->addWidget(estimate_);
    connect(dryRunButton_, &QPushButton::clicked, this, [this] { dryRun(); });

    auto* side = new QSplitter(Qt::Vertical, this);
    side->addWidget(problemsBox_);
    side->addWidget(estimateBox_);
    auto* split = new QSplitter(Qt::Horizontal, this);
    split->addWidget(scroll);
    split->addWidget(side);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(split);
}

void SpecDesigner::scheduleValidation() {
    if (filling_) return;
    Q_EMIT specEdited();
    validateTimer_->start();
}

void SpecDesigner::validateNow() {
    validateTimer_->stop();
    const bool wasValid = problems_.empty();
    const auto spec = runner::parse_sweep_spec(
        this->spec(), baseDir_, file_.isEmpty() ? "<designer>" : file_.toStdString());
    problems_ = services_.check ? services_.check(spec) : spec.problems;
    markProblems();
    if (wasValid != problems_.empty()) Q_EMIT validityChanged(problems_.empty());
}

QWidget* SpecDesigner::fieldFor(const std::string& key) const {
    if (key == "name") return name_;
    if (key == "description") return description_;
    if (key == "device") return device_;
    if (key == "dtype") return dtype_;
    if (key == "mode") return mode_;
    if (key == "samples_per_task") return samplesPerTask_;
    if (key == "batch_size") return batchSize_;
    if (key == "context_lengths") return contexts_;
    if (key == "retentions") return retentions_;
    if (key == "models") return models_;
    if (key == "methods") return methods_;
    if (key == "tasks") return tasks_;
    if (key == "data") return data_;
    if (key == "decoding") return decodingBox_;
    if (key == "method_params") return methodParams_;
    if (key == "head_scores") return headScores_;
    return nullptr;
}

void SpecDesigner::markProblems() {
    const QColor bad(0xf8, 0xd7, 0xd7);
    const QString badStyle = QStringLiteral("border: 1px solid #c62828;");
    for (auto* w : std::initializer_list<QWidget*>{name_, description_, device_, dtype_, mode_,
                                                   samplesPerTask_, batchSize_, contexts_,
                                                   retentions_, decodingBox_}) {
        w->setStyleSheet(QString());
        w->setToolTip(QString());
    }
    for (auto* t : {models_, methods_, tasks_, data_, methodParams_, headScores_}) {
        const QSignalBlocker block(t);
        for (int r = 0; r < t->rowCount(); ++r) {
            for (int c = 0; c < t->columnCount(); ++c) {
                if (auto* item = t->item(r, c)) {
                    item->setBackground(QBrush());
                    item->setToolTip(QString());
                }
            }
        }
    }
    problemList_->clear();
    std::map<QWidget*, QStringList> tips;
    for (const auto& p : problems_) {
        auto* item = new QListWidgetItem(style()->standardIcon(QStyle::SP_MessageBoxWarning),
                                         QString::fromStdString(p.text()), problemList_);
        item->setData(Qt::UserRole, QString::fromStdString(p.path));
        const std::string key = p.path.substr(0, p.path.find_first_of(".["));
        QWidget* w = fieldFor(key);
        if (!w) continue;
        auto* table = qobject_cast<QTableWidget*>(w);
        if (!table) {
            tips[w] << QString::fromStdString(p.message);
            continue;
        }
        // The row: "methods[2]..." by index, "data.longbench" by the key in column 0.
        int row = -1;
        const std::string rest = p.path.substr(key.size());
        if (!rest.empty() && rest[0] == '[') {
            row = std::atoi(rest.c_str() + 1);
        } else if (!rest.empty() && rest[0] == '.') {
            const QString sub =
                QString::fromStdString(rest.substr(1, rest.find_first_of(".[", 1) - 1));
            for (int r = 0; r < table->rowCount(); ++r) {
                if (cell(table, r, 0) == sub) row = r;
            }
        }
        const QSignalBlocker block(table);
        for (int r = 0; r < table->rowCount(); ++r) {
            if (row >= 0 && r != row) continue;
            for (int c = 0; c < table->columnCount(); ++c) {
                if (auto* it = table->item(r, c)) {
                    it->setBackground(bad);
                    it->setToolTip(QString::fromStdString(p.message));
                }
            }
        }
    }
    for (const auto& [w, messages] : tips) {
        w->setStyleSheet(badStyle);
        w->setToolTip(messages.join(QLatin1Char('\n')));
    }
    problemSummary_->setText(problems_.empty()
                                 ? tr("No problems: the sweep can run.")
                                 : tr("%n problem(s) must be fixed before the sweep can run.",
                                      nullptr, static_cast<int>(problems_.size())));
}

bool SpecDesigner::dryRun() {
    validateNow();
    if (!problems_.empty()) {
        estimate_->setPlainText(tr("Fix the problems first."));
        return false;
    }
    if (!services_.plan) {
        estimate_->setPlainText(tr("No planner available."));
        return false;
    }
    try {
        const auto spec = runner::parse_sweep_spec(
            this->spec(), baseDir_, file_.isEmpty() ? "<designer>" : file_.toStdString());
        const auto plan = services_.plan(spec);
        estimate_->setPlainText(QString::fromStdString(runner::plan_text(plan)));
        return true;
    } catch (const std::exception& e) {
        estimate_->setPlainText(QString::fromStdString(e.what()));
        return false;
    }
}

QString SpecDesigner::estimateText() const {
    return estimate_->toPlainText();
}

void SpecDesigner::changeEvent(QEvent* event) {
    if (event->type() == QEvent::LanguageChange) retranslate();
    QWidget::changeEvent(event);
}

void SpecDesigner::retranslate() {
    generalBox_->setTitle(tr("Sweep"));
    nameLabel_->setText(tr("Name:"));
    descriptionLabel_->setText(tr("Description:"));
    contextsLabel_->setText(tr("Context lengths:"));
    contexts_->setPlaceholderText(tr("tokens, comma separated, e.g. 4096, 8192"));
    retentionsLabel_->setText(tr("Retention ratios:"));
    retentions_->setPlaceholderText(tr("fractions in (0, 1], e.g. 0.005, 0.01, 0.05"));
    samplesLabel_->setText(tr("Samples per task:"));
    batchSizeLabel_->setText(tr("Batch size:"));
    batchSize_->setSpecialValueText(tr("auto"));
    batchSize_->setStatusTip(
        tr("Samples decoded together (same results); auto: the most that fit in memory, "
           "%1% kept free")
            .arg(static_cast<int>(runner::kAutoBatchMargin * 100.0 + 0.5)));
    deviceLabel_->setText(tr("Device:"));
    dtypeLabel_->setText(tr("Data type:"));
    modeLabel_->setText(tr("Mode:"));
    mode_->setToolTip(
        tr("equal: the equal-budget readings; faithful: each reference "
           "implementation's own rules"));
    modelsBox_->setTitle(tr("Models"));
    models_->setHorizontalHeaderLabels({tr("Model folder"), tr("Head scores file (optional)")});
    methodsBox_->setTitle(tr("Methods"));
    methods_->setHorizontalHeaderLabels(
        {tr("Method"), tr("Label (optional)"), tr("Mode (optional)"), tr("Parameters (JSON)")});
    tasksBox_->setTitle(tr("Tasks"));
    tasks_->setHorizontalHeaderLabels({tr("Task"), tr("Samples (optional)"),
                                       tr("Max new tokens (optional)"), tr("Options (JSON)")});
    dataBox_->setTitle(tr("Data folders"));
    data_->setHorizontalHeaderLabels({tr("Key"), tr("Folder")});
    decodingBox_->setTitle(tr("Decoding"));
    greedy_->setText(tr("Greedy decoding"));
    seedLabel_->setText(tr("Seed:"));
    maxNewLabel_->setText(tr("Max new tokens:"));
    maxNewTokens_->setPlaceholderText(tr("the task's default"));
    temperatureLabel_->setText(tr("Temperature:"));
    topPLabel_->setText(tr("Top-p:"));
    topKLabel_->setText(tr("Top-k:"));
    methodParamsBox_->setTitle(tr("Parameters per method"));
    methodParams_->setHorizontalHeaderLabels({tr("Method"), tr("Parameters (JSON)")});
    headScoresBox_->setTitle(tr("Head scores per model"));
    headScores_->setHorizontalHeaderLabels({tr("Model"), tr("Head scores file")});
    for (auto* b : addButtons_) b->setText(tr("Add"));
    for (auto* b : removeButtons_) b->setText(tr("Remove"));
    browseModel_->setText(tr("Add folder..."));
    browseData_->setText(tr("Choose folder..."));
    editMethodParams_->setText(tr("Parameters..."));
    editTableParams_->setText(tr("Parameters..."));
    updateParamButtons();
    problemsBox_->setTitle(tr("Problems"));
    estimateBox_->setTitle(tr("Estimate"));
    dryRunButton_->setText(tr("Dry run: plan and estimate"));
    markProblems();
}

}  // namespace hace::views
