// How one evaluated sample and one HIV run become rows of the results store (result_store.h).
#pragma once

#include <filesystem>

#include "engine/eval/evaluate/sample_eval.h"
#include "engine/eval/hiv/hiv_test.h"
#include "engine/runner/result_store.h"
#include "engine/runner/sweep_plan.h"

namespace hace::runner {

SampleResult sample_record(const RunCell& cell, std::int64_t index, const eval::EvalSample& sample,
                           const eval::SampleOutcome& outcome);

// The kept_tokens row of a sample: the kept positions, the prompt ids and the text each prompt
// token adds (decoded with its three predecessors, so sentencepiece spaces and multi-byte
// characters split over byte pieces come out as in the whole text; a token that adds nothing
// decodable shows its vocabulary piece).
KeptRecord kept_record(const eval::EvalSample& sample, const eval::KeptSet& kept,
                       const tokenizer::Tokenizer& tok);

// The summary row of a cell's HIV run whose files were written to `scores`.
SampleResult hiv_record(const RunCell& cell, const eval::HivRunResult& run,
                        const std::filesystem::path& scores);

}  // namespace hace::runner
