// ResultStore's private state, shared by the files that implement its members.
#pragma once

#include <mutex>

#include "engine/runner/result_store.h"
#include "engine/runner/sqlite_db.h"

namespace hace::runner {

struct ResultStore::Impl {
    explicit Impl(detail::Db database) : db(std::move(database)) {}
    detail::Db db;
    mutable std::mutex mutex;
};

}  // namespace hace::runner
