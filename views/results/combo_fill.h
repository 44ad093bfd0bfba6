// Refilling a selection combo box from the current results while keeping the user's choice
// (by item data) when it is still there.
#pragma once

#include <QComboBox>
#include <QString>
#include <QVariant>

#include <optional>
#include <utility>
#include <vector>

#include "views/results/default_selection.h"

namespace hace::views {

// `fallback`: the item chosen when the previous choice is gone (or there was none).
inline void refillCombo(QComboBox* box, const std::vector<std::pair<QString, QVariant>>& items,
                        int fallback = 0) {
    const QVariant keep = box->currentData();
    const QSignalBlocker block(box);
    box->clear();
    for (const auto& [label, data] : items) box->addItem(label, data);
    int i = keep.isValid() ? box->findData(keep) : -1;
    if (i < 0)
        i = fallback >= 0 && fallback < box->count() ? fallback : (box->count() > 0 ? 0 : -1);
    box->setCurrentIndex(i);
}

// For boxes with a preferred item (default_selection.h): until the user picks an item (the box's
// "chosen" property, set by the view when the box changes), each refill selects `preferred`
// (when listed, else the first item) instead of keeping what was shown, so a view opened while
// a run has stored only full-cache cells moves to the data once it arrives.
inline void refillPreferred(QComboBox* box, const std::vector<std::pair<QString, QVariant>>& items,
                            const QVariant& preferred) {
    if (!box->property("chosen").toBool()) {
        const QSignalBlocker block(box);
        box->setCurrentIndex(-1);
    }
    int fallback = 0;
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (preferred.isValid() && items[i].second == preferred) fallback = static_cast<int>(i);
    }
    refillCombo(box, items, fallback);
}

// The model, task and context boxes of a curve-like tab, each preferring `preferred`'s value.
using ComboItems = std::vector<std::pair<QString, QVariant>>;
inline void refillCurveScope(QComboBox* model, const ComboItems& models, QComboBox* task,
                             const ComboItems& tasks, QComboBox* context,
                             const ComboItems& contexts,
                             const std::optional<CurveSelection>& preferred) {
    QVariant m, t, c;  // invalid: no preference
    if (preferred) {
        m = QString::fromStdString(preferred->model);
        t = QString::fromStdString(preferred->task);
        c = static_cast<qlonglong>(preferred->contextLength);
    }
    refillPreferred(model, models, m);
    refillPreferred(task, tasks, t);
    refillPreferred(context, contexts, c);
}

}  // namespace hace::views
