// The experiment designer: every field of a sweep spec (engine/runner/sweep_spec.h) as a form,
// validated as you type through the engine (SpecServices::check), with the problem list and
// the offending fields marked; load/save of spec files and the dry-run estimate (the plan of
// `hace run --dry-run`). A method's params are edited as text in their cell or as fields in the
// parameter editor (param_editor.h), which writes the cell. spec() gives back exactly what was
// loaded when nothing was edited: optional keys stay present or absent as they were, unknown keys
// are carried along (and reported by the validator).
#pragma once

#include <QPointer>
#include <QWidget>

#include <filesystem>
#include <map>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/runner/sweep_spec.h"
#include "views/designer/spec_services.h"

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QGroupBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;
class QTableWidget;
class QTimer;

namespace hace::views {

class ParamEditor;

class SpecDesigner : public QWidget {
    Q_OBJECT

public:
    explicit SpecDesigner(QWidget* parent = nullptr);

    void setServices(SpecServices services);

    // Replaces the form's content; relative paths of the spec resolve against baseDir.
    void setSpec(const nlohmann::json& spec, const std::filesystem::path& baseDir);
    nlohmann::json spec() const;
    const std::filesystem::path& baseDir() const { return baseDir_; }
    QString fileName() const { return file_; }

    // InputError (one line naming the file) when the file is missing or not a JSON object.
    void loadFile(const QString& path);
    void saveFile(const QString& path);

    // Problems of the current content (the last validation).
    const std::vector<runner::Problem>& problems() const { return problems_; }
    bool isValid() const { return problems_.empty(); }
    // Validates now instead of after the typing pause.
    void validateNow();
    // The dry-run estimate of the current content, shown in the estimate pane; false when the
    // spec is invalid or the plan failed (the reason is shown instead).
    bool dryRun();
    QString estimateText() const;
    // The parameter editor opened by the "Parameters..." button of the methods or the
    // per-method parameters table (nullptr when none is open).
    ParamEditor* paramEditor() const;

Q_SIGNALS:
    void specEdited();
    void validityChanged(bool valid);
    void fileNameChanged(const QString& path);

protected:
    void changeEvent(QEvent* event) override;

private:
    void buildUi();
    void retranslate();
    void scheduleValidation();
    void markProblems();
    QTableWidget* makeTable(int columns);
    void addRow(QTableWidget* table, const QStringList& cells);
    void removeSelectedRows(QTableWidget* table);
    QWidget* tableWithButtons(QTableWidget* table, QPushButton* add, QPushButton* remove,
                              QPushButton* extra = nullptr);
    QWidget* fieldFor(const std::string& key) const;
    static QString cell(const QTableWidget* table, int row, int column);
    // What each top-level key's widgets show, as one string: when it still equals the text at
    // load time, spec() returns the loaded value untouched.
    std::map<std::string, QString> signatures() const;
    static QString tableSignature(const QTableWidget* table);
    nlohmann::json decodingJson() const;
    // The parameter editor (spec_designer_params.cpp): the schema of the method a row names
    // (nullptr: none, or an empty one), the buttons' state, and the editor on the current row.
    const std::vector<runner::ParamInfo>* schemaOf(const QTableWidget* table, int row) const;
    void updateParamButtons();
    void editParams(QTableWidget* table);

    SpecServices services_;
    std::filesystem::path baseDir_;
    QString file_;
    nlohmann::json loaded_ = nlohmann::json::object();  // presence of optional keys, unknown keys
    std::map<std::string, QString> loadedSignatures_;
    std::vector<runner::Problem> problems_;
    bool filling_ = false;
    QTimer* validateTimer_;

    // General
    QGroupBox* generalBox_;
    QLabel *nameLabel_, *descriptionLabel_, *deviceLabel_, *dtypeLabel_, *modeLabel_,
        *samplesLabel_, *contextsLabel_, *retentionsLabel_, *batchSizeLabel_;
    QLineEdit* name_;
    QLineEdit* description_;
    QComboBox* device_;
    QComboBox* dtype_;
    QComboBox* mode_;
    QSpinBox* samplesPerTask_;
    QSpinBox* batchSize_;  // 1..256; 0 shows "auto" (spec "batch_size": "auto")
    QLineEdit* contexts_;
    QLineEdit* retentions_;
    // Lists
    QGroupBox *modelsBox_, *methodsBox_, *tasksBox_, *dataBox_, *methodParamsBox_, *headScoresBox_,
        *decodingBox_;
    QTableWidget* models_;        // dir, head_scores
    QTableWidget* methods_;       // id, name, mode, params
    QTableWidget* tasks_;         // id, samples, max_new_tokens, options
    QTableWidget* data_;          // key, folder
    QTableWidget* methodParams_;  // method id, params
    QTableWidget* headScores_;    // model, file
    std::vector<QPushButton*> addButtons_, removeButtons_;
    QPushButton* browseModel_;
    QPushButton* browseData_;
    QPushButton* editMethodParams_;  // methods_: the current row's params as fields
    QPushButton* editTableParams_;   // methodParams_: the same for a per-method entry
    QPointer<ParamEditor> paramEditor_;
    // Decoding
    QCheckBox* greedy_;
    QLabel *seedLabel_, *maxNewLabel_, *temperatureLabel_, *topPLabel_, *topKLabel_;
    QSpinBox* seed_;
    QLineEdit* maxNewTokens_;
    QDoubleSpinBox* temperature_;
    QDoubleSpinBox* topP_;
    QSpinBox* topK_;
    // Problems and estimate
    QGroupBox* problemsBox_;
    QListWidget* problemList_;
    QLabel* problemSummary_;
    QGroupBox* estimateBox_;
    QPushButton* dryRunButton_;
    QPlainTextEdit* estimate_;
};

}  // namespace hace::views
