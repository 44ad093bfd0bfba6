// `hace-workbench`: the desktop front end. It builds the window around the engine's services
// (app/gui/engine_services.h) and applies the automation flags (app/gui/automation.h).
#include <QApplication>
#include <QIcon>
#include <QSettings>

#include "app/gui/automation.h"
#include "app/gui/engine_services.h"
#include "app/gui/main_window.h"
#include "views/common/language.h"

int main(int argc, char** argv) {
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("HACE"));
    QApplication::setApplicationName(QStringLiteral("hace-workbench"));
    QApplication::setApplicationDisplayName(QStringLiteral("HACE Workbench"));
    QApplication::setApplicationVersion(QStringLiteral(HACE_VERSION));
    QApplication::setDesktopFileName(QStringLiteral("io.github.hace.workbench"));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/hace-workbench.svg")));

    const auto automation = hace::gui::parseAutomation(QApplication::arguments());
    if (!automation) return 2;
    const QString lang =
        automation->lang.isEmpty()
            ? QSettings().value(QStringLiteral("language"), QStringLiteral("en")).toString()
            : automation->lang;
    hace::views::Language::install(lang);

    hace::gui::MainWindow window(hace::gui::engineSpecServices(), hace::gui::makeEngineRunner);
    if (!hace::gui::applyAutomation(*automation, window)) return 2;
    window.show();
    return QApplication::exec();
}
