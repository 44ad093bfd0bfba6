// The hace-workbench binary's automation flags (offscreen): --help, a screenshot of a chosen
// tab at a chosen size in both languages, and one-line refusals with exit code 2.
#include <gtest/gtest.h>

#include <QImage>
#include <QProcess>
#include <QProcessEnvironment>

#include "tests/support/test_data.h"
#include "tests/views/results_fixture.h"

namespace {

struct Result {
    int code = -1;
    QString output;
};

Result runWorkbench(const QStringList& args, const std::filesystem::path& home) {
    QProcess p;
    auto env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), QString::fromStdString(home.string()));
    p.setProcessEnvironment(env);
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(QStringLiteral(HACE_WORKBENCH_PATH), args);
    if (!p.waitForFinished(60000)) {
        p.kill();
        return {};
    }
    return {p.exitCode(), QString::fromLocal8Bit(p.readAll())};
}

TEST(WorkbenchApp, HelpListsTheAutomationFlags) {
    const auto r = runWorkbench({QStringLiteral("--help")}, hace::test::temp_dir("wb_help"));
    EXPECT_EQ(r.code, 0);
    for (const char* flag :
         {"--screenshot", "--quit-after-ms", "--lang", "--open-db", "--open-spec"}) {
        EXPECT_TRUE(r.output.contains(QLatin1String(flag))) << flag;
    }
}

TEST(WorkbenchApp, ScreenshotOfATabAtTheRequestedSizeInBothLanguages) {
    const auto dir = hace::test::temp_dir("wb_shot");
    const auto db = dir / "results.sqlite";
    hace::views::test::writeResultsFixture(db);
    for (const char* lang : {"en", "zh_CN"}) {
        const QString shot =
            QString::fromStdString((dir / (std::string("curves-") + lang + ".png")).string());
        const auto r = runWorkbench(
            {QStringLiteral("--lang"), QLatin1String(lang), QStringLiteral("--open-db"),
             QString::fromStdString(db.string()), QStringLiteral("--tab"), QStringLiteral("curves"),
             QStringLiteral("--size"), QStringLiteral("900x600"), QStringLiteral("--screenshot"),
             shot, QStringLiteral("--quit-after-ms"), QStringLiteral("300")},
            dir);
        ASSERT_EQ(r.code, 0) << r.output.toStdString();
        const QImage image(shot);
        ASSERT_FALSE(image.isNull()) << lang;
        EXPECT_EQ(image.size(), QSize(900, 600));
    }
}

TEST(WorkbenchApp, BadArgumentsExitWithCode2AndOneLine) {
    const auto dir = hace::test::temp_dir("wb_bad");
    for (const QStringList& args :
         {QStringList{QStringLiteral("--lang"), QStringLiteral("fr")},
          QStringList{QStringLiteral("--tab"), QStringLiteral("nowhere")},
          QStringList{QStringLiteral("--quit-after-ms"), QStringLiteral("soon")},
          QStringList{QStringLiteral("--open-db"),
                      QString::fromStdString((dir / "missing.sqlite").string()),
                      QStringLiteral("--quit-after-ms"), QStringLiteral("0")}}) {
        const auto r = runWorkbench(args, dir);
        EXPECT_EQ(r.code, 2) << args.join(QLatin1Char(' ')).toStdString() << ": "
                             << r.output.toStdString();
        EXPECT_TRUE(r.output.contains(QStringLiteral("hace-workbench: error: ")))
            << r.output.toStdString();
    }
}

}  // namespace
