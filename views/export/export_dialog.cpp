#include "views/export/export_dialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPixmap>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QVBoxLayout>

#include <algorithm>
#include <exception>

namespace hace::views {

ExportDialog::ExportDialog(std::shared_ptr<const Figure> figure, const QString& baseName,
                           QWidget* parent)
    : QDialog(parent), figure_(std::move(figure)) {
    QSettings settings;
    format_ = new QComboBox(this);
    for (const auto f : {ExportFormat::Pdf, ExportFormat::Svg, ExportFormat::Png}) {
        format_->addItem(QString::fromLatin1(exportFormatId(f)).toUpper(), static_cast<int>(f));
    }
    format_->setCurrentIndex(settings.value(QStringLiteral("export/format"), 0).toInt());
    width_ = new QComboBox(this);
    width_->addItem(QString(), static_cast<int>(FigureWidth::SingleColumn));
    width_->addItem(QString(), static_cast<int>(FigureWidth::DoubleColumn));
    width_->setCurrentIndex(settings.value(QStringLiteral("export/width"), 0).toInt());
    dpi_ = new QSpinBox(this);
    dpi_->setRange(36, 2400);
    dpi_->setValue(settings.value(QStringLiteral("export/dpi"), 300).toInt());
    fontPt_ = new QDoubleSpinBox(this);
    fontPt_->setRange(0.0, 24.0);
    fontPt_->setDecimals(1);
    fontPt_->setSingleStep(0.5);
    fontPt_->setValue(settings.value(QStringLiteral("export/font_pt"), 0.0).toDouble());
    title_ = new QCheckBox(this);
    title_->setChecked(settings.value(QStringLiteral("export/title"), true).toBool());
    path_ = new QLineEdit(this);
    const QString dir = settings.value(QStringLiteral("export/dir"), QDir::homePath()).toString();
    path_->setText(QDir(dir).filePath(baseName + QLatin1Char('.') +
                                      QString::fromLatin1(exportFormatId(options().format))));
    browse_ = new QPushButton(this);
    sizeLabel_ = new QLabel(this);
    preview_ = new QLabel(this);
    preview_->setAlignment(Qt::AlignCenter);
    preview_->setMinimumSize(360, 240);
    preview_->setFrameShape(QFrame::StyledPanel);
    formatLabel_ = new QLabel(this);
    widthLabel_ = new QLabel(this);
    dpiLabel_ = new QLabel(this);
    fontLabel_ = new QLabel(this);
    pathLabel_ = new QLabel(this);

    auto* form = new QFormLayout;
    form->addRow(formatLabel_, format_);
    form->addRow(widthLabel_, width_);
    form->addRow(dpiLabel_, dpi_);
    form->addRow(fontLabel_, fontPt_);
    form->addRow(QString(), title_);
    auto* pathRow = new QHBoxLayout;
    pathRow->addWidget(path_, 1);
    pathRow->addWidget(browse_);
    form->addRow(pathLabel_, pathRow);
    form->addRow(QString(), sizeLabel_);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &ExportDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &ExportDialog::reject);
    auto* layout = new QVBoxLayout(this);
    auto* top = new QHBoxLayout;
    top->addLayout(form);
    top->addWidget(preview_, 1);
    layout->addLayout(top);
    layout->addWidget(buttons);

    connect(browse_, &QPushButton::clicked, this, &ExportDialog::browse);
    connect(format_, &QComboBox::currentIndexChanged, this, [this] {
        const QFileInfo info(path_->text());
        path_->setText(info.dir().filePath(info.completeBaseName() + QLatin1Char('.') +
                                           QString::fromLatin1(exportFormatId(options().format))));
        updatePreview();
    });
    connect(path_, &QLineEdit::editingFinished, this, &ExportDialog::syncFormatFromPath);
    for (auto* box : {width_})
        connect(box, &QComboBox::currentIndexChanged, this, &ExportDialog::updatePreview);
    connect(dpi_, &QSpinBox::valueChanged, this, &ExportDialog::updatePreview);
    connect(fontPt_, &QDoubleSpinBox::valueChanged, this, &ExportDialog::updatePreview);
    connect(title_, &QCheckBox::toggled, this, &ExportDialog::updatePreview);
    retranslate();
}

