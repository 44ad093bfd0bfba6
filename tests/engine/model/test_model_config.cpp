// config.json validation: every refusal names the file and the key.
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/core/error.h"
#include "engine/model/model_config.h"
#include "engine/model/shapes.h"
#include "tests/support/test_data.h"

namespace hace::model {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

nlohmann::json tiny_llama() {
    return {{"architectures", {"LlamaForCausalLM"}},
            {"model_type", "llama"},
            {"hidden_size", 64},
            {"intermediate_size", 172},
            {"num_hidden_layers", 5},
            {"num_attention_heads", 8},
            {"num_key_value_heads", 4},
            {"vocab_size", 512},
            {"max_position_embeddings", 512},
            {"rms_norm_eps", 1e-5},
            {"tie_word_embeddings", true},
            {"eos_token_id", 2}};
}

std::string error_of(const nlohmann::json& j) {
    try {
        parse_model_config(j, "cfg.json");
    } catch (const InputError& e) {
        return e.what();
    }
    return "(no error)";
}

TEST(ModelConfig, ParsesTheRealTinyModel) {
    const auto dir = test::shared_data() / "models/stories260K";
    HACE_REQUIRE_PATH(dir);
    const auto cfg = load_model_config(dir);
    EXPECT_EQ(cfg.family, "llama");
    EXPECT_EQ(cfg.n_layers, 5);
    EXPECT_EQ(cfg.n_q_heads, 8);
    EXPECT_EQ(cfg.n_kv_heads, 4);
    EXPECT_EQ(cfg.head_dim, 8);
    EXPECT_EQ(cfg.group_size(), 2);
    EXPECT_EQ(cfg.vocab, 512);
    EXPECT_DOUBLE_EQ(cfg.rms_eps, 1e-5);
    EXPECT_TRUE(cfg.tie_word_embeddings);
    EXPECT_EQ(cfg.eos_ids, std::vector<std::int32_t>{2});
    // 260,032 unique parameters as published for stories260K.
    EXPECT_EQ(cfg.param_count(), 260032);
}

TEST(ModelConfig, DefaultsHeadDimAndKvHeads) {
    auto j = tiny_llama();
    j.erase("num_key_value_heads");
    const auto cfg = parse_model_config(j, "cfg.json");
    EXPECT_EQ(cfg.n_kv_heads, 8);
    EXPECT_EQ(cfg.head_dim, 8);
}

TEST(ModelConfig, RefusesUnknownArchitecture) {
    auto j = tiny_llama();
    j["architectures"] = {"GPTNeoXForCausalLM"};
    EXPECT_THAT(error_of(j), AllOf(HasSubstr("cfg.json"), HasSubstr("architectures"),
                                   HasSubstr("GPTNeoXForCausalLM"), HasSubstr("LlamaForCausalLM")));
}

TEST(ModelConfig, NamesMissingAndMistypedKeys) {
    auto j = tiny_llama();
    j.erase("hidden_size");
    EXPECT_THAT(error_of(j), AllOf(HasSubstr("hidden_size"), HasSubstr("missing")));
    j = tiny_llama();
    j["num_hidden_layers"] = "five";
    EXPECT_THAT(error_of(j), AllOf(HasSubstr("num_hidden_layers"), HasSubstr("positive integer"),
                                   HasSubstr("\"five\"")));
    j = tiny_llama();
    j["vocab_size"] = -3;
    EXPECT_THAT(error_of(j), HasSubstr("vocab_size"));
}

TEST(ModelConfig, RefusesHeadCountsThatDoNotDivide) {
    auto j = tiny_llama();
    j["num_key_value_heads"] = 3;
    EXPECT_THAT(error_of(j), AllOf(HasSubstr("num_key_value_heads"), HasSubstr("divisor")));
    j = tiny_llama();
    j["num_attention_heads"] = 7;
    j.erase("num_key_value_heads");
    EXPECT_THAT(error_of(j), AllOf(HasSubstr("num_attention_heads"), HasSubstr("hidden_size")));
}

TEST(ModelConfig, RefusesUnsupportedActivationsAndScaling) {
    auto j = tiny_llama();
    j["hidden_act"] = "gelu";
    EXPECT_THAT(error_of(j), HasSubstr("hidden_act"));
    j = tiny_llama();
    j["rope_scaling"] = {{"type", "linear"}, {"factor", 2.0}};
    EXPECT_THAT(error_of(j), HasSubstr("rope_scaling"));
}

TEST(ModelConfig, FileErrorsNameThePath) {
    const auto dir = test::temp_dir("cfg");
    try {
        load_model_config(dir);
        FAIL() << "no error";
    } catch (const InputError& e) {
        EXPECT_THAT(e.what(), AllOf(HasSubstr("config.json"), HasSubstr("missing")));
    }
    std::ofstream(dir / "config.json") << "{\"architectures\": [\"LlamaForCausalLM\",";
    try {
        load_model_config(dir);
        FAIL() << "no error";
    } catch (const InputError& e) {
        EXPECT_THAT(e.what(), AllOf(HasSubstr("config.json"), HasSubstr("malformed JSON")));
    }
    EXPECT_THROW(load_model_config(dir / "nope"), InputError);
}

TEST(Shapes, BuiltInShapesMatchThePublishedSizes) {
    const auto l7 = shape_config("llama2-7b");
    EXPECT_EQ(l7.param_count(), 6738415616);  // LLaMA-2-7B: 6.74 B parameters
    EXPECT_EQ(shape_config("llama2-7b", 2).n_layers, 2);
    const auto small = shape_config("llama-100m");
    EXPECT_GT(small.param_count(), 90'000'000);
    EXPECT_LT(small.param_count(), 130'000'000);
    EXPECT_THROW(shape_config("gpt-5"), InputError);
}

}  // namespace
}  // namespace hace::model
