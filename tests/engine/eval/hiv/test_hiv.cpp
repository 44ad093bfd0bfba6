// The HIV test: R2 credit on hand-built attention, the statistics on hand-computed cases, the
// probe cache against the plain full cache, and a real trial on the needle model whose output
// loads back as HeadKV head scores.
#include <cmath>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "engine/core/error.h"
#include "engine/core/json_io.h"
#include "engine/eval/hiv/hiv_credit.h"
#include "engine/eval/hiv/hiv_test.h"
#include "engine/kv/head_scores.h"
#include "engine/kv/methods.h"
#include "engine/model/generate.h"
#include "engine/tokenizer/sentencepiece_tokenizer.h"
#include "tests/support/test_data.h"

namespace hace::eval {
namespace {

TEST(HivCredit, TopSpanPositionsInsideTheNeedleAddTheirAttention) {
    // Two heads over 5 positions; needle span [2, 4), so each head looks at its top 2.
    const std::vector<float> probs = {0.10f, 0.05f, 0.50f, 0.30f, 0.05f,   // top {2, 3}: both in S
                                      0.60f, 0.20f, 0.05f, 0.10f, 0.05f};  // top {0, 1}: none
    std::vector<double> credit;
    add_r2_credit(probs.data(), 2, 5, 2, 4, credit);
    ASSERT_EQ(credit.size(), 2u);
    EXPECT_NEAR(credit[0], (0.5 + 0.3) / 2, 1e-7);
    EXPECT_EQ(credit[1], 0.0);
    // A tie for the last top slot goes to the smaller position (1 beats 3, so only 2 counts).
    const std::vector<float> tie = {0.4f, 0.2f, 0.2f, 0.2f, 0.0f};
    std::vector<double> c2;
    add_r2_credit(tie.data(), 1, 5, 2, 4, c2);
    EXPECT_NEAR(c2[0], 0.0, 1e-12);  // top 2 = {0, 1}: neither inside [2, 4)
    add_r2_credit(tie.data(), 1, 5, 1, 3, c2);
    EXPECT_NEAR(c2[0], 0.2 / 2, 1e-7);  // top 2 = {0, 1}: position 1 inside [1, 3)
    EXPECT_THROW(add_r2_credit(tie.data(), 1, 5, 4, 7, c2), InputError);
}

TEST(HivStatistics, SpearmanWithTies) {
    EXPECT_NEAR(*spearman({1, 2, 3, 4}, {10, 20, 30, 40}), 1.0, 1e-12);
    EXPECT_NEAR(*spearman({1, 2, 3, 4}, {4, 3, 2, 1}), -1.0, 1e-12);
    // Ranks a = (1, 2.5, 2.5, 4), b = (1, 2, 3, 4): rho = 4.5 / sqrt(4.5 * 5).
    EXPECT_NEAR(*spearman({1, 2, 2, 3}, {1, 2, 3, 4}), 4.5 / std::sqrt(4.5 * 5.0), 1e-12);
    EXPECT_FALSE(spearman({1, 1, 1}, {1, 2, 3}).has_value());
    EXPECT_FALSE(spearman({1}, {1}).has_value());
}

TEST(HivStatistics, DispersionEntropyAndHalves) {
    // One layer, two heads, four accepted trials at lengths 100, 100, 200, 200.
    const std::vector<std::vector<std::vector<double>>> credit = {
        {{0.3, 0.1, 0.3, 0.1}, {0.1, 0.1, 0.1, 0.1}}};
    const auto st = hiv_statistics(credit, {100, 100, 200, 200}, 6);
    EXPECT_EQ(st.trials, 6);
    EXPECT_EQ(st.accepted, 4);
    EXPECT_NEAR(st.mean[0][0], 0.2, 1e-12);
    EXPECT_NEAR(st.variance[0][0], (3 * 0.01 + 0.01) / 3.0, 1e-12);  // unbiased: 0.04 / 3
    EXPECT_NEAR(st.cv[0][1], 0.0, 1e-12);
    // Shares 2/3 and 1/3: population variance (1/6)^2, entropy -(2/3 ln 2/3 + 1/3 ln 1/3).
    EXPECT_NEAR(st.dispersion[0], 1.0 / 36.0, 1e-12);
    const double h = -(2.0 / 3 * std::log(2.0 / 3) + 1.0 / 3 * std::log(1.0 / 3));
    EXPECT_NEAR(st.entropy[0], h, 1e-12);
    EXPECT_NEAR(st.entropy_normalised[0], h / std::log(2.0), 1e-12);
    // Even trials: head means (0.3, 0.1); odd: (0.1, 0.1) -> no rank variance in the odd half.
    EXPECT_FALSE(st.split_half_spearman.has_value());
    // Short (100): (0.2, 0.1); long (200): (0.2, 0.1) -> identical ranking.
    ASSERT_TRUE(st.short_long_spearman.has_value());
    EXPECT_NEAR(*st.short_long_spearman, 1.0, 1e-12);
}

struct NeedleTrial {
    std::unique_ptr<model::Model> model;
    std::unique_ptr<tokenizer::Tokenizer> tok;
    HivTrial trial;
};

// The golden 900-token needle prompt: [BOS] + H[:458] + needle + H[458:] + question.
NeedleTrial needle_trial() {
    NeedleTrial f;
    const auto dir = test::shared_data() / "models/needle-llama-1m";
    f.model = model::load_model(dir);
    f.tok = tokenizer::load_tokenizer(dir);
    const auto golden = read_json_file(dir / "golden.json");
    const auto& c = golden["cases"][2];
    f.trial.id = "needle_900";
    f.trial.prompt = c["prompt_ids"].get<std::vector<model::TokenId>>();
    const std::int64_t insert = c["needle"]["insert_at"].get<std::int64_t>();
    const auto needle_ids = f.tok->encode("The secret code is 39901.", false);
    f.trial.span_begin = 1 + insert;
    f.trial.span_end = f.trial.span_begin + static_cast<std::int64_t>(needle_ids.size());
    f.trial.answer = "39901";
    f.trial.context_length = 900;
    f.trial.depth = 50.0;
    f.trial.max_steps = 8;
    return f;
}

TEST(HivTest, ProbeCacheTrialOnTheNeedleModelCreditsHeadsAndWritesLoadableScores) {
    HACE_REQUIRE_PATH(test::shared_data() / "models/needle-llama-1m");
    std::string why;
    if (!tokenizer::sentencepiece_available(&why)) GTEST_SKIP() << why;
    const auto f = needle_trial();
    // The span really holds the needle's tokens.
    const auto needle_ids = f.tok->encode("The secret code is 39901.", false);
    EXPECT_EQ(std::vector<model::TokenId>(f.trial.prompt.begin() + f.trial.span_begin,
                                          f.trial.prompt.begin() + f.trial.span_end),
              needle_ids);
    auto digits = [](const std::string& response, const std::string& answer) {
        return response.find(answer) != std::string::npos ? 1.0 : 0.0;
    };
    const auto r = run_hiv_trial(*f.model, *f.tok, f.trial, digits);
    // The probe cache changes nothing about decoding: the answer is the full cache's.
    EXPECT_EQ(r.response.substr(0, 6), "39901.");
    EXPECT_TRUE(r.accepted);
    const auto& mc = f.model->config();
    ASSERT_EQ(static_cast<std::int64_t>(r.credit.size()), mc.n_layers);
    double best = 0.0;
    for (const auto& layer : r.credit) {
        ASSERT_EQ(static_cast<std::int64_t>(layer.size()), mc.n_q_heads);
        for (double c : layer) {
            EXPECT_GE(c, 0.0);
            EXPECT_LE(c, static_cast<double>(r.response_ids.size() + 1));  // <= 1 per step
            best = std::max(best, c);
        }
    }
    // A model trained to copy the code has heads that read the needle while answering: far
    // more credit than the same heads earn on an equally long span of haystack.
    auto control = f.trial;
    control.span_begin = 100;
    control.span_end = 100 + (f.trial.span_end - f.trial.span_begin);
    const auto c = run_hiv_trial(*f.model, *f.tok, control, digits);
    double best_control = 0.0;
    for (const auto& layer : c.credit) {
        for (double x : layer) best_control = std::max(best_control, x);
    }
    EXPECT_GT(best, 0.1);
    EXPECT_GT(best, 5.0 * best_control) << best << " vs " << best_control;

    // Two trials (the second with a wrong reference, so rejected) -> a loadable score file.
    auto rejected = f.trial;
    rejected.id = "needle_900_wrong";
    rejected.answer = "11111";
    const auto run = run_hiv_test(*f.model, *f.tok, {f.trial, rejected}, digits);
    EXPECT_EQ(run.stats.trials, 2);
    EXPECT_EQ(run.stats.accepted, 1);
    const auto out = std::filesystem::temp_directory_path() / "hace_hiv_test_scores.json";
    write_hiv_outputs(out, run);
    const auto loaded = kv::load_head_score_file(out);
    EXPECT_EQ(loaded.layers, mc.n_layers);
    EXPECT_EQ(loaded.q_heads, mc.n_q_heads);
    EXPECT_EQ(loaded.trials[0][0].size(), 1u);
    EXPECT_DOUBLE_EQ(loaded.mean[1][3], r.credit[1][3]);
    std::ifstream rows(out.string() + ".trials.jsonl");
    std::string line;
    int n = 0;
    while (std::getline(rows, line)) ++n;
    EXPECT_EQ(n, 2);
    EXPECT_TRUE(std::filesystem::exists(out.string() + ".stats.json"));
    // Zero accepted trials: a clear error, not an empty file.
    const auto none = run_hiv_test(*f.model, *f.tok, {rejected}, digits);
    EXPECT_THROW(write_hiv_outputs(out, none), InputError);
}

// The statistics on HeadKV's official Mistral R2 file: the per-head means are the loader's, and
// the split-half rank stability is the value an independent Python computation gave
// (even vs odd trials over all 1024 heads, average ranks for ties).
TEST(HivStatistics, OnTheOfficialMistralR2File) {
    const auto path =
        test::shared_data() / "head_scores/headkv/Mistral-7B-Instruct-v0.2_retrieval_reasoning_heads.json";
    HACE_REQUIRE_PATH(path);
    const auto f = kv::load_head_score_file(path);
    std::vector<std::int64_t> lengths(f.trials[0][0].size(), 0);  // lengths are not recorded
    const auto st = hiv_statistics(f.trials, lengths, static_cast<std::int64_t>(lengths.size()));
    EXPECT_EQ(st.accepted, 76);
    EXPECT_DOUBLE_EQ(st.mean[5][7], f.mean[5][7]);
    ASSERT_TRUE(st.split_half_spearman.has_value());
    EXPECT_NEAR(*st.split_half_spearman, 0.9976573004019573, 1e-9);
    EXPECT_FALSE(st.short_long_spearman.has_value());  // one length only
    ASSERT_EQ(st.dispersion.size(), 32u);
    for (double e : st.entropy_normalised) {
        EXPECT_GT(e, 0.0);
        EXPECT_LE(e, 1.0 + 1e-12);
    }
}

// The score file kept with the bundled needle model (hace hiv on its own task) loads as head
// scores, and HACE with them retrieves the needle at 5% retention.
TEST(HivTest, BundledNeedleModelScoresDriveHace) {
    const auto scores = test::source_dir() / "resources/models/needle-llama-1m/head_scores_hiv.json";
    HACE_REQUIRE_PATH(test::shared_data() / "models/needle-llama-1m");
    const auto f = kv::load_head_score_file(scores);
    const auto dir = test::shared_data() / "models/needle-llama-1m";
    const auto model = model::load_model(dir);
    const auto& mc = model->config();
    EXPECT_EQ(f.layers, mc.n_layers);
    EXPECT_EQ(f.q_heads, mc.n_q_heads);
    kv::CompressionConfig cfg;
    cfg.method = "hace";
    cfg.retention = 0.05;
    cfg.selector = kv::sel_snap();
    cfg.head_scores = kv::kv_head_scores(f, mc.n_layers, mc.n_q_heads, mc.n_kv_heads);
    const auto golden = read_json_file(dir / "golden.json");
    const auto prompt = golden["cases"][2]["prompt_ids"].get<std::vector<model::TokenId>>();
    const auto answer = golden["cases"][2]["generated_ids"].get<std::vector<model::TokenId>>();
    model::GenerateOptions g;
    g.max_new_tokens = 7;
    g.ignore_eos = true;
    g.make_session = [&](std::int64_t cap) { return kv::new_compressed_session(*model, cap, cfg); };
    const auto r = model::generate(*model, prompt, g);
    EXPECT_EQ(r.output_ids, std::vector<model::TokenId>(answer.begin(), answer.begin() + 7));
}

}  // namespace
}  // namespace hace::eval
