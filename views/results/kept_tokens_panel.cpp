#include "views/results/kept_tokens_panel.h"

#include <QComboBox>
#include <QEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QSignalBlocker>
#include <QVBoxLayout>

#include "views/common/method_labels.h"
#include "views/data/figure_builders.h"
#include "views/results/results_source.h"
#include "views/widgets/figure_view.h"

namespace hace::views {

KeptTokensPanel::KeptTokensPanel(ResultsSource* source, QWidget* parent)
    : QWidget(parent), source_(source) {
    bLabel_ = new QLabel(this);
    layerLabel_ = new QLabel(this);
    headLabel_ = new QLabel(this);
    b_ = new QComboBox(this);
    layer_ = new QComboBox(this);
    head_ = new QComboBox(this);
    view_ = new FigureView(this);
    view_->setExportName(QStringLiteral("kept-tokens"));
    view_->setMouseTracking(true);
    auto* bar = new QHBoxLayout;
    bar->addWidget(bLabel_);
    bar->addWidget(b_, 1);
    bar->addWidget(layerLabel_);
    bar->addWidget(layer_);
    bar->addWidget(headLabel_);
    bar->addWidget(head_);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(bar);
    layout->addWidget(view_, 1);
    for (QComboBox* box : {b_, layer_, head_}) {
        connect(box, &QComboBox::currentIndexChanged, this, [this] { redraw(); });
    }
    retranslate();
}

void KeptTokensPanel::showSample(const std::string& hash, std::int64_t index) {
    cell_ = hash;
    index_ = index;
    refill();
    redraw();
}

// Method B candidates: the cells of the same model, task, context, budget and protocol with
// kept positions for this sample; layer and head ranges from the stored record.
void KeptTokensPanel::refill() {
    const QSignalBlocker bb(b_), bl(layer_), bh(head_);
    const QString keepB = b_->currentData().toString();
    const int keepLayer = layer_->currentIndex(), keepHead = head_->currentIndex();
    b_->clear();
    layer_->clear();
    head_->clear();
    b_->addItem(tr("(none)"), QString());
    layer_->addItem(tr("All layers"), -1);
    head_->addItem(tr("All heads"), -1);
    const CellSummary* a = source_->cell(cell_);
    const ResultsDb* db = source_->db();
    if (!a || !db || index_ < 0) return;
    std::optional<KeptSample> kept;
    try {
        kept = db->keptTokens(cell_, index_);
    } catch (const std::exception&) {
        return;
    }
    if (!kept) return;
    for (std::int64_t l = 0; l < kept->positions.layers; ++l) {
        layer_->addItem(QString::number(l), static_cast<int>(l));
    }
    for (std::int64_t h = 0; h < kept->positions.heads; ++h) {
        head_->addItem(QString::number(h), static_cast<int>(h));
    }
    for (const auto& c : source_->cells()) {
        if (c.hash == a->hash || c.model != a->model || c.task != a->task ||
            c.contextLength != a->contextLength || c.query != a->query ||
            c.capacity != a->capacity || c.retention.has_value() != a->retention.has_value() ||
            (c.retention && std::abs(*c.retention - *a->retention) > 1e-12)) {
            continue;
        }
        try {
            if (!db->keptTokens(c.hash, index_)) continue;
        } catch (const std::exception&) {
            continue;
        }
        b_->addItem(Labels::method(c.method, c.mode), QString::fromStdString(c.method));
    }
    const int i = b_->findData(keepB);
    b_->setCurrentIndex(i >= 0 ? i : 0);
    if (keepLayer >= 0 && keepLayer < layer_->count()) layer_->setCurrentIndex(keepLayer);
    if (keepHead >= 0 && keepHead < head_->count()) head_->setCurrentIndex(keepHead);
}

void KeptTokensPanel::redraw() {
    const ResultsDb* db = source_->db();
    if (!db || cell_.empty() || index_ < 0) {
        view_->setFigure(nullptr);
        return;
    }
    FigureSelection sel;
    sel.cell = cell_;
    sel.sample = std::to_string(index_);
    if (const QString b = b_->currentData().toString(); !b.isEmpty()) sel.methodB = b.toStdString();
    if (const int l = layer_->currentData().toInt(); l >= 0) sel.layer = l;
    if (const int h = head_->currentData().toInt(); h >= 0) sel.head = h;
    try {
        view_->setFigure(std::make_shared<TokensFigure>(buildTokens(*db, source_->cells(), sel)));
    } catch (const std::exception&) {
        view_->setFigure(nullptr);  // nothing stored for this sample: the empty text says so
    }
}

void KeptTokensPanel::changeEvent(QEvent* event) {
    if (event->type() == QEvent::LanguageChange) retranslate();
    QWidget::changeEvent(event);
}

void KeptTokensPanel::retranslate() {
    bLabel_->setText(tr("Compare with:"));
    layerLabel_->setText(tr("Layer:"));
    headLabel_->setText(tr("KV head:"));
    view_->setEmptyText(
        tr("No kept positions stored for this sample (run the sweep with \"store_kept\": true)."));
    if (b_->count() > 0) {
        b_->setItemText(0, tr("(none)"));
        layer_->setItemText(0, tr("All layers"));
        head_->setItemText(0, tr("All heads"));
    }
}

}  // namespace hace::views
