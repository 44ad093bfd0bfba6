// Export of a figure for a paper: format (PDF/SVG/PNG), width preset (single or double
// column), PNG resolution, font size and title, with a live preview at the chosen size.
// Remembers its last choices (QSettings "export/...").
#pragma once

#include <QDialog>

#include <memory>

#include "views/plot/figure.h"
#include "views/plot/figure_export.h"

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QSpinBox;

namespace hace::views {

class FigureView;

class ExportDialog : public QDialog {
    Q_OBJECT

public:
    ExportDialog(std::shared_ptr<const Figure> figure, const QString& baseName,
                 QWidget* parent = nullptr);

    ExportOptions options() const;
    QString path() const;
    void setPath(const QString& path);

    // Writes the file; false (with a message box) on failure.
    bool exportNow();

public Q_SLOTS:
    void accept() override;

protected:
    void changeEvent(QEvent* event) override;

private:
    void retranslate();
    void browse();
    void syncFormatFromPath();
    void updatePreview();

    std::shared_ptr<const Figure> figure_;
    QComboBox* format_;
    QComboBox* width_;
    QSpinBox* dpi_;
    QDoubleSpinBox* fontPt_;
    QCheckBox* title_;
    QLineEdit* path_;
    QLabel* sizeLabel_;
    QLabel* preview_;
    QLabel* formatLabel_;
    QLabel* widthLabel_;
    QLabel* dpiLabel_;
    QLabel* fontLabel_;
    QLabel* pathLabel_;
    class QPushButton* browse_;
};

}  // namespace hace::views
