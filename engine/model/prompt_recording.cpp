#include "engine/model/prompt_recording.h"

#include <set>
#include <stdexcept>

namespace hace::model {

std::int64_t RecordedPrompt::bytes() const {
    // Distinct storages: q/k/v views of one fused projection share it.
    std::set<const void*> seen;
    std::int64_t total = 0;
    for (const Layer& L : layers) {
        for (const at::Tensor* t : {&L.q, &L.k, &L.v}) {
            if (!t->defined()) continue;
            const void* base = t->storage().data();
            if (seen.insert(base).second) total += static_cast<std::int64_t>(t->storage().nbytes());
        }
    }
    return total;
}

at::Tensor RecordingKvCache::attend(std::int64_t layer, const at::Tensor& q, const at::Tensor& k,
                                    const at::Tensor& v) {
    if (layer != static_cast<std::int64_t>(into_.layers.size())) {
        throw std::logic_error("prompt recording: layers must attend in order, once each");
    }
    into_.layers.push_back({q, k, v});
    return inner_.attend(layer, q, k, v);
}

void RecordingKvCache::finish() {
    into_.sequence_state = sequence_state();
    inner_.sequence_state() = sequence_state();
}

void replay_prompt(const RecordedPrompt& recording, KvCache& cache) {
    if (cache.length() != 0) throw std::logic_error("replay_prompt: the cache is not empty");
    for (std::size_t l = 0; l < recording.layers.size(); ++l) {
        const auto& L = recording.layers[l];
        cache.store(static_cast<std::int64_t>(l), L.q, L.k, L.v);
    }
    cache.advance(static_cast<std::int64_t>(recording.ids().size()));
    cache.sequence_state() = recording.sequence_state;
}

}  // namespace hace::model
