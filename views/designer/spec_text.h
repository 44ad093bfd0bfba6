// Text <-> JSON pieces of the experiment designer's fields: comma-separated number lists and
// JSON-object cells. Anything that does not parse stays in the JSON as a string, so the
// engine's validator reports it with its path like any other problem.
#pragma once

#include <QString>
#include <QStringList>

#include <nlohmann/json.hpp>

namespace hace::views::spec_text {

// "4096, 8192" -> [4096, 8192]; integers only when `integers`, else any number; other tokens
// are kept as strings ("abc" -> "abc").
nlohmann::json parseList(const QString& text, bool integers);
// [4096, 0.005] -> "4096, 0.005" (shortest text that reads back as the same number).
QString formatList(const nlohmann::json& list);
QString formatNumber(double v);
// "" -> nullopt-like null; valid JSON -> its value; otherwise the text as a JSON string.
nlohmann::json parseJsonCell(const QString& text);
QString formatJsonCell(const nlohmann::json& value);  // null -> "", else compact JSON
// An optional integer field: "" -> null, "12" -> 12, other text -> the text.
nlohmann::json parseOptionalInt(const QString& text);

}  // namespace hace::views::spec_text
