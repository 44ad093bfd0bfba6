#include "engine/model/generate.h"

#include <chrono>

#include "engine/core/elapsed.h"
#include "engine/model/sequence_run.h"

namespace hace::model {

GenerateResult generate(const Model& model, std::span<const TokenId> prompt,
                        const GenerateOptions& opts) {
    SequenceRun run(model, prompt, opts);
    const auto t0 = std::chrono::steady_clock::now();
    while (run.wants_more()) {
        if (run.taken() > 0) {
            run.session().decode_step_into(run.last(), run.logits());  // reuses the buffer
            run.count_decode_step();
        }
        run.take(run.logits());
    }
    return run.finish(ms_since(t0));
}

}  // namespace hace::model
