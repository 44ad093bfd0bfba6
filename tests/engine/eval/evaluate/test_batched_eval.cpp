// Batched evaluation (evaluate_samples_batched) gives every sample the outcome evaluate_sample
// gives it alone: output ids, prediction, every metric (task scores, consistency with the full
// reference, KL), the captured full reference and the KV statistics, at B = 1 and 4, for the
// full cache and compressing methods (StreamingLLM, H2O, KIVI, SnapKV faithful, CAKE, HACE), on
// needle, NIAH (stops at a newline, query-agnostic: the question decoded through the compressed
// cache) and LongBench samples. A failing job is reported and the others go on.
#include <cmath>
#include <set>

#include <gtest/gtest.h>

#include "engine/eval/evaluate/sample_eval.h"
#include "engine/eval/evaluate/task_samples.h"
#include "engine/kv/head_scores.h"
#include "engine/tokenizer/sentencepiece_tokenizer.h"
#include "tests/support/test_data.h"

namespace hace::eval {
namespace {

struct Fixture {
    std::filesystem::path dir = test::shared_data() / "models/needle-llama-1m";
    std::unique_ptr<model::Model> model = model::load_model(dir);
    std::unique_ptr<tokenizer::Tokenizer> tok = tokenizer::load_tokenizer(dir);
};

std::vector<EvalSample> samples_of(const Fixture& f) {
    const auto& mc = f.model->config();
    TaskRequest needle{"needle", 512, 3, f.dir / "needle_task.json"};
    TaskRequest niah{"niah", 600, 3, test::shared_data() / "haystack/paul_graham"};
    niah.options = {{"depths", {10, 50, 90}}};
    niah.query_agnostic = true;
    TaskRequest zh{"multifieldqa_zh", 500, 2, test::shared_data() / "longbench"};
    zh.options = {{"chat", "none"}};
    std::vector<EvalSample> all;
    for (const auto* r : {&needle, &niah, &zh}) {
        for (auto& s : build_task_samples(*r, *f.tok, mc)) all.push_back(std::move(s));
    }
    return all;
}

std::vector<kv::CompressionConfig> methods_of(const Fixture& f) {
    const auto& mc = f.model->config();
    const auto scores = kv::load_head_score_file(
        test::source_dir() / "resources/models/needle-llama-1m/head_scores_hiv.json");
    std::vector<kv::CompressionConfig> out;
    for (const std::string m : {"streamingllm", "h2o", "kivi", "snapkv", "cake", "hace"}) {
        const kv::MethodRow& row = kv::method_by_id(m);
        kv::CompressionConfig c;
        c.method = m;
        if (m == "snapkv") {
            c.mode = "faithful";
            c.selector = kv::faithful_selector(row);
        }
        if (row.token != kv::TokenPolicy::KeepAll) c.retention = 0.2;
        if (kv::needs_head_scores(row)) {
            c.head_scores = kv::kv_head_scores(scores, mc.n_layers, mc.n_q_heads, mc.n_kv_heads);
        }
        out.push_back(c);
    }
    return out;
}

void expect_same(const SampleOutcome& alone, const SampleOutcome& got, const std::string& at) {
    EXPECT_EQ(got.output_ids, alone.output_ids) << at;
    EXPECT_EQ(got.prediction, alone.prediction) << at;
    EXPECT_EQ(got.kv_after_prefill.kept_entries, alone.kv_after_prefill.kept_entries) << at;
    EXPECT_EQ(got.kv_end.kept_entries, alone.kv_end.kept_entries) << at;
    EXPECT_EQ(got.kv_end.bytes, alone.kv_end.bytes) << at;
    ASSERT_EQ(got.metrics.size(), alone.metrics.size()) << at;
    for (const auto& [k, v] : alone.metrics) {
        ASSERT_TRUE(got.metrics.count(k)) << at << " lacks " << k;
        EXPECT_NEAR(got.metrics.at(k), v, 1e-6) << at << " " << k;
    }
}

// Runs the jobs batched; outcomes by job index (each reported once).
std::vector<SampleOutcome> run(const Fixture& f, const std::vector<SampleJob>& jobs,
                               std::int32_t b) {
    std::vector<SampleOutcome> out(jobs.size());
    std::vector<int> reported(jobs.size(), 0);
    evaluate_samples_batched(*f.model, *f.tok, jobs, b,
                             [&](std::size_t j, SampleOutcome* o, std::exception_ptr error) {
                                 ASSERT_LT(j, jobs.size());
                                 ++reported[j];
                                 ASSERT_TRUE(o != nullptr) << "job " << j;
                                 EXPECT_FALSE(error);
                                 out[j] = std::move(*o);
                             });
    for (std::size_t j = 0; j < jobs.size(); ++j) EXPECT_EQ(reported[j], 1) << "job " << j;
    return out;
}

TEST(BatchedEval, EverySampleAndMethodAsAlone) {
    HACE_REQUIRE_PATH(test::shared_data() / "models/needle-llama-1m");
    std::string why;
    if (!tokenizer::sentencepiece_available(&why)) GTEST_SKIP() << why;
    const Fixture f;
    const auto samples = samples_of(f);
    ASSERT_EQ(samples.size(), 8u);
    const auto methods = methods_of(f);
    const kv::CompressionConfig full_cfg;

    // Alone: the full run of each sample (its reference), then every method against it.
    std::vector<FullReference> refs(samples.size());
    std::vector<SampleOutcome> full_alone;
    for (std::size_t i = 0; i < samples.size(); ++i) {
        full_alone.push_back(
            evaluate_sample(*f.model, *f.tok, samples[i], full_cfg, nullptr, &refs[i]));
    }
    std::vector<std::vector<SampleOutcome>> alone(methods.size());
    for (std::size_t m = 0; m < methods.size(); ++m) {
        for (std::size_t i = 0; i < samples.size(); ++i) {
            alone[m].push_back(evaluate_sample(*f.model, *f.tok, samples[i], methods[m], &refs[i]));
        }
    }

    for (const std::int32_t b : {1, 4}) {
        const std::string at_b = "B=" + std::to_string(b);
        // The full runs first (they capture the references), then every method in one batch.
        std::vector<FullReference> got_refs(samples.size());
        std::vector<SampleJob> jobs;
        for (std::size_t i = 0; i < samples.size(); ++i) {
            jobs.push_back({&samples[i], &full_cfg, nullptr, &got_refs[i], {}});
        }
        const auto full = run(f, jobs, b);
        for (std::size_t i = 0; i < samples.size(); ++i) {
            const std::string at = at_b + " full sample " + std::to_string(i);
            expect_same(full_alone[i], full[i], at);
            EXPECT_EQ(full[i].batch_size, b);
            EXPECT_EQ(got_refs[i].output_ids, refs[i].output_ids) << at;
            ASSERT_EQ(got_refs[i].step_logits.size(), refs[i].step_logits.size()) << at;
            for (std::size_t s = 0; s < refs[i].step_logits.size(); ++s) {
                for (std::size_t v = 0; v < refs[i].step_logits[s].size(); ++v) {
                    ASSERT_NEAR(got_refs[i].step_logits[s][v], refs[i].step_logits[s][v], 1e-5)
                        << at << " step " << s;
                }
            }
        }
        jobs.clear();
        for (std::size_t m = 0; m < methods.size(); ++m) {
            for (std::size_t i = 0; i < samples.size(); ++i) {
                jobs.push_back({&samples[i], &methods[m], &got_refs[i], nullptr, {}});
            }
        }
        const auto got = run(f, jobs, b);
        for (std::size_t m = 0; m < methods.size(); ++m) {
            for (std::size_t i = 0; i < samples.size(); ++i) {
                expect_same(alone[m][i], got[m * samples.size() + i],
                            at_b + " " + methods[m].method + " sample " + std::to_string(i));
            }
        }
    }
    // The samples differ in when they stop (NIAH at a newline, the needle at EOS).
    std::set<std::size_t> lengths;
    for (const auto& o : full_alone) lengths.insert(o.output_ids.size());
    EXPECT_GE(lengths.size(), 3u);
}

// Prefill sharing: each sample's full run records its prompt forward, every method's run of the
// sample replays it (a query-agnostic sample's first compressing run records its context part,
// the others replay that), and every outcome is still the one the job gives alone.
TEST(BatchedEval, SharedPrefillGivesTheOutcomesOfRunsAlone) {
    HACE_REQUIRE_PATH(test::shared_data() / "models/needle-llama-1m");
    std::string why;
    if (!tokenizer::sentencepiece_available(&why)) GTEST_SKIP() << why;
    const Fixture f;
    const auto samples = samples_of(f);
    std::vector<kv::CompressionConfig> methods;
    for (const auto& c : methods_of(f)) {
        if (c.method != "cake" && c.method != "hace") methods.push_back(c);
    }
    const kv::CompressionConfig full_cfg;
    std::vector<FullReference> refs(samples.size());
    std::vector<SampleOutcome> full_alone;
    std::vector<std::vector<SampleOutcome>> alone(methods.size());
    for (std::size_t i = 0; i < samples.size(); ++i) {
        full_alone.push_back(
            evaluate_sample(*f.model, *f.tok, samples[i], full_cfg, nullptr, &refs[i]));
        for (std::size_t m = 0; m < methods.size(); ++m) {
            alone[m].push_back(evaluate_sample(*f.model, *f.tok, samples[i], methods[m], &refs[i]));
        }
    }

    std::vector<SharedPrefill> shared(samples.size());
    std::vector<FullReference> got_refs(samples.size());
    std::vector<SampleJob> jobs;
    for (std::size_t i = 0; i < samples.size(); ++i) {
        jobs.push_back({&samples[i], &full_cfg, nullptr, &got_refs[i], {}, &shared[i]});
    }
    const auto full = run(f, jobs, 4);
    for (std::size_t i = 0; i < samples.size(); ++i) {
        expect_same(full_alone[i], full[i], "full sample " + std::to_string(i));
        EXPECT_FALSE(full[i].prefill_replayed);
        ASSERT_TRUE(shared[i].recording);
        EXPECT_EQ(shared[i].recording->ids().size(), samples[i].prompt.size());
    }
    jobs.clear();
    for (std::size_t m = 0; m < methods.size(); ++m) {
        for (std::size_t i = 0; i < samples.size(); ++i) {
            jobs.push_back({&samples[i], &methods[m], &got_refs[i], nullptr, {}, &shared[i]});
        }
    }
    const auto got = run(f, jobs, 4);
    int agnostic = 0;
    for (std::size_t m = 0; m < methods.size(); ++m) {
        for (std::size_t i = 0; i < samples.size(); ++i) {
            const std::string at = methods[m].method + " sample " + std::to_string(i);
            const SampleOutcome& o = got[m * samples.size() + i];
            expect_same(alone[m][i], o, at);
            // Only a query-agnostic sample's first compressing run prefills (its context part).
            EXPECT_EQ(o.prefill_replayed, !(samples[i].query_start && m == 0)) << at;
            if (samples[i].query_start && m == 0) ++agnostic;
        }
    }
    EXPECT_EQ(agnostic, 3);
}

TEST(BatchedEval, AFailingJobIsReportedAndTheOthersGoOn) {
    HACE_REQUIRE_PATH(test::shared_data() / "models/needle-llama-1m");
    std::string why;
    if (!tokenizer::sentencepiece_available(&why)) GTEST_SKIP() << why;
    const Fixture f;
    auto samples = samples_of(f);
    samples.resize(3);
    samples[1].prompt.clear();  // "empty prompt"
    const kv::CompressionConfig cfg;
    std::vector<SampleJob> jobs;
    for (const auto& s : samples) jobs.push_back({&s, &cfg, nullptr, nullptr, {}});
    std::vector<std::string> seen(3);
    evaluate_samples_batched(*f.model, *f.tok, jobs, 2,
                             [&](std::size_t j, SampleOutcome* o, std::exception_ptr error) {
                                 if (o) {
                                     seen[j] = "ok";
                                     return;
                                 }
                                 try {
                                     std::rethrow_exception(error);
                                 } catch (const std::exception& e) {
                                     seen[j] = e.what();
                                 }
                             });
    EXPECT_EQ(seen[0], "ok");
    EXPECT_NE(seen[1].find("empty prompt"), std::string::npos) << seen[1];
    EXPECT_EQ(seen[2], "ok");
}

}  // namespace
}  // namespace hace::eval
