#include "app/gui/automation.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QFileInfo>
#include <QPixmap>
#include <QTimer>

#include <cstdio>

#include "app/gui/example_sweep.h"
#include "app/gui/main_window.h"
#include "views/common/language.h"

namespace hace::gui {
namespace {

void fail(const QString& message) {
    std::fprintf(stderr, "hace-workbench: error: %s\n", message.toLocal8Bit().constData());
}

void saveScreenshot(MainWindow& window, const QString& path) {
    QApplication::processEvents();
    const QPixmap shot = window.grab();
    if (!shot.save(path, "PNG")) fail(QStringLiteral("%1: cannot write the screenshot").arg(path));
}

}  // namespace

std::optional<Automation> parseAutomation(const QStringList& arguments) {
    QCommandLineParser p;
    p.setApplicationDescription(
        QStringLiteral("HACE Workbench: design, run and inspect KV-cache compression sweeps."));
    p.addHelpOption();
    p.addVersionOption();
    const QCommandLineOption lang(QStringLiteral("lang"), QStringLiteral("Language: en or zh_CN."),
                                  QStringLiteral("code"));
    const QCommandLineOption spec(QStringLiteral("open-spec"), QStringLiteral("Load a sweep spec."),
                                  QStringLiteral("file"));
    const QCommandLineOption example(
        QStringLiteral("open-example"),
        QStringLiteral("Load the bundled example sweep (File > Open the example sweep)."));
    const QCommandLineOption db(QStringLiteral("open-db"),
                                QStringLiteral("Open a results database."), QStringLiteral("file"));
    const QCommandLineOption tab(QStringLiteral("tab"),
                                 QStringLiteral("Show a tab: ") +
                                     MainWindow::tabIds().join(QStringLiteral(", ")) +
                                     QLatin1Char('.'),
                                 QStringLiteral("id"));
    const QCommandLineOption runDb(QStringLiteral("run-db"),
                                   QStringLiteral("Results database of --start-run."),
                                   QStringLiteral("file"));
    const QCommandLineOption start(QStringLiteral("start-run"),
                                   QStringLiteral("Start the loaded sweep."));
    const QCommandLineOption whenDone(
        QStringLiteral("quit-when-done"),
        QStringLiteral("Quit when the run ends (exit 1 if it failed)."));
    const QCommandLineOption shot(QStringLiteral("screenshot"),
                                  QStringLiteral("Save a PNG of the window before quitting."),
                                  QStringLiteral("file"));
    const QCommandLineOption quit(QStringLiteral("quit-after-ms"),
                                  QStringLiteral("Quit after this many milliseconds."),
                                  QStringLiteral("ms"));
    const QCommandLineOption size(QStringLiteral("size"),
                                  QStringLiteral("Window size, e.g. 1280x800."),
                                  QStringLiteral("WxH"));
    p.addOptions({lang, spec, example, db, tab, runDb, start, whenDone, shot, quit, size});
    if (!p.parse(arguments)) {
        fail(p.errorText());
        return std::nullopt;
    }
    if (p.isSet(QStringLiteral("help"))) p.showHelp(0);
    if (p.isSet(QStringLiteral("version"))) p.showVersion();
    if (!p.positionalArguments().isEmpty()) {
        fail(QStringLiteral("unexpected argument \"%1\" (see --help)")
                 .arg(p.positionalArguments().first()));
        return std::nullopt;
    }
    Automation a;
    a.lang = p.value(lang);
    if (!a.lang.isEmpty() && !views::Language::shipped().contains(a.lang)) {
        fail(QStringLiteral("--lang must be one of %1, got %2")
                 .arg(views::Language::shipped().join(QStringLiteral(", ")), a.lang));
        return std::nullopt;
    }
    a.openSpec = p.value(spec);
    a.openExample = p.isSet(example);
    if (a.openExample && !a.openSpec.isEmpty()) {
        fail(QStringLiteral("--open-example and --open-spec exclude each other"));
        return std::nullopt;
    }
    a.openDb = p.value(db);
    a.tab = p.value(tab);
    if (!a.tab.isEmpty() && !MainWindow::tabIds().contains(a.tab)) {
        fail(QStringLiteral("--tab must be one of %1, got %2")
                 .arg(MainWindow::tabIds().join(QStringLiteral(", ")), a.tab));
        return std::nullopt;
    }
    a.runDb = p.value(runDb);
    a.startRun = p.isSet(start);
    a.quitWhenDone = p.isSet(whenDone);
    a.screenshot = p.value(shot);
    if (p.isSet(quit)) {
        bool ok = false;
        const int ms = p.value(quit).toInt(&ok);
        if (!ok || ms < 0) {
            fail(QStringLiteral("--quit-after-ms must be a number of milliseconds >= 0, got %1")
                     .arg(p.value(quit)));
            return std::nullopt;
        }
        a.quitAfterMs = ms;
    } else if (!a.screenshot.isEmpty() && !a.quitWhenDone) {
        a.quitAfterMs = 1500;
    }
    if (p.isSet(size)) {
        const QStringList wh = p.value(size).split(QLatin1Char('x'));
        bool okW = false, okH = false;
        const int w = wh.size() == 2 ? wh[0].toInt(&okW) : 0;
        const int h = wh.size() == 2 ? wh[1].toInt(&okH) : 0;
        if (!okW || !okH || w < 200 || h < 150) {
            fail(QStringLiteral("--size must be WIDTHxHEIGHT (at least 200x150), got %1")
                     .arg(p.value(size)));
            return std::nullopt;
        }
        a.size = QSize(w, h);
    }
    if ((a.startRun || a.quitWhenDone) && a.openSpec.isEmpty() && !a.openExample) {
        fail(QStringLiteral("--start-run and --quit-when-done need --open-spec or --open-example"));
        return std::nullopt;
    }
    return a;
}

bool applyAutomation(const Automation& a, MainWindow& window) {
    if (a.size) window.resize(*a.size);
    QString error;
    if (!a.openSpec.isEmpty() && !window.openSpec(a.openSpec, &error)) {
        fail(error);
        return false;
    }
    if (a.openExample) {
        if (!window.openExampleSweep(&error)) {
            fail(error);
            return false;
        }
        std::printf("hace-workbench: example sweep %s\n",
                    QFileInfo(exampleSweepPath()).canonicalFilePath().toLocal8Bit().constData());
        std::fflush(stdout);
    }
    if (!a.runDb.isEmpty()) window.setRunDatabase(a.runDb);
    if (!a.openDb.isEmpty() && !window.openResults(a.openDb, &error)) {
        fail(error);
        return false;
    }
    if (!a.tab.isEmpty()) window.showTab(a.tab);
    const QString shot = a.screenshot;
    if (a.quitWhenDone) {
        QObject::connect(&window, &MainWindow::runEnded, &window, [&window, shot](bool ok) {
            if (!shot.isEmpty()) saveScreenshot(window, shot);
            QApplication::exit(ok ? 0 : 1);
        });
    }
    if (a.startRun) {
        QTimer::singleShot(0, &window, [&window, a] {
            if (!window.startRun()) {
                fail(QStringLiteral("the sweep could not start (see the designer's problems)"));
                QApplication::exit(1);
            }
        });
    }
    if (a.quitAfterMs) {
        QTimer::singleShot(*a.quitAfterMs, &window, [&window, shot] {
            if (!shot.isEmpty()) saveScreenshot(window, shot);
            QApplication::exit(0);
        });
    }
    return true;
}

}  // namespace hace::gui
