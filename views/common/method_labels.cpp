#include "views/common/method_labels.h"

#include <algorithm>
#include <vector>

namespace hace::views {
namespace {

struct Row {
    std::string_view id;
    const char* label;  // source text in the context "hace::views::Labels"
};

// Proper names are marked too, so a translator may transliterate them and the tables stay one.
const std::vector<Row>& methodRows() {
    static const std::vector<Row> rows = {
        {"full", QT_TRANSLATE_NOOP("hace::views::Labels", "Full cache")},
        {"streamingllm", QT_TRANSLATE_NOOP("hace::views::Labels", "StreamingLLM")},
        {"h2o", QT_TRANSLATE_NOOP("hace::views::Labels", "H2O")},
        {"snapkv", QT_TRANSLATE_NOOP("hace::views::Labels", "SnapKV")},
        {"pyramidkv", QT_TRANSLATE_NOOP("hace::views::Labels", "PyramidKV")},
        {"adakv", QT_TRANSLATE_NOOP("hace::views::Labels", "Ada-KV")},
        {"cake", QT_TRANSLATE_NOOP("hace::views::Labels", "CAKE")},
        {"headkv", QT_TRANSLATE_NOOP("hace::views::Labels", "HeadKV")},
        {"hace", QT_TRANSLATE_NOOP("hace::views::Labels", "HACE")},
        {"hace-layer", QT_TRANSLATE_NOOP("hace::views::Labels", "HACE (layer only)")},
        {"hace-head", QT_TRANSLATE_NOOP("hace::views::Labels", "HACE (head only)")},
        {"kivi", QT_TRANSLATE_NOOP("hace::views::Labels", "KIVI")},
        {"random", QT_TRANSLATE_NOOP("hace::views::Labels", "Random")},
        {"knorm", QT_TRANSLATE_NOOP("hace::views::Labels", "K-norm")},
        {"tova", QT_TRANSLATE_NOOP("hace::views::Labels", "TOVA")},
        {"expected-attention", QT_TRANSLATE_NOOP("hace::views::Labels", "Expected Attention")},
    };
    return rows;
}

// Token scorers (--selector): label, and one line of help for the designer and the docs.
struct ScorerLabel {
    std::string_view id;
    const char* label;
    const char* help;
};

const std::vector<ScorerLabel>& scorerRows() {
    static const std::vector<ScorerLabel> rows = {
        {"cake", QT_TRANSLATE_NOOP("hace::views::Labels", "SEL-CAKE"),
         QT_TRANSLATE_NOOP("hace::views::Labels",
                           "Mean + 200 x variance of the last 32 queries' attention, average "
                           "pooled; evicts while decoding")},
        {"snap", QT_TRANSLATE_NOOP("hace::views::Labels", "SEL-SNAP"),
         QT_TRANSLATE_NOOP("hace::views::Labels",
                           "Mean attention of the last 8 queries, max pooled")},
        {"random", QT_TRANSLATE_NOOP("hace::views::Labels", "Random"),
         QT_TRANSLATE_NOOP("hace::views::Labels",
                           "Seeded random scores: the floor every comparison needs")},
        {"knorm", QT_TRANSLATE_NOOP("hace::views::Labels", "K-norm"),
         QT_TRANSLATE_NOOP("hace::views::Labels", "Keeps the keys with the lowest L2 norm")},
        {"tova", QT_TRANSLATE_NOOP("hace::views::Labels", "TOVA"),
         QT_TRANSLATE_NOOP("hace::views::Labels",
                           "Attention of the newest query; evicts the lowest entry at every "
                           "decode step")},
        {"expected-attention", QT_TRANSLATE_NOOP("hace::views::Labels", "Expected Attention"),
         QT_TRANSLATE_NOOP("hace::views::Labels",
                           "Attention expected from future queries (a Gaussian fitted to the "
                           "last queries), times the value norm")},
    };
    return rows;
}

const std::vector<Row>& taskRows() {
    static const std::vector<Row> rows = {
        {"narrativeqa", QT_TRANSLATE_NOOP("hace::views::Labels", "NarrativeQA")},
        {"qasper", QT_TRANSLATE_NOOP("hace::views::Labels", "Qasper")},
        {"multifieldqa_en", QT_TRANSLATE_NOOP("hace::views::Labels", "MultiFieldQA (en)")},
        {"multifieldqa_zh", QT_TRANSLATE_NOOP("hace::views::Labels", "MultiFieldQA (zh)")},
        {"niah", QT_TRANSLATE_NOOP("hace::views::Labels", "Needle in a haystack")},
        {"needle", QT_TRANSLATE_NOOP("hace::views::Labels", "Needle task")},
        {"hiv", QT_TRANSLATE_NOOP("hace::views::Labels", "Head importance test")},
    };
    return rows;
}

const std::vector<Row>& metricRows() {
    static const std::vector<Row> rows = {
        {"score", QT_TRANSLATE_NOOP("hace::views::Labels", "Score")},
        {"qa_f1", QT_TRANSLATE_NOOP("hace::views::Labels", "QA F1")},
        {"qa_f1_zh", QT_TRANSLATE_NOOP("hace::views::Labels", "QA F1 (zh)")},
        {"rouge_l", QT_TRANSLATE_NOOP("hace::views::Labels", "ROUGE-L")},
        {"rouge1", QT_TRANSLATE_NOOP("hace::views::Labels", "ROUGE-1")},
        {"em", QT_TRANSLATE_NOOP("hace::views::Labels", "Exact match")},
        {"keyword_recall", QT_TRANSLATE_NOOP("hace::views::Labels", "Keyword recall")},
        {"token_agreement", QT_TRANSLATE_NOOP("hace::views::Labels", "Token agreement")},
        {"first_divergence", QT_TRANSLATE_NOOP("hace::views::Labels", "First divergence")},
        {"rouge_l_vs_full", QT_TRANSLATE_NOOP("hace::views::Labels", "ROUGE-L vs. full")},
        {"kl_vs_full", QT_TRANSLATE_NOOP("hace::views::Labels", "KL vs. full")},
        {"cache_efficiency", QT_TRANSLATE_NOOP("hace::views::Labels", "Cache efficiency")},
        {"head_specialization", QT_TRANSLATE_NOOP("hace::views::Labels", "Head specialization")},
        {"head_gini", QT_TRANSLATE_NOOP("hace::views::Labels", "Head Gini")},
        {"needle_exact", QT_TRANSLATE_NOOP("hace::views::Labels", "Needle exact match")},
        {"rouge1_x10", QT_TRANSLATE_NOOP("hace::views::Labels", "ROUGE-1 (x10)")},
        // The HIV test's summary row (engine/runner/exec/sweep_executor.h).
        {"trials", QT_TRANSLATE_NOOP("hace::views::Labels", "Trials")},
        {"accepted", QT_TRANSLATE_NOOP("hace::views::Labels", "Accepted trials")},
        {"acceptance_rate", QT_TRANSLATE_NOOP("hace::views::Labels", "Acceptance rate")},
        {"split_half_spearman", QT_TRANSLATE_NOOP("hace::views::Labels", "Split-half Spearman")},
        {"short_long_spearman", QT_TRANSLATE_NOOP("hace::views::Labels", "Short-long Spearman")},
        {"mean_dispersion", QT_TRANSLATE_NOOP("hace::views::Labels", "Mean dispersion")},
        {"mean_entropy_normalised",
         QT_TRANSLATE_NOOP("hace::views::Labels", "Mean normalised entropy")},
    };
    return rows;
}

const std::vector<Row>& headStatRows() {
    static const std::vector<Row> rows = {
        {"kept", QT_TRANSLATE_NOOP("hace::views::Labels", "Kept entries")},
        {"budget", QT_TRANSLATE_NOOP("hace::views::Labels", "Budget")},
        {"importance", QT_TRANSLATE_NOOP("hace::views::Labels", "Head importance")},
        {"entropy", QT_TRANSLATE_NOOP("hace::views::Labels", "Attention entropy")},
        {"variance", QT_TRANSLATE_NOOP("hace::views::Labels", "Attention variance")},
        {"cv", QT_TRANSLATE_NOOP("hace::views::Labels", "Coefficient of variation")},
        {"importance_variance",
         QT_TRANSLATE_NOOP("hace::views::Labels", "Importance variance across trials")},
    };
    return rows;
}

// The row of `id` in any of the tables above (Row or ScorerLabel), or null.
template <class R>
const R* find(const std::vector<R>& rows, std::string_view id) {
    const auto it = std::find_if(rows.begin(), rows.end(), [&](const R& r) { return r.id == id; });
    return it == rows.end() ? nullptr : &*it;
}

QString translated(const char* text) {
    return QCoreApplication::translate("hace::views::Labels", text);
}

// A table's label for `id`; an unknown id is shown as it is.
template <class R>
QString lookup(const std::vector<R>& rows, std::string_view id) {
    if (const R* r = find(rows, id)) return translated(r->label);
    return QString::fromUtf8(id.data(), static_cast<qsizetype>(id.size()));
}

// The ids of a table, in its order.
template <class R>
std::vector<std::string_view> ids_of(const std::vector<R>& rows) {
    std::vector<std::string_view> out;
    for (const auto& r : rows) out.push_back(r.id);
    return out;
}

}  // namespace

QString Labels::method(std::string_view id, std::string_view mode) {
    const QString label = lookup(methodRows(), id);
    if (mode == "faithful") return tr("%1 (faithful)").arg(label);
    return label;
}

QString Labels::task(std::string_view id) {
    return lookup(taskRows(), id);
}

QString Labels::metric(std::string_view name) {
    return lookup(metricRows(), name);
}

QString Labels::headStat(std::string_view name) {
    return lookup(headStatRows(), name);
}

QString Labels::scorer(std::string_view id) {
    return lookup(scorerRows(), id);
}

QString Labels::scorerHelp(std::string_view id) {
    const ScorerLabel* r = find(scorerRows(), id);
    return r ? translated(r->help) : QString();
}

const std::vector<std::string_view>& Labels::scorerIds() {
    static const std::vector<std::string_view> ids = ids_of(scorerRows());
    return ids;
}

const std::vector<std::string_view>& Labels::methodIds() {
    static const std::vector<std::string_view> ids = ids_of(methodRows());
    return ids;
}

}  // namespace hace::views
