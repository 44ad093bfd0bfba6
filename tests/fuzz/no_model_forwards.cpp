// The fuzz build's stand-ins for the families' torch forwards. The family registry
// (engine/model/family_registry.cpp) pairs each config parser with its model's `create`, and the
// forwards include LibTorch, whose headers Debian's clang rejects in C++20 (tests/fuzz). The
// config fuzzers only parse and describe configs, never build a model, so these definitions
// exist only to satisfy the registry's references at link time; reaching one is a bug in the
// fuzz target, reported as a crash. A new family adds its create_<family>_model here (the link
// of hace_fuzz_model_config names it when it is missing).
#include <cstdio>
#include <cstdlib>
#include <memory>

#include "engine/model/families/llama.h"
#include "engine/model/families/opt.h"
#include "engine/model/families/qwen.h"
#include "engine/model/model.h"

namespace hace::model {
namespace {

[[noreturn]] void no_forward(const char* family) {
    std::fprintf(stderr, "fuzz: create_%s_model called, but the fuzz build has no forwards\n",
                 family);
    std::abort();
}

}  // namespace

std::unique_ptr<Model> create_llama_model(const ModelConfig&, WeightSource&, const LoadOptions&) {
    no_forward("llama");
}

std::unique_ptr<Model> create_opt_model(const ModelConfig&, WeightSource&, const LoadOptions&) {
    no_forward("opt");
}

std::unique_ptr<Model> create_qwen_model(const ModelConfig&, WeightSource&, const LoadOptions&) {
    no_forward("qwen");
}

}  // namespace hace::model
