// Every method of the engine's registry and every task of its task table has a label in the
// one label table, in both languages (STYLE.md 3.7: no registry id without a label).
#include <gtest/gtest.h>

#include <QRegularExpression>

#include <algorithm>

#include "engine/eval/evaluate/task_samples.h"
#include "engine/kv/methods.h"
#include "engine/kv/scorers.h"
#include "views/common/language.h"
#include "views/common/method_labels.h"

namespace hace::views {
namespace {

TEST(MethodLabels, EveryRegistryMethodAndTaskHasALabelInBothLanguages) {
    const auto& ids = Labels::methodIds();
    for (const auto& row : kv::method_rows()) {
        EXPECT_NE(std::find(ids.begin(), ids.end(), row.id), ids.end())
            << "method \"" << row.id << "\" has no row in views/common/method_labels.cpp";
    }
    for (const char* lang : {"en", "zh_CN"}) {
        ASSERT_TRUE(Language::install(QString::fromLatin1(lang)));
        for (const auto& row : kv::method_rows()) {
            EXPECT_FALSE(Labels::method(row.id).isEmpty()) << lang << " " << row.id;
        }
        for (const auto& task : eval::task_table()) {
            // An unknown id comes back as itself; a labelled one never does.
            EXPECT_NE(Labels::task(task.id).toStdString(), task.id)
                << "task \"" << task.id << "\" has no label (" << lang << ")";
        }
    }
    ASSERT_TRUE(Language::install(QStringLiteral("zh_CN")));
    EXPECT_TRUE(
        Labels::task("niah").contains(QRegularExpression(QStringLiteral("[\\x{4e00}-\\x{9fff}]"))));
    EXPECT_TRUE(Labels::method("kivi", "faithful").contains(QStringLiteral("KIVI")));
    ASSERT_TRUE(Language::install(QStringLiteral("en")));
    EXPECT_EQ(Labels::method("kivi", "faithful"), QStringLiteral("KIVI (faithful)"));
    EXPECT_EQ(Labels::method("unknown-method"), QStringLiteral("unknown-method"));
}

// Every scorer of the engine's scorer table (--selector) has a label and a line of help in both
// languages; the Chinese help is Chinese.
TEST(MethodLabels, EveryScorerHasALabelAndHelpInBothLanguages) {
    const auto& ids = Labels::scorerIds();
    for (const auto& row : kv::scorer_rows()) {
        EXPECT_NE(std::find(ids.begin(), ids.end(), row.id), ids.end())
            << "scorer \"" << row.id << "\" has no row in views/common/method_labels.cpp";
    }
    for (const char* lang : {"en", "zh_CN"}) {
        ASSERT_TRUE(Language::install(QString::fromLatin1(lang)));
        for (const auto& row : kv::scorer_rows()) {
            EXPECT_FALSE(Labels::scorer(row.id).isEmpty()) << lang << " " << row.id;
            const QString help = Labels::scorerHelp(row.id);
            EXPECT_FALSE(help.isEmpty()) << lang << " " << row.id;
            if (std::string(lang) == "zh_CN") {
                EXPECT_TRUE(
                    help.contains(QRegularExpression(QStringLiteral("[\\x{4e00}-\\x{9fff}]"))))
                    << row.id << ": " << help.toStdString();
            }
        }
    }
    ASSERT_TRUE(Language::install(QStringLiteral("en")));
    EXPECT_EQ(Labels::scorer("knorm"), QStringLiteral("K-norm"));
}

}  // namespace
}  // namespace hace::views
