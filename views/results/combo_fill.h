// Refilling a selection combo box from the current results while keeping the user's choice
// (by item data) when it is still there.
#pragma once

#include <QComboBox>
#include <QString>
#include <QVariant>

#include <utility>
#include <vector>

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

}  // namespace hace::views
