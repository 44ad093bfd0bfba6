// Run-time language of the GUI and of `hace plot`: the shipped translations are compiled into
// the binary (":/i18n/hace_<code>.qm"); switching installs a new QTranslator, and Qt sends every
// widget a LanguageChange event.
#pragma once

#include <QString>
#include <QStringList>

namespace hace::views {

class Language {
public:
    // Language codes with a translation in the binary: "en", "zh_CN".
    static QStringList shipped();
    // Installs the translation of `code` (replacing the previous one). False, and nothing
    // changed, when `code` is not shipped. Needs a QCoreApplication.
    static bool install(const QString& code);
    // The installed code ("en" until install() succeeds).
    static QString current();
    // The language's own name ("English", or Simplified Chinese written in Chinese) for menus.
    static QString nativeName(const QString& code);
};

}  // namespace hace::views
