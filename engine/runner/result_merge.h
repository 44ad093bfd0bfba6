// `hace merge OUT IN...` (DESIGN.md section 5): combines result databases written by separate
// processes (Slurm array tasks, machines) into one, without duplicates. Every input is verified
// before anything is written (a damaged, foreign or other-version input is refused, and OUT
// is left as it was); then each input is copied in one transaction (ResultStore::merge_from).
#pragma once

#include <filesystem>
#include <vector>

#include "engine/runner/result_store.h"

namespace hace::runner {

// Counts summed over the inputs. OUT is created if absent; an input equal to OUT is refused.
MergeCounts merge_databases(const std::filesystem::path& out,
                            const std::vector<std::filesystem::path>& inputs,
                            const StoreOptions& options = {});

}  // namespace hace::runner
