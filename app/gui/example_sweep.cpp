#include "app/gui/example_sweep.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QStandardPaths>

namespace hace::gui {

QStringList exampleSweepCandidates() {
    const QString installed = QDir::cleanPath(QCoreApplication::applicationDirPath() +
                                              QStringLiteral("/../share/hace-workbench/examples/"
                                                             "quickstart.json"));
    const QString source = QDir::cleanPath(QStringLiteral(HACE_SOURCE_DIR) +
                                           QStringLiteral("/resources/examples/quickstart.json"));
    return {installed, source};
}

QString exampleSweepPath() {
    for (const QString& c : exampleSweepCandidates()) {
        if (QFileInfo(c).isFile()) return c;
    }
    return {};
}

QString exampleResultsPath() {
    const QString dir = QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation);
    QDir().mkpath(dir);
    return QDir(dir).filePath(QStringLiteral("quickstart.sqlite"));
}

}  // namespace hace::gui
