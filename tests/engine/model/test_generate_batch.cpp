// Batched decoding on the real stories260K model: a batched decode step gives every row the
// logits its session gets alone, and continuous batching (generate_batch) gives every job the
// output ids and step logits generate() gives it alone, for B = 1, 2, 4, full and compressed
// caches (StreamingLLM, H2O, KIVI, SnapKV equal and faithful, HACE), prompts of different
// lengths, different max_new_tokens, stops at different steps and slots refilled.
#include <algorithm>
#include <cmath>
#include <random>
#include <stdexcept>

#include <gtest/gtest.h>

#include "engine/core/error.h"
#include "engine/kv/methods.h"
#include "engine/model/generate.h"
#include "engine/model/generate_batch.h"
#include "engine/model/model.h"
#include "tests/support/test_data.h"

namespace hace::model {
namespace {

std::filesystem::path stories() {
    return test::shared_data() / "models/stories260K";
}

// Deterministic prompt of n ids in [3, vocab) (no BOS/EOS inside).
std::vector<TokenId> prompt_of(std::int64_t n, std::uint32_t seed, std::int64_t vocab) {
    std::mt19937 rng(seed);
    std::uniform_int_distribution<TokenId> id(3, static_cast<TokenId>(vocab - 1));
    std::vector<TokenId> p(static_cast<std::size_t>(n));
    for (auto& t : p) t = id(rng);
    return p;
}

double max_abs_diff(std::span<const float> a, std::span<const float> b) {
    double m = 0.0;
    for (std::size_t i = 0; i < a.size(); ++i) m = std::max(m, std::abs(double(a[i]) - b[i]));
    return m;
}

// A kernel per row must not depend on the row count; a float reassociation would show far
// above this (logits are O(10)).
constexpr double kTol = 1e-5;

kv::CompressionConfig method_config(const std::string& method, const std::string& mode,
                                    const ModelConfig& mc) {
    const kv::MethodRow& row = kv::method_by_id(method);
    kv::CompressionConfig c;
    c.method = method;
    c.mode = mode;
    c.selector = kv::default_selector(row, mode);
    if (method == "kivi") {
        c.kivi_residual = 16;  // prompts of 17+ tokens quantise groups of 8 (head_dim) tokens
    } else if (row.compresses && mode == "faithful") {
        c.capacity = 33;  // the references need C > w (up to 32): the 37 and 50 compress
    } else if (row.compresses) {
        c.retention = 0.25;  // C = max(8, n / 4): every prompt here longer than 8 compresses
    }
    if (kv::needs_head_scores(row)) {
        c.head_scores.assign(static_cast<std::size_t>(mc.n_layers),
                             std::vector<double>(static_cast<std::size_t>(mc.n_kv_heads)));
        double sum = 0.0;
        for (std::int64_t l = 0; l < mc.n_layers; ++l) {
            for (std::int64_t h = 0; h < mc.n_kv_heads; ++h) sum += c.head_scores[l][h] = l + h + 1;
        }
        for (auto& r : c.head_scores) {
            for (auto& x : r) x /= sum;
        }
    }
    c.validate(mc);
    return c;
}

TEST(DecodeBatch, EveryRowGetsTheLogitsOfItsSessionAlone) {
    HACE_REQUIRE_PATH(stories());
    const auto m = load_model(stories());
    const auto& mc = m->config();
    const auto vocab = static_cast<std::size_t>(mc.vocab);
    // One batch mixing caches: full, a rolling StreamingLLM cache and KIVI, prompts 30/9/45.
    const std::vector<kv::CompressionConfig> cfgs = {method_config("full", "equal", mc),
                                                     method_config("streamingllm", "equal", mc),
                                                     method_config("kivi", "equal", mc)};
    const std::vector<std::int64_t> lens = {30, 9, 45};
    std::vector<std::unique_ptr<Session>> alone, batched;
    std::vector<TokenId> next(3);
    for (std::size_t b = 0; b < 3; ++b) {
        const auto p = prompt_of(lens[b], 10 + b, mc.vocab);
        alone.push_back(kv::new_compressed_session(*m, lens[b] + 8, cfgs[b]));
        batched.push_back(kv::new_compressed_session(*m, lens[b] + 8, cfgs[b]));
        const auto l1 = alone[b]->prefill(p);
        const auto l2 = batched[b]->prefill(p);
        ASSERT_EQ(l1, l2);
        next[b] = argmax(l1);
    }
    std::vector<Session*> ptrs = {batched[0].get(), batched[1].get(), batched[2].get()};
    std::vector<float> logits(3 * vocab), one(vocab);
    for (int step = 0; step < 8; ++step) {
        m->decode_batch(ptrs, next, logits);
        for (std::size_t b = 0; b < 3; ++b) {
            alone[b]->decode_step_into(next[b], one);
            const std::span<const float> row(logits.data() + b * vocab, vocab);
            ASSERT_LE(max_abs_diff(row, one), kTol) << "row " << b << " step " << step;
            EXPECT_EQ(batched[b]->position(), alone[b]->position());
            EXPECT_EQ(batched[b]->kv_stats().kept_entries, alone[b]->kv_stats().kept_entries);
            next[b] = argmax(one);
        }
    }
    // The sessions are full now: a batch with a full row is refused before any row runs.
    const std::int64_t before = ptrs[1]->position();
    EXPECT_THROW(m->decode_batch(ptrs, next, logits), InputError);
    EXPECT_EQ(ptrs[1]->position(), before);
}

TEST(DecodeBatch, RefusesMismatchedOrRepeatedRows) {
    HACE_REQUIRE_PATH(stories());
    const auto m = load_model(stories());
    auto s = m->new_session(16);
    s->prefill(prompt_of(4, 1, m->config().vocab));
    std::vector<Session*> twice = {s.get(), s.get()};
    std::vector<TokenId> ids = {5, 6};
    std::vector<float> logits(2 * static_cast<std::size_t>(m->config().vocab));
    EXPECT_THROW(m->decode_batch(twice, ids, logits), std::invalid_argument);
    std::vector<Session*> one = {s.get()};
    EXPECT_THROW(m->decode_batch(one, ids, logits), std::invalid_argument);
    EXPECT_EQ(s->position(), 4);
}

struct Job {
    std::vector<TokenId> prompt;
    std::int32_t max_new = 0;
    bool ignore_eos = false;
    std::uint64_t seed = 0;
};

// Prompts of different lengths, max_new_tokens from 0 to 20; some ignore EOS, so sequences
// finish at different steps, and 7 jobs over at most 4 slots refill slots.
std::vector<Job> jobs_for(std::int64_t vocab) {
    const std::vector<std::pair<std::int64_t, std::int32_t>> shape = {
        {12, 9}, {37, 3}, {25, 20}, {50, 6}, {8, 0}, {31, 1}, {19, 14}};
    std::vector<Job> jobs;
    for (std::size_t j = 0; j < shape.size(); ++j) {
        jobs.push_back({prompt_of(shape[j].first, static_cast<std::uint32_t>(100 + j), vocab),
                        shape[j].second, j % 2 == 0, 1000 + j});
    }
    return jobs;
}

struct Observed {
    GenerateResult result;
    std::vector<std::vector<float>> step_logits;
};

GenerateOptions options_for(const Model& m, const Job& job, const kv::CompressionConfig& cfg,
                            double temperature, Observed& obs) {
    GenerateOptions g;
    g.max_new_tokens = job.max_new;
    g.ignore_eos = job.ignore_eos;
    g.sampling.temperature = temperature;
    g.sampling.seed = job.seed;
    g.make_session = [&m, cfg](std::int64_t cap) {
        return kv::new_compressed_session(m, cap, cfg);
    };
    g.on_logits = [&obs](std::int32_t step, std::span<const float> l) {
        ASSERT_EQ(static_cast<std::size_t>(step), obs.step_logits.size());
        obs.step_logits.emplace_back(l.begin(), l.end());
    };
    return g;
}

void expect_batched_equals_alone(const Model& m, const kv::CompressionConfig& cfg,
                                 double temperature, const std::string& what) {
    const auto jobs = jobs_for(m.config().vocab);
    std::vector<Observed> alone(jobs.size());
    for (std::size_t j = 0; j < jobs.size(); ++j) {
        alone[j].result =
            generate(m, jobs[j].prompt, options_for(m, jobs[j], cfg, temperature, alone[j]));
    }
    for (const std::int32_t b : {1, 2, 4}) {
        std::vector<Observed> got(jobs.size());
        std::vector<bool> finished(jobs.size(), false);
        std::size_t given = 0;
        const BatchRunStats st = generate_batch(
            m, b,
            [&]() -> std::optional<BatchJob> {
                if (given == jobs.size()) return std::nullopt;
                const Job& job = jobs[given];
                BatchJob bj{job.prompt, options_for(m, job, cfg, temperature, got[given])};
                ++given;
                return bj;
            },
            [&](std::size_t j, GenerateResult r) {
                ASSERT_LT(j, jobs.size());
                EXPECT_FALSE(finished[j]);
                finished[j] = true;
                got[j].result = std::move(r);
            });
        const std::string at = what + " B=" + std::to_string(b);
        EXPECT_EQ(st.jobs, static_cast<std::int64_t>(jobs.size())) << at;
        EXPECT_EQ(st.max_live, b) << at;  // more jobs than slots: every slot was used
        std::int64_t rows = 0;
        for (std::size_t j = 0; j < jobs.size(); ++j) {
            const GenerateResult& a = alone[j].result;
            const GenerateResult& r = got[j].result;
            ASSERT_TRUE(finished[j]) << at << " job " << j;
            EXPECT_EQ(r.output_ids, a.output_ids) << at << " job " << j;
            EXPECT_EQ(r.stopped_by_eos, a.stopped_by_eos) << at << " job " << j;
            EXPECT_EQ(r.decode_steps, a.decode_steps) << at << " job " << j;
            EXPECT_EQ(r.prompt_tokens, a.prompt_tokens) << at << " job " << j;
            EXPECT_EQ(r.kv.kept_entries, a.kv.kept_entries) << at << " job " << j;
            EXPECT_EQ(r.batch_size, b);
            ASSERT_EQ(got[j].step_logits.size(), alone[j].step_logits.size()) << at;
            for (std::size_t s = 0; s < got[j].step_logits.size(); ++s) {
                ASSERT_LE(max_abs_diff(got[j].step_logits[s], alone[j].step_logits[s]), kTol)
                    << at << " job " << j << " step " << s;
            }
            rows += r.decode_steps;
        }
        EXPECT_EQ(st.decode_rows, rows) << at;
        if (b == 1) {
            EXPECT_EQ(st.decode_steps, rows) << at;
        }
    }
    // The jobs really differ in when they stop (else refilling would not be exercised).
    std::vector<std::size_t> lengths;
    for (const auto& o : alone) lengths.push_back(o.result.output_ids.size());
    std::sort(lengths.begin(), lengths.end());
    EXPECT_GE(std::unique(lengths.begin(), lengths.end()) - lengths.begin(), 4) << what;
}

TEST(GenerateBatch, GreedyOutputsAndLogitsDoNotDependOnB) {
    HACE_REQUIRE_PATH(stories());
    const auto m = load_model(stories());
    const std::vector<std::pair<std::string, std::string>> methods = {
        {"full", "equal"},   {"streamingllm", "equal"}, {"h2o", "equal"}, {"kivi", "equal"},
        {"snapkv", "equal"}, {"snapkv", "faithful"},    {"hace", "equal"}};
    for (const auto& [method, mode] : methods) {
        expect_batched_equals_alone(*m, method_config(method, mode, m->config()), 0.0,
                                    method + "/" + mode);
    }
}

TEST(GenerateBatch, SeededSamplingFollowsTheJobNotTheBatch) {
    HACE_REQUIRE_PATH(stories());
    const auto m = load_model(stories());
    expect_batched_equals_alone(*m, method_config("h2o", "equal", m->config()), 0.9, "sampled");
}

TEST(GenerateBatch, RejectsABatchSizeBelowOne) {
    HACE_REQUIRE_PATH(stories());
    const auto m = load_model(stories());
    EXPECT_THROW(
        generate_batch(
            *m, 0, [] { return std::optional<BatchJob>(); }, [](std::size_t, GenerateResult) {}),
        InputError);
}

TEST(GenerateBatch, NoJobsRunsNothing) {
    HACE_REQUIRE_PATH(stories());
    const auto m = load_model(stories());
    const auto st = generate_batch(
        *m, 3, [] { return std::optional<BatchJob>(); },
        [](std::size_t, GenerateResult) { ADD_FAILURE() << "no job was given"; });
    EXPECT_EQ(st.jobs, 0);
    EXPECT_EQ(st.decode_steps, 0);
}

}  // namespace
}  // namespace hace::model