ExportOptions ExportDialog::options() const {
    ExportOptions o;
    o.format = static_cast<ExportFormat>(format_->currentData().toInt());
    o.width = static_cast<FigureWidth>(width_->currentData().toInt());
    o.dpi = dpi_->value();
    o.fontPt = fontPt_->value();
    o.showTitle = title_->isChecked();
    return o;
}

QString ExportDialog::path() const {
    return path_->text();
}

void ExportDialog::setPath(const QString& path) {
    path_->setText(path);
    syncFormatFromPath();
}

void ExportDialog::syncFormatFromPath() {
    if (const auto f = exportFormatForPath(path_->text())) {
        const int i = format_->findData(static_cast<int>(*f));
        if (i >= 0 && i != format_->currentIndex()) {
            const QSignalBlocker block(format_);
            format_->setCurrentIndex(i);
        }
    }
    updatePreview();
}

void ExportDialog::browse() {
    const QString file =
        QFileDialog::getSaveFileName(this, tr("Export figure"), path_->text(),
                                     tr("PDF (*.pdf);;SVG (*.svg);;PNG image (*.png)"));
    if (!file.isEmpty()) setPath(file);
}

void ExportDialog::updatePreview() {
    ExportOptions o = options();
    const QSizeF inches = FigureExport::sizeInches(*figure_, o.width);
    const double mm = 25.4;
    sizeLabel_->setText(tr("%1 x %2 in (%3 x %4 mm)")
                            .arg(inches.width(), 0, 'f', 2)
                            .arg(inches.height(), 0, 'f', 2)
                            .arg(inches.width() * mm, 0, 'f', 1)
                            .arg(inches.height() * mm, 0, 'f', 1));
    dpi_->setEnabled(o.format == ExportFormat::Png);
    // The preview is the PNG rendering at a screen-friendly resolution.
    o.dpi = std::max(36, static_cast<int>(std::min(preview_->width() / inches.width(),
                                                   preview_->height() / inches.height())));
    preview_->setPixmap(QPixmap::fromImage(FigureExport::renderImage(*figure_, o)));
}

bool ExportDialog::exportNow() {
    const ExportOptions o = options();
    try {
        FigureExport::write(*figure_, path_->text(), o);
    } catch (const std::exception& e) {
        QMessageBox::warning(this, tr("Export failed"), QString::fromStdString(e.what()));
        return false;
    }
    QSettings settings;
    settings.setValue(QStringLiteral("export/format"), format_->currentIndex());
    settings.setValue(QStringLiteral("export/width"), width_->currentIndex());
    settings.setValue(QStringLiteral("export/dpi"), dpi_->value());
    settings.setValue(QStringLiteral("export/font_pt"), fontPt_->value());
    settings.setValue(QStringLiteral("export/title"), title_->isChecked());
    settings.setValue(QStringLiteral("export/dir"), QFileInfo(path_->text()).absolutePath());
    return true;
}

void ExportDialog::accept() {
    if (exportNow()) QDialog::accept();
}

void ExportDialog::changeEvent(QEvent* event) {
    if (event->type() == QEvent::LanguageChange) retranslate();
    QDialog::changeEvent(event);
}

void ExportDialog::retranslate() {
    setWindowTitle(tr("Export figure"));
    formatLabel_->setText(tr("Format:"));
    widthLabel_->setText(tr("Width:"));
    width_->setItemText(0, tr("Single column (3.5 in)"));
    width_->setItemText(1, tr("Double column (7.16 in)"));
    dpiLabel_->setText(tr("PNG resolution:"));
    dpi_->setSuffix(tr(" dpi"));
    fontLabel_->setText(tr("Font size:"));
    fontPt_->setSpecialValueText(tr("Automatic"));
    fontPt_->setSuffix(tr(" pt"));
    title_->setText(tr("Title line"));
    pathLabel_->setText(tr("File:"));
    browse_->setText(tr("Browse..."));
    updatePreview();
}

}  // namespace hace::views
