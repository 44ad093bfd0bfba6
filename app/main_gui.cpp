// `hace-workbench`: the desktop front end. It builds the window around the engine's services
// (app/gui/engine_services.h) and applies the automation flags (app/gui/automation.h).
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <QApplication>
#include <QIcon>
#include <QSettings>

#include "app/gui/automation.h"
#include "app/gui/engine_services.h"
#include "app/gui/main_window.h"
#include "engine/core/compute_env.h"
#include "views/common/language.h"

namespace {

// Without a display Qt aborts inside QApplication's constructor with a message about plugins;
// say what to do instead (the automation flags work on the offscreen platform).
bool has_display() {
    for (const char* var : {"QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY"}) {
        const char* v = std::getenv(var);
        if (v && *v) return true;
    }
    return false;
}

}  // namespace

int main(int argc, char** argv) {
    hace::ensure_compute_env(argv);  // before Qt starts threads (engine/core/compute_env.h)
    if (!has_display()) {
        std::fprintf(stderr, "hace-workbench: no display (DISPLAY / WAYLAND_DISPLAY unset); run it "
                             "in a desktop session, under xvfb-run, or with "
                             "QT_QPA_PLATFORM=offscreen for --screenshot\n");
        return 2;
    }
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
