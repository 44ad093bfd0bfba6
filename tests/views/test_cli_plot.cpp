// `hace plot` (built with the GUI): each figure in each format from a results database, with
// the contract's exit codes: 0 and the file, 2 and one line for bad input.
#include <gtest/gtest.h>

#include <QFile>
#include <QImage>
#include <QProcess>

#include <nlohmann/json.hpp>

#include "tests/support/test_data.h"
#include "tests/views/results_fixture.h"

namespace {

struct Result {
    int code = -1;
    QString out, err;
};

Result hace(const QStringList& args) {
    QProcess p;
    p.start(QStringLiteral(HACE_CLI_PATH), args);
    if (!p.waitForFinished(60000)) {
        p.kill();
        return {};
    }
    return {p.exitCode(), QString::fromUtf8(p.readAllStandardOutput()),
            QString::fromUtf8(p.readAllStandardError())};
}

class HacePlot : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = hace::test::temp_dir("hace_plot");
        db_ = QString::fromStdString((dir_ / "results.sqlite").string());
        hace::views::test::writeResultsFixture(db_.toStdString());
    }
    QString out(const std::string& name) const {
        return QString::fromStdString((dir_ / name).string());
    }
    std::filesystem::path dir_;
    QString db_;
};

TEST_F(HacePlot, WritesEveryFigureInEveryFormat) {
    for (const char* figure : {"heatmap", "curve", "niah", "cliff"}) {
        for (const char* ext : {"pdf", "svg", "png"}) {
            const QString file = out(std::string(figure) + "." + ext);
            const auto r = hace({QStringLiteral("plot"), QStringLiteral("--db"), db_,
                                 QStringLiteral("--figure"), QLatin1String(figure),
                                 QStringLiteral("--out"), file, QStringLiteral("--json")});
            ASSERT_EQ(r.code, 0) << figure << "." << ext << ": " << r.err.toStdString();
            const auto j = nlohmann::json::parse(r.out.toStdString());
            EXPECT_EQ(j["figure"], figure);
            EXPECT_EQ(j["format"], ext);
            EXPECT_DOUBLE_EQ(j["width_in"].get<double>(), 3.5);
            EXPECT_GT(QFile(file).size(), 1000) << file.toStdString();
            EXPECT_TRUE(r.err.isEmpty()) << r.err.toStdString();
        }
    }
}

TEST_F(HacePlot, SizeResolutionAndLanguageFlags) {
    const QString png = out("curve-double.png");
    auto r = hace({QStringLiteral("plot"), QStringLiteral("--db"), db_, QStringLiteral("--figure"),
                   QStringLiteral("curve"), QStringLiteral("--out"), png, QStringLiteral("--size"),
                   QStringLiteral("double"), QStringLiteral("--dpi"), QStringLiteral("100"),
                   QStringLiteral("--lang"), QStringLiteral("zh_CN")});
    ASSERT_EQ(r.code, 0) << r.err.toStdString();
    EXPECT_EQ(QImage(png).width(), 716);
    const QString en = out("heatmap-en.svg"), zh = out("heatmap-zh.svg");
    ASSERT_EQ(hace({QStringLiteral("plot"), QStringLiteral("--db"), db_, QStringLiteral("--figure"),
                    QStringLiteral("heatmap"), QStringLiteral("--out"), en})
                  .code,
              0);
    ASSERT_EQ(hace({QStringLiteral("plot"), QStringLiteral("--db"), db_, QStringLiteral("--figure"),
                    QStringLiteral("heatmap"), QStringLiteral("--out"), zh,
                    QStringLiteral("--lang"), QStringLiteral("zh_CN")})
                  .code,
              0);
    QFile fe(en), fz(zh);
    ASSERT_TRUE(fe.open(QIODevice::ReadOnly) && fz.open(QIODevice::ReadOnly));
    const QString svgEn = QString::fromUtf8(fe.readAll()), svgZh = QString::fromUtf8(fz.readAll());
    EXPECT_TRUE(svgEn.contains(QStringLiteral("KV head")));
    EXPECT_FALSE(svgZh.contains(QStringLiteral("KV head")));
}

TEST_F(HacePlot, BadInputExitsWith2AndOneLine) {
    const std::vector<QStringList> cases = {
        {QStringLiteral("plot"), QStringLiteral("--db"), db_, QStringLiteral("--figure"),
         QStringLiteral("pie")},
        {QStringLiteral("plot"), QStringLiteral("--db"), out("missing.sqlite"),
         QStringLiteral("--figure"), QStringLiteral("curve"), QStringLiteral("--out"),
         out("x.pdf")},
        {QStringLiteral("plot"), QStringLiteral("--db"), db_, QStringLiteral("--figure"),
         QStringLiteral("curve"), QStringLiteral("--out"), out("x.jpg")},
        {QStringLiteral("plot"), QStringLiteral("--db"), db_, QStringLiteral("--figure"),
         QStringLiteral("curve"), QStringLiteral("--out"), out("x.pdf"), QStringLiteral("--lang"),
         QStringLiteral("fr")},
        {QStringLiteral("plot"), QStringLiteral("--db"), db_, QStringLiteral("--figure"),
         QStringLiteral("heatmap"), QStringLiteral("--out"), out("x.pdf"),
         QStringLiteral("--method"), QStringLiteral("kivi")},
        {QStringLiteral("plot"), QStringLiteral("--db"), db_, QStringLiteral("--figure"),
         QStringLiteral("curve"), QStringLiteral("--dpi"), QStringLiteral("5"),
         QStringLiteral("--out"), out("x.png")},
    };
    for (const auto& args : cases) {
        const auto r = hace(args);
        EXPECT_EQ(r.code, 2) << args.join(QLatin1Char(' ')).toStdString() << "\n"
                             << r.err.toStdString();
        EXPECT_TRUE(r.err.startsWith(QStringLiteral("hace: error: "))) << r.err.toStdString();
        EXPECT_EQ(r.err.count(QLatin1Char('\n')), 1) << r.err.toStdString();
    }
}

}  // namespace
