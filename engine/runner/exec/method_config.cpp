#include "engine/runner/exec/method_config.h"

#include "engine/core/error.h"
#include "engine/kv/method_params.h"

namespace hace::runner {

using nlohmann::json;

json method_default_params(const kv::MethodRow& row) {
    return kv::method_default_params(row);
}

const kv::HeadScoreFile& HeadScoreCache::get(const std::filesystem::path& file) {
    auto it = files_.find(file.string());
    if (it == files_.end()) {
        auto loaded = std::make_shared<const kv::HeadScoreFile>(kv::load_head_score_file(file));
        it = files_.emplace(file.string(), std::move(loaded)).first;
    }
    return *it->second;
}

kv::CompressionConfig compression_config_for(const MethodSetup& s, const model::ModelConfig& model,
                                             HeadScoreCache& head_scores) {
    kv::CompressionConfig cfg;
    cfg.method = s.method;
    const kv::MethodRow& row = kv::method_by_id(cfg.method);
    cfg.mode = s.mode.empty() ? "equal" : s.mode;
    cfg.selector = kv::default_selector(row, cfg.mode);
    cfg.retention = s.retention;
    cfg.capacity = s.capacity;
    cfg.tau_model_key = kv::tau_model_key(model);
    kv::apply_params(cfg, s.params);
    if (kv::needs_head_scores(row)) {
        if (!s.head_scores) {
            throw InputError("method " + cfg.method + " needs a head-score file for the model");
        }
        const kv::HeadScoreFile& f = head_scores.get(*s.head_scores);
        cfg.head_scores = kv::kv_head_scores(f, model.n_layers, model.n_q_heads, model.n_kv_heads,
                                             cfg.head_temperature);
        cfg.head_scores_query = kv::query_head_scores(f, cfg.head_temperature);
        cfg.head_scores_source = s.head_scores->string();
    }
    cfg.validate(model);
    return cfg;
}

}  // namespace hace::runner
