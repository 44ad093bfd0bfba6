#include "views/designer/spec_text.h"

#include <charconv>
#include <cmath>
#include <string>

namespace hace::views::spec_text {
namespace {

using nlohmann::json;

json token(const std::string& t, bool integers) {
    if (t.empty()) return t;
    std::int64_t i = 0;
    const auto ri = std::from_chars(t.data(), t.data() + t.size(), i);
    if (ri.ec == std::errc() && ri.ptr == t.data() + t.size()) return i;
    if (!integers) {
        double d = 0.0;
        const auto rd = std::from_chars(t.data(), t.data() + t.size(), d);
        if (rd.ec == std::errc() && rd.ptr == t.data() + t.size() && std::isfinite(d)) return d;
    }
    return t;
}

}  // namespace

json parseList(const QString& text, bool integers) {
    json out = json::array();
    const QString trimmed = text.trimmed();
    if (trimmed.isEmpty()) return out;
    for (const QString& part : trimmed.split(QLatin1Char(','))) {
        out.push_back(token(part.trimmed().toStdString(), integers));
    }
    return out;
}

QString formatNumber(double v) {
    char buf[64];
    const auto r = std::to_chars(buf, buf + sizeof buf, v);
    return QString::fromLatin1(buf, static_cast<int>(r.ptr - buf));
}

QString formatList(const json& list) {
    QStringList parts;
    if (!list.is_array()) return QString();
    for (const auto& v : list) {
        if (v.is_number_integer()) {
            parts << QString::number(v.get<std::int64_t>());
        } else if (v.is_number()) {
            parts << formatNumber(v.get<double>());
        } else if (v.is_string()) {
            parts << QString::fromStdString(v.get<std::string>());
        } else {
            parts << QString::fromStdString(v.dump());
        }
    }
    return parts.join(QStringLiteral(", "));
}

json parseJsonCell(const QString& text) {
    const std::string t = text.trimmed().toStdString();
    if (t.empty()) return nullptr;
    json j = json::parse(t, nullptr, false);
    if (j.is_discarded()) return t;
    return j;
}

QString formatJsonCell(const json& value) {
    if (value.is_null()) return QString();
    return QString::fromStdString(value.dump());
}

json parseOptionalInt(const QString& text) {
    const std::string t = text.trimmed().toStdString();
    if (t.empty()) return nullptr;
    return token(t, true);
}

}  // namespace hace::views::spec_text
