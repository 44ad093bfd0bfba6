// The one label table of the GUI, the exports and `hace plot`: engine ids (methods, tasks,
// metrics, head statistics) to translated, human labels. Everything that shows a method name
// goes through here, so a new method is one row below.
#pragma once

#include <QCoreApplication>
#include <QString>

#include <string_view>
#include <vector>

namespace hace::views {

class Labels {
    Q_DECLARE_TR_FUNCTIONS(hace::views::Labels)

public:
    // "hace" -> "HACE"; mode "faithful" adds a marker; an unknown id is shown as it is.
    static QString method(std::string_view id, std::string_view mode = {});
    static QString task(std::string_view id);
    static QString metric(std::string_view name);
    static QString headStat(std::string_view name);
    // Token scorers (--selector ids): "knorm" -> "K-norm", and one line of help; unknown ids
    // come back as they are (help: empty).
    static QString scorer(std::string_view id);
    static QString scorerHelp(std::string_view id);
    static const std::vector<std::string_view>& scorerIds();
    // The known method ids in the order of the method table (DESIGN.md section 5).
    static const std::vector<std::string_view>& methodIds();
};

}  // namespace hace::views
