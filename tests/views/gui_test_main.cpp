// main() of the GUI test binaries: a QApplication on the offscreen platform (unless the caller
// chose one), settings in Qt's test locations, English labels, then GoogleTest.
#include <QApplication>
#include <QStandardPaths>

#include <gtest/gtest.h>

#include "views/common/language.h"

int main(int argc, char** argv) {
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
    ::testing::InitGoogleTest(&argc, argv);
    QStandardPaths::setTestModeEnabled(true);
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("HACE-tests"));
    QApplication::setApplicationName(QStringLiteral("hace-views-tests"));
    hace::views::Language::install(QStringLiteral("en"));
    return RUN_ALL_TESTS();
}
