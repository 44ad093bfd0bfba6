#include "views/results/default_selection.h"

#include <map>
#include <tuple>

namespace hace::views {

std::optional<CurveSelection> richestCurveSelection(const std::vector<CellSummary>& cells) {
    using Key = std::tuple<std::string, std::string, std::int64_t>;
    std::map<Key, std::pair<int, std::size_t>> groups;  // key -> (cells, first position)
    for (std::size_t i = 0; i < cells.size(); ++i) {
        const CellSummary& c = cells[i];
        if (!c.retention || c.samplesDone == 0) continue;
        auto [it, added] = groups.try_emplace(Key{c.model, c.task, c.contextLength}, 0, i);
        ++it->second.first;
    }
    const std::pair<const Key, std::pair<int, std::size_t>>* best = nullptr;
    for (const auto& g : groups) {
        if (!best || g.second.first > best->second.first ||
            (g.second.first == best->second.first && g.second.second < best->second.second)) {
            best = &g;
        }
    }
    if (!best) return std::nullopt;
    return CurveSelection{std::get<0>(best->first), std::get<1>(best->first),
                          std::get<2>(best->first)};
}

}  // namespace hace::views
