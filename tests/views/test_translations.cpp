// Both translations are complete (STYLE.md 3.7): lupdate run over today's sources into copies of
// translations/*.ts adds nothing unfinished and finds nothing vanished or obsolete, every
// message has its translation with the same placeholders, and the compiled catalogue really
// switches the labels. Source paths and lupdate come from CMake (HACE_LUPDATE, HACE_TS_FILES,
// HACE_TR_SOURCES_LIST).
#include <gtest/gtest.h>

#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QXmlStreamReader>

#include <set>

#include "tests/support/test_data.h"
#include "views/common/language.h"
#include "views/common/method_labels.h"
#include "views/plot/heatmap_renderer.h"

namespace hace::views {
namespace {

struct Message {
    QString context, source;
    QString type;              // translation type attribute ("", unfinished, vanished, obsolete)
    QStringList translations;  // one, or the numerus forms
    bool numerus = false;
};

std::vector<Message> readTs(const QString& path, QString* language) {
    QFile f(path);
    EXPECT_TRUE(f.open(QIODevice::ReadOnly)) << path.toStdString();
    QXmlStreamReader xml(&f);
    std::vector<Message> out;
    QString context;
    Message m;
    while (!xml.atEnd()) {
        xml.readNext();
        if (!xml.isStartElement()) continue;
        const auto name = xml.name();
        if (name == QLatin1String("TS")) {
            *language = xml.attributes().value(QLatin1String("language")).toString();
        } else if (name == QLatin1String("name")) {
            context = xml.readElementText();
        } else if (name == QLatin1String("message")) {
            m = Message{context,
                        {},
                        {},
                        {},
                        xml.attributes().value(QLatin1String("numerus")) == QLatin1String("yes")};
        } else if (name == QLatin1String("source")) {
            m.source = xml.readElementText();
        } else if (name == QLatin1String("translation")) {
            m.type = xml.attributes().value(QLatin1String("type")).toString();
            if (!m.numerus) {
                m.translations << xml.readElementText();
                out.push_back(m);
            } else {
                while (xml.readNextStartElement()) m.translations << xml.readElementText();
                out.push_back(m);
            }
        }
    }
    EXPECT_FALSE(xml.hasError()) << path.toStdString() << ": " << xml.errorString().toStdString();
    return out;
}

std::multiset<QString> placeholders(const QString& s) {
    std::multiset<QString> out;
    auto it = QRegularExpression(QStringLiteral("%(\\d|n)")).globalMatch(s);
    while (it.hasNext()) out.insert(it.next().captured(0));
    return out;
}

TEST(Translations, BothCataloguesAreCompleteForTodaysSources) {
    const QStringList tsFiles = QString::fromUtf8(HACE_TS_FILES).split(QLatin1Char('|'));
    ASSERT_EQ(tsFiles.size(), 2);
    const auto dir = hace::test::temp_dir("translations");
    for (const QString& ts : tsFiles) {
        // lupdate updates a copy: any tr() string missing from the committed file shows up
        // as unfinished, any string gone from the sources as vanished.
        const QString copy = QString::fromStdString(
            (dir / std::filesystem::path(ts.toStdString()).filename()).string());
        QFile::remove(copy);
        ASSERT_TRUE(QFile::copy(ts, copy));
        QFile::setPermissions(copy, QFile::ReadOwner | QFile::WriteOwner);
        QProcess lupdate;
        lupdate.setProcessChannelMode(QProcess::MergedChannels);
        lupdate.start(
            QStringLiteral(HACE_LUPDATE),
            {QStringLiteral("-locations"), QStringLiteral("none"), QStringLiteral("-no-ui-lines"),
             QStringLiteral("-I"), QStringLiteral(HACE_SOURCE_DIR),
             QStringLiteral("@") + QStringLiteral(HACE_TR_SOURCES_LIST), QStringLiteral("-ts"),
             copy});
        ASSERT_TRUE(lupdate.waitForFinished(60000));
        ASSERT_EQ(lupdate.exitCode(), 0) << lupdate.readAll().toStdString();
        QString language;
        const auto messages = readTs(copy, &language);
        EXPECT_GT(messages.size(), 200u) << ts.toStdString();
        int bad = 0;
        for (const auto& m : messages) {
            const std::string where = language.toStdString() + " " + m.context.toStdString() +
                                      ": \"" + m.source.toStdString() + "\"";
            if (!m.type.isEmpty()) {
                ADD_FAILURE() << where << " is " << m.type.toStdString()
                              << " (run the update_translations target and translate it)";
                ++bad;
                continue;
            }
            for (const QString& t : m.translations) {
                if (t.isEmpty()) {
                    ADD_FAILURE() << where << " has an empty translation";
                    ++bad;
                } else if (placeholders(t) != placeholders(m.source) &&
                           !(m.numerus &&
                             placeholders(t).size() <= placeholders(m.source).size())) {
                    ADD_FAILURE() << where << ": placeholders differ in \"" << t.toStdString()
                                  << "\"";
                    ++bad;
                }
            }
            if (bad > 20) return;
        }
    }
}

TEST(Translations, TheCompiledCatalogueSwitchesLabelsAtRunTime) {
    ASSERT_TRUE(Language::install(QStringLiteral("zh_CN")));
    EXPECT_EQ(Language::current(), QStringLiteral("zh_CN"));
    const QString layerZh = Labels::method("hace-layer");
    const QString fullZh = Labels::method("full");
    const QString titleZh = HeatmapRenderer::title(HeatmapData{});
    ASSERT_TRUE(Language::install(QStringLiteral("en")));
    EXPECT_EQ(Labels::method("hace-layer"), QStringLiteral("HACE (layer only)"));
    EXPECT_EQ(Labels::method("full"), QStringLiteral("Full cache"));
    EXPECT_NE(layerZh, Labels::method("hace-layer"));
    EXPECT_NE(fullZh, Labels::method("full"));
    EXPECT_NE(titleZh, HeatmapRenderer::title(HeatmapData{}));
    // Chinese text, not a copy of the English.
    EXPECT_TRUE(fullZh.contains(QRegularExpression(QStringLiteral("[\\x{4e00}-\\x{9fff}]"))));
    EXPECT_FALSE(Language::install(QStringLiteral("fr")));
    EXPECT_EQ(Language::current(), QStringLiteral("en"));
}

}  // namespace
}  // namespace hace::views
