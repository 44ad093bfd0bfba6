// config.json validation for every family: every refusal names the file and the key.
#include <cmath>
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/core/error.h"
#include "engine/core/json_io.h"
#include "engine/model/model.h"
#include "engine/model/model_config.h"
#include "engine/model/shapes.h"
#include "tests/support/safetensors_edit.h"
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
    for (const char* type : {"longrope", "su", "mrope", "fancy"}) {
        j = tiny_llama();
        j["rope_scaling"] = {{"rope_type", type}, {"factor", 2.0}};
        EXPECT_THAT(error_of(j), AllOf(HasSubstr("cfg.json"), HasSubstr("rope_scaling"),
                                       HasSubstr(type), HasSubstr("yarn")));
    }
    j = tiny_llama();
    j["rope_scaling"] = "linear";
    EXPECT_THAT(error_of(j), AllOf(HasSubstr("cfg.json"), HasSubstr("rope_scaling")));
    j = tiny_llama();
    j["rope_scaling"] = {{"type", "linear"}};
    EXPECT_THAT(error_of(j), AllOf(HasSubstr("rope_scaling"), HasSubstr("factor")));
    j = tiny_llama();
    j["rope_scaling"] = {{"rope_type", "llama3"},
                         {"factor", 8.0},
                         {"low_freq_factor", 1.0},
                         {"high_freq_factor", 4.0}};
    EXPECT_THAT(error_of(j),
                AllOf(HasSubstr("rope_scaling"), HasSubstr("original_max_position_embeddings")));
    j = tiny_llama();
    j["rope_scaling"] = {
        {"type", "dynamic"}, {"factor", 2.0}, {"original_max_position_embeddings", 128}};
    EXPECT_THAT(error_of(j), HasSubstr("original_max_position_embeddings"));
}

TEST(ModelConfig, ReadsRopeScalingWithEitherKey) {
    auto j = tiny_llama();
    j["rope_scaling"] = {{"type", "linear"}, {"factor", 4.0}};
    auto cfg = parse_model_config(j, "cfg.json");
    EXPECT_EQ(cfg.rope_scaling.type, "linear");
    EXPECT_EQ(cfg.max_positions, 4 * 512);  // the stretched context
    EXPECT_THAT(cfg.position_encoding(), AllOf(HasSubstr("linear"), HasSubstr("factor 4")));
    j["rope_scaling"] = {{"rope_type", "yarn"}, {"factor", 4.0}};
    cfg = parse_model_config(j, "cfg.json");
    EXPECT_EQ(cfg.rope_scaling.type, "yarn");
    EXPECT_NEAR(cfg.rope_scaling.attention_factor, 0.1 * std::log(4.0) + 1.0, 1e-12);
    j["rope_scaling"] = {{"rope_type", "default"}};
    EXPECT_EQ(parse_model_config(j, "cfg.json").rope_scaling.type, "");
    j["rope_scaling"] = nullptr;
    cfg = parse_model_config(j, "cfg.json");
    EXPECT_EQ(cfg.rope_scaling.type, "");
    EXPECT_EQ(cfg.max_positions, 512);
}

nlohmann::json tiny_mistral() {
    auto j = tiny_llama();
    j["architectures"] = {"MistralForCausalLM"};
    j["model_type"] = "mistral";
    j["sliding_window"] = 64;
    return j;
}

nlohmann::json tiny_qwen2() {
    auto j = tiny_llama();
    j["architectures"] = {"Qwen2ForCausalLM"};
    j["model_type"] = "qwen2";
    j["use_sliding_window"] = false;
    j["sliding_window"] = 64;
    return j;
}

nlohmann::json tiny_opt() {
    return {{"architectures", {"OPTForCausalLM"}},
            {"model_type", "opt"},
            {"hidden_size", 64},
            {"ffn_dim", 128},
            {"num_hidden_layers", 2},
            {"num_attention_heads", 4},
            {"vocab_size", 384},
            {"max_position_embeddings", 2048},
            {"word_embed_proj_dim", 64},
            {"do_layer_norm_before", true},
            {"activation_function", "relu"}};
}

