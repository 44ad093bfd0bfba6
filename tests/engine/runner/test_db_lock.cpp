// One writer per results database (db_lock.h): the lock refuses a second holder, in this process
// or another, with the first holder's pid, command, host and start time; it is released when the
// holder lets go or dies (SIGKILL), and it never stands in the way of SQLite readers.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/core/error.h"
#include "engine/runner/db_lock.h"
#include "engine/runner/result_merge.h"
#include "engine/runner/result_store.h"
#include "tests/support/test_data.h"

namespace hace::runner {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

std::string refusal(const fs::path& db) {
    try {
        DbWriterLock::acquire(db);
    } catch (const InputError& e) {
        return e.what();
    }
    return "";
}

TEST(DbWriterLock, ASecondHolderIsRefusedWithTheFirstOnesIdentity) {
    const fs::path db = hace::test::temp_dir("db-lock") / "r.sqlite";
    {
        const DbWriterLock first = DbWriterLock::acquire(db);
        EXPECT_TRUE(fs::exists(db_lock_path(db)));
        EXPECT_EQ(db_lock_path(db).filename(), "r.sqlite.lock");
        // A second open file description conflicts even inside this process.
        const std::string msg = refusal(db);
        EXPECT_THAT(msg, HasSubstr("r.sqlite: being written by another process: pid " +
                                   std::to_string(::getpid()) + " ("));
        EXPECT_THAT(msg, HasSubstr("test_db_lock"));  // the holder's command line
        char host[256] = {};
        ::gethostname(host, sizeof host - 1);
        EXPECT_THAT(msg, HasSubstr(std::string("on host ") + host + " since 20"));
        EXPECT_THAT(msg, HasSubstr(" UTC; wait for it to finish or stop it"));
        EXPECT_EQ(msg.find('\n'), std::string::npos);
        // So is a merge into it.
        EXPECT_THROW(merge_databases(db, {}), InputError);
    }
    // Released with its holder: taken again at once, and again after that.
    EXPECT_NO_THROW({ const DbWriterLock again = DbWriterLock::acquire(db); });
    EXPECT_NO_THROW({ const DbWriterLock again = DbWriterLock::acquire(db); });
    EXPECT_EQ(refusal(db), "");
}

TEST(DbWriterLock, ReleasedWhenItsHolderIsKilled) {
    const fs::path db = hace::test::temp_dir("db-lock-kill") / "r.sqlite";
    int ready[2];
    ASSERT_EQ(::pipe(ready), 0);
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        try {
            const DbWriterLock held = DbWriterLock::acquire(db);
            (void)!::write(ready[1], "x", 1);
            for (;;) ::pause();  // until SIGKILL
        } catch (...) {
            ::_exit(3);
        }
    }
    ::close(ready[1]);
    char c = 0;
    ASSERT_EQ(::read(ready[0], &c, 1), 1);
    ::close(ready[0]);
    EXPECT_THAT(refusal(db), HasSubstr("pid " + std::to_string(pid) + " ("));
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status));
    EXPECT_EQ(WTERMSIG(status), SIGKILL);
    EXPECT_EQ(refusal(db), "");  // no stale lock, though the file and its note stay
    EXPECT_TRUE(fs::exists(db_lock_path(db)));
}

TEST(DbWriterLock, MissingFolderIsAnInputErrorNamingTheDatabase) {
    const fs::path db = hace::test::temp_dir("db-lock-nofolder") / "absent" / "r.sqlite";
    EXPECT_THAT(refusal(db), HasSubstr("r.sqlite: cannot create the lock file"));
}

}  // namespace
}  // namespace hace::runner
