// Command-line automation of the workbench (screenshots, scripted checks, tests):
//   --lang en|zh_CN      language for this start (else the remembered one)
//   --open-spec FILE     load a sweep spec into the designer
//   --open-example       load the bundled example sweep (its results go to the app data folder)
//   --open-db FILE       open a results database in the results views
//   --tab ID             show a tab: designer, monitor, results, curves, needle, ablation, compare
//   --run-db FILE        results database for --start-run (default: next to the spec)
//   --start-run          start the loaded sweep when the window is up
//   --quit-when-done     quit when that run ends (exit 1 if it failed)
//   --screenshot FILE    save a PNG of the window just before quitting
//   --quit-after-ms N    quit N ms after start (1500 with --screenshot and no other quit rule)
//   --size WxH           window size (for screenshots of a fixed size)
// Bad arguments end the program with exit code 2 and one line on stderr.
#pragma once

#include <QSize>
#include <QString>
#include <QStringList>

#include <optional>

namespace hace::gui {

class MainWindow;

struct Automation {
    QString lang, openSpec, openDb, tab, runDb, screenshot;
    bool openExample = false, startRun = false, quitWhenDone = false;
    std::optional<int> quitAfterMs;
    std::optional<QSize> size;
};

// Parses the arguments (QCommandLineParser; --help and --version print and exit 0).
// On bad input: prints one line and returns nullopt (exit 2).
std::optional<Automation> parseAutomation(const QStringList& arguments);

// Applies everything that needs the window; false (after printing why) on a failed open.
bool applyAutomation(const Automation& a, MainWindow& window);

}  // namespace hace::gui