nlohmann::json tiny_qwen() {
    return {{"architectures", {"QWenLMHeadModel"}},
            {"model_type", "qwen"},
            {"hidden_size", 64},
            {"intermediate_size", 256},
            {"num_hidden_layers", 2},
            {"num_attention_heads", 4},
            {"kv_channels", 16},
            {"vocab_size", 416},
            {"max_position_embeddings", 1024},
            {"seq_length", 32}};
}

TEST(ModelConfig, MistralAndQwen2ShareTheLlamaForward) {
    const auto m = parse_model_config(tiny_mistral(), "cfg.json");
    EXPECT_EQ(m.family, "llama");
    EXPECT_EQ(m.sliding_window, 64);
    EXPECT_FALSE(m.qkv_bias);
    auto j = tiny_mistral();
    j["sliding_window"] = nullptr;  // Mistral v0.2: full attention
    EXPECT_EQ(parse_model_config(j, "cfg.json").sliding_window, 0);

    const auto q = parse_model_config(tiny_qwen2(), "cfg.json");
    EXPECT_EQ(q.sliding_window, 0);  // only with use_sliding_window
    EXPECT_TRUE(q.qkv_bias);
    EXPECT_FALSE(q.attention_bias);  // no o_proj bias
    EXPECT_EQ(q.param_count(),
              parse_model_config(tiny_llama(), "cfg.json").param_count() + 5 * (8 + 2 * 4) * 8);
    j = tiny_qwen2();
    j["use_sliding_window"] = true;
    j["max_window_layers"] = 0;
    EXPECT_EQ(parse_model_config(j, "cfg.json").sliding_window, 64);
    j["max_window_layers"] = 2;  // layers 0-1 full, 2-4 sliding: not one window for all
    EXPECT_THAT(error_of(j), AllOf(HasSubstr("cfg.json"), HasSubstr("max_window_layers")));
}

TEST(ModelConfig, NewFamiliesRefuseHeadCountsThatDoNotDivide) {
    auto j = tiny_mistral();
    j["num_key_value_heads"] = 3;
    EXPECT_THAT(error_of(j), AllOf(HasSubstr("num_key_value_heads"), HasSubstr("divisor")));
    j = tiny_qwen2();
    j["num_key_value_heads"] = 5;
    EXPECT_THAT(error_of(j), AllOf(HasSubstr("num_key_value_heads"), HasSubstr("divisor")));
    j = tiny_opt();
    j["num_attention_heads"] = 6;
    EXPECT_THAT(error_of(j), AllOf(HasSubstr("cfg.json"), HasSubstr("num_attention_heads"),
                                   HasSubstr("hidden_size")));
    j = tiny_qwen();
    j["num_attention_heads"] = 6;
    EXPECT_THAT(error_of(j), AllOf(HasSubstr("num_attention_heads"), HasSubstr("hidden_size")));
    j = tiny_qwen();
    j["kv_channels"] = 32;
    EXPECT_THAT(error_of(j), AllOf(HasSubstr("kv_channels"), HasSubstr("16")));
}

TEST(ModelConfig, OptAndQwenKeys) {
    auto j = tiny_opt();
    auto cfg = parse_model_config(j, "cfg.json");
    EXPECT_EQ(cfg.family, "opt");
    EXPECT_EQ(cfg.n_kv_heads, 4);
    EXPECT_EQ(cfg.head_dim, 16);
    EXPECT_TRUE(cfg.tie_word_embeddings);
    EXPECT_TRUE(cfg.final_layer_norm);
    EXPECT_THAT(cfg.position_encoding(), HasSubstr("learned"));
    j["do_layer_norm_before"] = false;
    EXPECT_FALSE(parse_model_config(j, "cfg.json").final_layer_norm);
    j = tiny_opt();
    j["activation_function"] = "gelu";
    EXPECT_THAT(error_of(j), HasSubstr("activation_function"));

    cfg = parse_model_config(tiny_qwen(), "cfg.json");
    EXPECT_EQ(cfg.family, "qwen");
    EXPECT_EQ(cfg.intermediate, 128);  // each MLP branch is intermediate_size / 2
    EXPECT_TRUE(cfg.dynamic_ntk);      // Qwen's defaults
    EXPECT_TRUE(cfg.logn_attn);
    EXPECT_THAT(cfg.position_encoding(), AllOf(HasSubstr("NTK"), HasSubstr("logn")));
    j = tiny_qwen();
    j["intermediate_size"] = 255;
    EXPECT_THAT(error_of(j), HasSubstr("intermediate_size"));
    j = tiny_qwen();
    j["rotary_pct"] = 0.5;
    EXPECT_THAT(error_of(j), HasSubstr("rotary_pct"));
}

