// Where the workbench finds the bundled example sweep (the quickstart: the needle model, seven
// compression methods, the needle task, NIAH and the HIV test) and where it stores its results.
#pragma once

#include <QString>
#include <QStringList>

namespace hace::gui {

// The places searched, in order: the install prefix beside the executable
// (<prefix>/bin/../share/hace-workbench/examples/quickstart.json, as the DEB installs it), then
// the source tree the program was built from (resources/examples/quickstart.json).
QStringList exampleSweepCandidates();
// The first candidate that exists, or empty.
QString exampleSweepPath();
// A writable results database for it: <app data folder>/quickstart.sqlite (the example itself
// may sit in a read-only /usr/share). Creates the folder.
QString exampleResultsPath();

}  // namespace hace::gui
