// One sample through the engine: needle-task samples rebuilt from needle_task.json, scored with
// the needle rule, consistency against the full cache, per-layer statistics; NIAH and LongBench
// sample building on real data.
#include <fstream>

#include <gtest/gtest.h>

#include "engine/core/error.h"
#include "engine/eval/evaluate/sample_eval.h"
#include "engine/eval/evaluate/task_samples.h"
#include "engine/eval/hiv/hiv_task.h"
#include "engine/kv/head_scores.h"
#include "engine/tokenizer/sentencepiece_tokenizer.h"
#include "tests/support/expect_input_error.h"
#include "tests/support/test_data.h"

namespace hace::eval {
namespace {

#define REQUIRE_NEEDLE_MODEL()                                                   \
    do {                                                                         \
        HACE_REQUIRE_PATH(test::shared_data() / "models/needle-llama-1m");       \
        std::string why;                                                         \
        if (!tokenizer::sentencepiece_available(&why)) GTEST_SKIP() << why;      \
    } while (0)

struct Needle {
    std::filesystem::path dir = test::shared_data() / "models/needle-llama-1m";
    std::unique_ptr<model::Model> model = model::load_model(dir);
    std::unique_ptr<tokenizer::Tokenizer> tok = tokenizer::load_tokenizer(dir);
};

TEST(TaskSamples, NeedleTaskCasesOfOneContextLength) {
    REQUIRE_NEEDLE_MODEL();
    const Needle f;
    TaskRequest r;
    r.task = "needle";
    r.context_length = 512;
    r.samples = 3;
    r.data = f.dir / "needle_task.json";
    const auto s = build_task_samples(r, *f.tok, f.model->config());
    ASSERT_EQ(s.size(), 3u);
    for (const auto& e : s) {
        EXPECT_EQ(e.prompt.size(), 512u - 16u);  // C - 16 (the task's definition)
        EXPECT_EQ(e.max_new_tokens, 16);
        EXPECT_TRUE(e.meta.contains("needle_value"));
    }
    r.context_length = 777;
    EXPECT_THROW(build_task_samples(r, *f.tok, f.model->config()), InputError);
    r.task = "nosuchtask";
    EXPECT_THROW(build_task_samples(r, *f.tok, f.model->config()), InputError);
}

TEST(SampleEval, FullAndCompressedRunsOfANeedleSample) {
    REQUIRE_NEEDLE_MODEL();
    const Needle f;
    TaskRequest r{"needle", 1024, 1, f.dir / "needle_task.json"};
    const auto sample = build_task_samples(r, *f.tok, f.model->config()).at(0);
    kv::CompressionConfig full_cfg;
    FullReference ref;
    const auto full = evaluate_sample(*f.model, *f.tok, sample, full_cfg, nullptr, &ref);
    EXPECT_EQ(full.metrics.at("needle_exact"), 1.0) << full.prediction;
    EXPECT_EQ(full.metrics.at("score"), 100.0);
    EXPECT_EQ(full.retention_realised, 1.0);
    EXPECT_TRUE(full.layers.empty());
    EXPECT_EQ(ref.output_ids, full.output_ids);
    EXPECT_EQ(ref.step_logits.size(), full.output_ids.size() + 1);  // the EOS step included

    // Against itself the consistency metrics are perfect.
    const auto again = evaluate_sample(*f.model, *f.tok, sample, full_cfg, &ref);
    EXPECT_EQ(again.metrics.at("token_agreement"), 1.0);
    EXPECT_EQ(again.metrics.at("first_divergence"), -1.0);
    EXPECT_NEAR(again.metrics.at("kl_vs_full"), 0.0, 1e-9);

    kv::CompressionConfig cfg;
    cfg.method = "streamingllm";
    cfg.retention = 0.05;
    const auto s = evaluate_sample(*f.model, *f.tok, sample, cfg, &ref);
    EXPECT_NEAR(s.retention_realised, 0.05, 0.002);
    EXPECT_EQ(s.kv_after_prefill.kept_entries, f.model->config().n_layers *
                                                   f.model->config().n_kv_heads * 50);  // C = round(0.05 * 1008)
    ASSERT_EQ(static_cast<std::int64_t>(s.layers.size()), f.model->config().n_layers);
    EXPECT_EQ(s.layers[0].head_kept, (std::vector<std::int64_t>{50, 50}));
    EXPECT_EQ(s.layers[0].specialization, 0.0);  // every head keeps the same: no specialization
    EXPECT_TRUE(s.metrics.count("kl_vs_full"));
    EXPECT_GT(s.metrics.at("kl_vs_full"), 0.0);
    EXPECT_NEAR(s.metrics.at("cache_efficiency"), s.metrics.at("score") / 5.0, 1e-9);
    EXPECT_EQ(s.params.at("method"), "streamingllm");
}

TEST(TaskSamples, NiahPromptsOverTheDepthGrid) {
    REQUIRE_NEEDLE_MODEL();
    const Needle f;
    TaskRequest r{"niah", 600, 0, test::shared_data() / "haystack/paul_graham"};
    const auto s = build_task_samples(r, *f.tok, f.model->config());
    ASSERT_EQ(s.size(), 10u);  // the ten PyramidKV depths
    for (const auto& e : s) {
        EXPECT_TRUE(e.stop_at_newline);
        const auto span = e.meta["needle_span"].get<std::vector<std::size_t>>();
        const std::vector<model::TokenId> needle(e.prompt.begin() + span[0], e.prompt.begin() + span[1]);
        EXPECT_NE(f.tok->decode(needle, true).find("San Francisco"), std::string::npos);
        EXPECT_EQ(e.metrics[0], metrics::Metric::keyword_recall);
    }
    // Scoring a perfect answer through the sample's metrics (the reference's word set keeps the
    // final period: "day." must appear as such).
    EXPECT_EQ(metrics::score_sample(metrics::Metric::keyword_recall,
                                    "eat a sandwich and sit in Dolores Park on a sunny day.",
                                    {s[0].meta["keywords"].get<std::string>()}),
              1.0);
}

TEST(TaskSamples, LongBenchFromTheOfficialChineseFileAndTheMiniLongBenchDumps) {
    REQUIRE_NEEDLE_MODEL();
    const Needle f;
    TaskRequest zh{"multifieldqa_zh", 400, 2, test::shared_data() / "longbench"};
    zh.options = {{"chat", "none"}};
    const auto s = build_task_samples(zh, *f.tok, f.model->config());
    ASSERT_EQ(s.size(), 2u);
    EXPECT_EQ(s[0].metrics[0], metrics::Metric::qa_f1_zh);
    EXPECT_EQ(s[0].max_new_tokens, 64);
    EXPECT_TRUE(s[0].meta["truncated"].get<bool>());
    EXPECT_LE(s[0].prompt.size(), 410u);  // middle truncation to 400 (+ re-encoding slack)
    TaskRequest en{"qasper", 400, 0, test::shared_data() / "longbench"};
    en.options = {{"chat", "none"}};
    const auto q = build_task_samples(en, *f.tok, f.model->config());
    EXPECT_EQ(q.size(), 9u);  // the nine MiniLongBench qasper samples
    EXPECT_EQ(q[0].metrics[0], metrics::Metric::qa_f1);
    EXPECT_FALSE(q[0].references.empty());
}

TEST(HivTask, R2TrialsLocateTheRealNeedleInsideTheNeedle) {
    HACE_REQUIRE_PATH(test::shared_data() / "head_scores/detect_r2/needles.jsonl");
    std::string why;
    if (!tokenizer::sentencepiece_available(&why)) GTEST_SKIP() << why;
    const auto tok = tokenizer::load_tokenizer(test::shared_data() / "tokenizers/llama2");
    model::ModelConfig mc;
    mc.max_positions = 4096;
    HivTaskOptions o;
    o.needles = test::shared_data() / "head_scores/detect_r2/needles.jsonl";
    o.haystack = test::shared_data() / "haystack/paul_graham";
    o.max_length = 1200;
    o.lengths = 3;  // 0 (no room: dropped), 600, 1200
    o.depths = {0, 50, 100};
    const auto trials = build_hiv_trials(o, *tok, mc);
    ASSERT_EQ(trials.size(), 2u * 2u * 3u);  // records x lengths x depths
    for (const auto& t : trials) {
        const std::vector<model::TokenId> span(t.prompt.begin() + t.span_begin,
                                               t.prompt.begin() + t.span_end);
        const std::string text = tok->decode(span, true);
        const std::string real = t.record["real_needle"].get<std::string>();
        EXPECT_NE(text.find(real), std::string::npos) << t.id << ": " << text;
        // The span is the smallest holding it: dropping an end token loses part of it.
        const std::vector<model::TokenId> shorter(span.begin() + 1, span.end());
        EXPECT_EQ(tok->decode(shorter, true).find(real), std::string::npos) << t.id;
        EXPECT_GT(t.answer_tokens, 0);
        EXPECT_LE(static_cast<std::int64_t>(t.prompt.size()), t.context_length + 100);
    }
    o.max_trials = 5;
    EXPECT_EQ(build_hiv_trials(o, *tok, mc).size(), 5u);
}

// Task options of the wrong type reach the builders only past validation (a designer spec, a
// caller of the library): each is an InputError naming the option, not nlohmann's type_error.
TEST(TaskSamples, OptionsOfTheWrongTypeAreNamed) {
    REQUIRE_NEEDLE_MODEL();
    const Needle f;
    TaskRequest niah{"niah", 600, 1, test::shared_data() / "haystack/paul_graham"};
    niah.options = {{"needle", 5}};
    test::expect_input_error([&] { build_task_samples(niah, *f.tok, f.model->config()); },
                             {"task niah: options.needle: expected a string, got integer"});
    niah.options = {{"depths", {50, "deep"}}};
    test::expect_input_error([&] { build_task_samples(niah, *f.tok, f.model->config()); },
                             {"task niah: options.depths[1]: expected a number, got string"});
    TaskRequest needle{"needle", 512, 1, f.dir / "needle_task.json"};
    needle.options = {{"distractors", "yes"}};
    test::expect_input_error(
        [&] { build_task_samples(needle, *f.tok, f.model->config()); },
        {"task needle: options.distractors: expected true or false, got string"});
}

// HeadKV's R2 needle records: a line of the wrong shape names the file, the line and the field.
TEST(HivTask, R2RecordsOfTheWrongShapeAreNamed) {
    std::string why;
    if (!tokenizer::sentencepiece_available(&why)) GTEST_SKIP() << why;
    HACE_REQUIRE_PATH(test::shared_data() / "tokenizers/llama2");
    const auto tok = tokenizer::load_tokenizer(test::shared_data() / "tokenizers/llama2");
    model::ModelConfig mc;
    mc.max_positions = 4096;
    const auto dir = test::temp_dir("hiv-r2-bad");
    HivTaskOptions o;
    o.needles = dir / "needles.jsonl";
    o.haystack = test::shared_data() / "haystack/paul_graham";
    const std::string good = R"("real_needle": "b", "question": "q?", "answer": "c")";
    for (const auto& [line, expected] : std::vector<std::pair<std::string, std::string>>{
             {R"({"needle": 5, )" + good + "}",
              "needles.jsonl:2: needle: expected a string, got integer"},
             {R"({"needle": "a", "real_needle": null, "question": "q?", "answer": "c"})",
              "needles.jsonl:2: real_needle: expected a string, got null"},
             {R"({"needle": "a", "question": "q?", "answer": "c"})",
              "needles.jsonl:2: real_needle: missing"},
             {R"(["a", "b"])", "needles.jsonl:2: expected a JSON object"},
             {R"({"needle": )", "needles.jsonl:2: malformed JSON"}}) {
        std::ofstream(o.needles) << R"({"needle": "a", )" << good << "}\n" << line << "\n";
        test::expect_input_error([&] { build_hiv_trials(o, *tok, mc); }, {expected});
    }
}

// Every method of the registry on one sample of each task kind (the needle model's task, NIAH,
// LongBench), through the same evaluator the sweeps use: every metric is present and sane.
TEST(SampleEval, EveryMethodOnEveryTaskKind) {
    REQUIRE_NEEDLE_MODEL();
    const Needle f;
    const auto& mc = f.model->config();
    const auto scores = kv::load_head_score_file(
        test::source_dir() / "resources/models/needle-llama-1m/head_scores_hiv.json");
    TaskRequest needle{"needle", 512, 1, f.dir / "needle_task.json"};
    TaskRequest niah{"niah", 600, 1, test::shared_data() / "haystack/paul_graham"};
    niah.options = {{"depths", {50}}};
    TaskRequest zh{"multifieldqa_zh", 500, 1, test::shared_data() / "longbench"};
    zh.options = {{"chat", "none"}};
    for (const auto* request : {&needle, &niah, &zh}) {
        const auto sample = build_task_samples(*request, *f.tok, mc).at(0);
        FullReference ref;
        const auto full = evaluate_sample(*f.model, *f.tok, sample, kv::CompressionConfig{},
                                          nullptr, &ref);
        for (const auto& row : kv::method_rows()) {
            kv::CompressionConfig cfg;
            cfg.method = std::string(row.id);
            if (row.compresses && row.token != kv::TokenPolicy::KeepAll) cfg.retention = 0.2;
            if (kv::needs_head_scores(row)) {
                cfg.head_scores = kv::kv_head_scores(scores, mc.n_layers, mc.n_q_heads, mc.n_kv_heads);
            }
            const std::string what = request->task + " / " + cfg.method;
            const auto o = evaluate_sample(*f.model, *f.tok, sample, cfg, &ref);
            for (const char* m : {"score", "token_agreement", "first_divergence", "rouge_l_vs_full"}) {
                EXPECT_TRUE(o.metrics.count(m)) << what << " lacks " << m;
            }
            const double primary = o.metrics.at(std::string(metrics::metric_name(sample.metrics[0])));
            EXPECT_GE(primary, 0.0) << what;
            EXPECT_LE(primary, 1.0) << what;
            EXPECT_GT(o.prefill_ms, 0.0) << what;
            EXPECT_GT(o.peak_bytes, 0) << what;
            // Every generated token but the last is fed back (the last one too when EOS ended it).
            const std::int64_t lh = mc.n_layers * mc.n_kv_heads;
            const auto out_n = static_cast<std::int64_t>(o.output_ids.size());
            EXPECT_GE(o.kv_end.full_entries, lh * (o.prompt_tokens + std::max<std::int64_t>(0, out_n - 1)))
                << what;
            EXPECT_LE(o.kv_end.full_entries, lh * (o.prompt_tokens + out_n)) << what;
            if (!row.compresses) {
                EXPECT_EQ(o.output_ids, full.output_ids) << what;  // full is deterministic
                EXPECT_EQ(o.metrics.at("token_agreement"), 1.0) << what;
            } else if (row.token == kv::TokenPolicy::KeepAll) {
                EXPECT_EQ(o.kv_after_prefill.kept_entries, o.kv_after_prefill.full_entries) << what;
                // 2-bit codes + fp16 scales + the fp32 residual of R = 128 tokens: well under half here.
                EXPECT_LT(o.kv_after_prefill.bytes, full.kv_after_prefill.bytes / 2) << what;
            } else {
                EXPECT_NEAR(o.retention_realised, 0.2, 0.02) << what;
                EXPECT_EQ(static_cast<std::int64_t>(o.layers.size()), mc.n_layers) << what;
                EXPECT_TRUE(o.metrics.count("cache_efficiency")) << what;
                EXPECT_TRUE(o.metrics.count("head_specialization")) << what;
            }
        }
    }
}

}  // namespace
}  // namespace hace::eval