// A checkpoint whose tensor names belong to another family: the first missing tensor is named.
TEST(ModelConfig, WeightsOfAnotherFamilyAreRefusedByTensorName) {
    const auto src = test::shared_data() / "arch-goldens/llama-basic";
    HACE_REQUIRE_PATH(src);
    const auto dir = test::temp_dir("cross") / "m";
    test::copy_model_dir(src, dir);
    auto opt = tiny_opt();
    opt["vocab_size"] = 384;
    write_json_file(dir / "config.json", opt);
    const auto load_error = [&] {
        try {
            load_model(dir);
        } catch (const InputError& e) {
            return std::string(e.what());
        }
        return std::string("(no error)");
    };
    EXPECT_THAT(load_error(),
                AllOf(HasSubstr("decoder.embed_tokens.weight"), HasSubstr("missing")));
    write_json_file(dir / "config.json", tiny_qwen());
    EXPECT_THAT(load_error(), AllOf(HasSubstr("transformer.wte.weight"), HasSubstr("missing")));

    const auto opt_src = test::shared_data() / "arch-goldens/opt";
    HACE_REQUIRE_PATH(opt_src);
    const auto dir2 = test::temp_dir("cross2") / "m";
    test::copy_model_dir(opt_src, dir2);
    auto llama = tiny_llama();
    llama["hidden_size"] = 64;
    write_json_file(dir2 / "config.json", llama);
    try {
        load_model(dir2);
        FAIL() << "no error";
    } catch (const InputError& e) {
        EXPECT_THAT(e.what(), AllOf(HasSubstr("model.embed_tokens.weight"), HasSubstr("missing")));
    }
}

// OPT's learned positions end at max_position_embeddings: longer sequences are refused.
TEST(ModelConfig, OptContextBeyondItsPositionsIsRefused) {
    EXPECT_EQ(shape_config("opt-13b").max_positions, 2048);
    const auto model = random_model(parse_model_config(tiny_opt(), "cfg.json"), {}, 0);
    EXPECT_NO_THROW(model->new_session(2048));
    try {
        model->new_session(2049);
        FAIL() << "no error";
    } catch (const InputError& e) {
        EXPECT_THAT(e.what(), AllOf(HasSubstr("2049"), HasSubstr("2048")));
    }
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

// Parameter counts of the study's other models as published (PERFORMANCE.md section 1).
TEST(Shapes, StudyShapesMatchThePublishedSizes) {
    const auto mistral = shape_config("mistral-7b");
    EXPECT_EQ(mistral.param_count(), 7241732096);  // 7.24 B
    EXPECT_EQ(mistral.n_kv_heads, 8);
    EXPECT_EQ(mistral.sliding_window, 0);  // v0.2
    EXPECT_DOUBLE_EQ(mistral.rope_theta, 1e6);
    EXPECT_EQ(mistral.max_positions, 32768);
    const auto opt = shape_config("opt-13b");
    EXPECT_EQ(opt.param_count(), 12853473280);  // 12.85 B
    EXPECT_EQ(opt.head_dim, 128);
    const auto qwen = shape_config("qwen-14b");
    EXPECT_EQ(qwen.param_count(), 14167290880);  // 14.17 B
    EXPECT_EQ(qwen.intermediate, 13696);
    EXPECT_EQ(qwen.seq_length, 2048);
    EXPECT_EQ(qwen.head_dim, 128);
}

}  // namespace
}  // namespace hace::model
