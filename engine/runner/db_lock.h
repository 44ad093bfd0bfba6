// One writer per results database. A run (or a merge) holds an exclusive flock(2) on the sidecar
// file "<db>.lock" for its whole lifetime; a second writer is refused with a message naming the
// holder, which the holder wrote into the file (pid, command, host, start time). The kernel drops
// the lock when the holder's descriptor closes, including when the process dies of SIGKILL, so a
// crash never leaves the database locked; the file itself stays (removing it would race with a
// writer that has just opened it) and its stale text is only read while someone holds the lock.
//
// Why flock on a sidecar and not fcntl on the database: SQLite itself takes fcntl (POSIX) locks on
// the database and its -shm file, and POSIX locks belong to a (process, file) pair, are all
// dropped when any descriptor of that file in the process is closed, and never conflict inside
// one process. flock locks belong to the open file description: a second open() conflicts even in
// the same process (the workbench running one sweep while its designer starts another), and
// SQLite's own opening and closing of the database cannot release ours. Readers (the workbench's
// results browser, `hace export`) never touch the sidecar, so WAL readers are never blocked and
// never block the writer.
#pragma once

#include <filesystem>
#include <string>

namespace hace::runner {

class DbWriterLock {
public:
    // Takes the lock of `db` (creating "<db>.lock" beside it) or throws InputError
    // "<db>: being written by another process: pid 123 (hace run sweep.json) on host x since
    // 2026-12-02 17:40:00 UTC; wait for it to finish or stop it".
    static DbWriterLock acquire(const std::filesystem::path& db);
    ~DbWriterLock();
    DbWriterLock(DbWriterLock&& other) noexcept;
    DbWriterLock& operator=(DbWriterLock&& other) noexcept;
    DbWriterLock(const DbWriterLock&) = delete;
    DbWriterLock& operator=(const DbWriterLock&) = delete;

private:
    explicit DbWriterLock(int fd) : fd_(fd) {}
    int fd_ = -1;
};

// "<db>.lock"
std::filesystem::path db_lock_path(const std::filesystem::path& db);

}  // namespace hace::runner
