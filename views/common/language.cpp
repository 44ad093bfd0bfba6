#include "views/common/language.h"

#include <QCoreApplication>
#include <QLibraryInfo>
#include <QLocale>
#include <QPointer>
#include <QTranslator>

namespace hace::views {
namespace {

struct Installed {
    QPointer<QTranslator> ours;
    QPointer<QTranslator> qt;  // Qt's own strings (standard dialogs), when the system has them
    QString code = QStringLiteral("en");
};

Installed& state() {
    static Installed s;
    return s;
}

}  // namespace

QStringList Language::shipped() {
    return {QStringLiteral("en"), QStringLiteral("zh_CN")};
}

bool Language::install(const QString& code) {
    if (!shipped().contains(code)) return false;
    auto* app = QCoreApplication::instance();
    if (!app) return false;
    auto* ours = new QTranslator(app);
    if (!ours->load(QStringLiteral(":/i18n/hace_%1.qm").arg(code))) {
        delete ours;
        return false;
    }
    auto& s = state();
    if (s.ours) {
        QCoreApplication::removeTranslator(s.ours);
        delete s.ours;
    }
    if (s.qt) {
        QCoreApplication::removeTranslator(s.qt);
        delete s.qt;
    }
    auto* qt = new QTranslator(app);
    if (qt->load(QLocale(code), QStringLiteral("qtbase"), QStringLiteral("_"),
                 QLibraryInfo::path(QLibraryInfo::TranslationsPath))) {
        QCoreApplication::installTranslator(qt);
        s.qt = qt;
    } else {
        delete qt;
    }
    QCoreApplication::installTranslator(ours);
    s.ours = ours;
    s.code = code;
    QLocale::setDefault(QLocale(code));
    return true;
}

QString Language::current() {
    return state().code;
}

QString Language::nativeName(const QString& code) {
    if (code ==
        QLatin1String("zh_CN"))  // "Simplified Chinese" written in Chinese (sources stay ASCII).
        return QString::fromUtf8("\xe7\xae\x80\xe4\xbd\x93\xe4\xb8\xad\xe6\x96\x87");
    return QStringLiteral("English");
}

}  // namespace hace::views
