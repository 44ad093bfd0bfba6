// Output and option helpers shared by the subcommands (print_json: print_json.h).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "app/cli/args.h"
#include "app/cli/print_json.h"
#include "engine/model/model.h"
#include "engine/tokenizer/tokenizer.h"

namespace hace::cli {

// Flags every model-running command accepts: --device, --dtype, --threads.
std::vector<FlagSpec> run_flags();
// Applies --threads and returns LoadOptions from --device/--dtype (InputError on bad values).
model::LoadOptions load_options(const Args& args);

// Flags naming a prompt: --prompt, --prompt-file, --prompt-ids, --no-bos.
std::vector<FlagSpec> prompt_flags();
// Reads the prompt ids. Loads the folder's tokenizer into `tok` when one is needed (text) or
// present (for decoding output); throws InputError on an empty prompt.
// Refuses a tokenizer that can produce ids the model has no embedding for.
void check_tokenizer_fits(const tokenizer::Tokenizer& tok, const model::ModelConfig& cfg,
                          const std::filesystem::path& model_dir);
// --chat ID|auto wraps a text prompt in a chat template (auto: the family's own); the id used
// ("none" without --chat) is stored in *chat_used.
std::vector<model::TokenId> read_prompt(const Args& args, const std::filesystem::path& model_dir,
                                        std::unique_ptr<tokenizer::Tokenizer>& tok,
                                        std::string* chat_used = nullptr);

}  // namespace hace::cli
