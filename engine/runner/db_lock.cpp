#include "engine/runner/db_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <fstream>
#include <sstream>

#include "engine/core/error.h"

namespace hace::runner {
namespace {

namespace fs = std::filesystem;

// This process as a person would recognise it: "hace run sweep.json --db r.sqlite".
std::string command_line() {
    std::ifstream in("/proc/self/cmdline", std::ios::binary);
    std::string raw((std::istreambuf_iterator<char>(in)), {});
    std::string out;
    std::size_t start = 0;
    for (std::size_t i = 0; i <= raw.size(); ++i) {
        if (i < raw.size() && raw[i] != '\0') continue;
        std::string arg = raw.substr(start, i - start);
        start = i + 1;
        if (arg.empty() && i >= raw.size()) break;
        if (out.empty()) arg = fs::path(arg).filename().string();
        if (!out.empty()) out += ' ';
        out += arg;
        if (out.size() > 200) {
            out.resize(200);
            out += "...";
            break;
        }
    }
    return out.empty() ? std::string("unknown command") : out;
}

std::string holder_text() {
    char host[256] = {};
    if (::gethostname(host, sizeof host - 1) != 0) std::strcpy(host, "unknown host");
    const std::time_t now = std::time(nullptr);
    std::tm utc{};
    ::gmtime_r(&now, &utc);
    char when[32];
    std::strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", &utc);
    std::ostringstream s;
    s << "pid " << ::getpid() << " (" << command_line() << ") on host " << host << " since "
      << when;
    return s.str();
}

std::string read_holder(int fd) {
    std::string text;
    char buf[512];
    for (off_t at = 0;;) {
        const ssize_t n = ::pread(fd, buf, sizeof buf, at);
        if (n <= 0) break;
        text.append(buf, static_cast<std::size_t>(n));
        at += n;
        if (text.size() > 4096) break;
    }
    const auto end = text.find('\n');
    if (end != std::string::npos) text.resize(end);
    return text.empty() ? std::string("a process that is just starting") : text;
}

}  // namespace

fs::path db_lock_path(const fs::path& db) {
    return fs::path(db.string() + ".lock");
}

DbWriterLock DbWriterLock::acquire(const fs::path& db) {
    const fs::path file = db_lock_path(db);
    const int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        throw_input(db.string(),
                    "cannot create the lock file " + file.string() + ": " + std::strerror(errno));
    }
    int rc;
    do {
        rc = ::flock(fd, LOCK_EX | LOCK_NB);
    } while (rc != 0 && errno == EINTR);
    if (rc != 0) {
        const int err = errno;
        std::string holder = err == EWOULDBLOCK ? read_holder(fd) : std::string();
        ::close(fd);
        if (err != EWOULDBLOCK) {
            throw_input(db.string(), "cannot lock " + file.string() + ": " + std::strerror(err));
        }
        throw_input(db.string(), "being written by another process: " + holder +
                                     "; wait for it to finish or stop it (one writer per "
                                     "database, lock file " +
                                     file.filename().string() + ")");
    }
    // Ours now: say who holds it, for the next one to read.
    const std::string text = holder_text() + "\n";
    if (::ftruncate(fd, 0) != 0 ||
        ::pwrite(fd, text.data(), text.size(), 0) != static_cast<ssize_t>(text.size())) {
        // The lock holds without the note; a refused writer then reads "just starting".
    }
    return DbWriterLock(fd);
}

DbWriterLock::~DbWriterLock() {
    if (fd_ >= 0) ::close(fd_);  // releases the flock
}

DbWriterLock::DbWriterLock(DbWriterLock&& other) noexcept : fd_(other.fd_) {
    other.fd_ = -1;
}

DbWriterLock& DbWriterLock::operator=(DbWriterLock&& other) noexcept {
    if (this != &other) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = other.fd_;
        other.fd_ = -1;
    }
    return *this;
}

}  // namespace hace::runner
