// Opening a results database safely: what is checked before SQLite may write anything, and how
// a file that is not ours is refused (result_store.h lists the refusals).
#pragma once

#include <filesystem>

#include "engine/runner/result_store.h"
#include "engine/runner/sqlite_db.h"

namespace hace::runner::detail {

// Read-write: creates a new database or verifies (and migrates) an existing one, then sets WAL,
// foreign keys, synchronous=FULL, the busy timeout and the page cap.
Db open_results_for_writing(const std::filesystem::path& path, const StoreOptions& options);

// Read-only, for merge inputs: must be a results database at exactly kSchemaVersion.
Db open_results_for_reading(const std::filesystem::path& path);

}  // namespace hace::runner::detail
