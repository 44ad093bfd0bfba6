// Bad model folders: each refusal is an InputError naming the file and the problem.
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/core/error.h"
#include "engine/core/json_io.h"
#include "engine/model/model.h"
#include "engine/model/shapes.h"
#include "tests/support/safetensors_edit.h"
#include "tests/support/test_data.h"

namespace hace::model {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

class ModelLoading : public ::testing::Test {
protected:
    void SetUp() override {
        src_ = test::shared_data() / "models/stories260K";
        if (!std::filesystem::exists(src_)) GTEST_SKIP() << "missing " << src_;
        dir_ = test::temp_dir("load") / "m";
        test::copy_model_dir(src_, dir_);
    }
    std::string load_error() {
        try {
            load_model(dir_);
        } catch (const InputError& e) {
            return e.what();
        }
        return "(no error)";
    }
    void edit_config(const std::function<void(nlohmann::json&)>& f) {
        auto j = read_json_file(dir_ / "config.json");
        f(j);
        write_json_file(dir_ / "config.json", j);
    }
    std::filesystem::path src_, dir_;
};

TEST_F(ModelLoading, MissingTensorIsNamed) {
    auto parts = test::read_safetensors(dir_ / "model.safetensors");
    parts.header.erase("model.layers.2.mlp.up_proj.weight");
    test::write_safetensors(dir_ / "model.safetensors", parts);
    EXPECT_THAT(load_error(), AllOf(HasSubstr("model.layers.2.mlp.up_proj.weight"),
                                    HasSubstr("missing")));
}

TEST_F(ModelLoading, WrongShapeNamesTensorAndShapes) {
    edit_config([](nlohmann::json& j) { j["intermediate_size"] = 173; });
    EXPECT_THAT(load_error(), AllOf(HasSubstr("gate_proj.weight"), HasSubstr("[173, 64]"),
                                    HasSubstr("[172, 64]")));
}

TEST_F(ModelLoading, TruncatedWeightsAreRefused) {
    const auto f = dir_ / "model.safetensors";
    std::filesystem::resize_file(f, std::filesystem::file_size(f) - 100);
    EXPECT_THAT(load_error(), HasSubstr("model.safetensors"));
}

TEST_F(ModelLoading, OutOfRangeOffsetsAreRefused) {
    auto parts = test::read_safetensors(dir_ / "model.safetensors");
    parts.header["model.norm.weight"]["data_offsets"] = {parts.data.size(),
                                                         parts.data.size() + 256};
    test::write_safetensors(dir_ / "model.safetensors", parts);
    EXPECT_THAT(load_error(), AllOf(HasSubstr("model.safetensors"), HasSubstr("model.norm.weight")));
}

TEST_F(ModelLoading, PickleCheckpointsAreRefused) {
    std::filesystem::remove(dir_ / "model.safetensors");
    std::ofstream(dir_ / "pytorch_model.bin") << "PK\x03\x04 not really a zip";
    EXPECT_THAT(load_error(), AllOf(HasSubstr("pytorch_model.bin"), HasSubstr("pickle")));
}

TEST_F(ModelLoading, NonFloatWeightsAreRefused) {
    auto parts = test::read_safetensors(dir_ / "model.safetensors");
    parts.header["model.norm.weight"]["dtype"] = "I32";
    test::write_safetensors(dir_ / "model.safetensors", parts);
    EXPECT_THAT(load_error(), AllOf(HasSubstr("model.norm.weight"), HasSubstr("floating")));
}

TEST_F(ModelLoading, UnknownArchitectureAndMissingConfig) {
    edit_config([](nlohmann::json& j) { j["architectures"] = {"MambaForCausalLM"}; });
    EXPECT_THAT(load_error(), AllOf(HasSubstr("config.json"), HasSubstr("MambaForCausalLM")));
    std::filesystem::remove(dir_ / "config.json");
    EXPECT_THAT(load_error(), AllOf(HasSubstr("config.json"), HasSubstr("missing")));
}

TEST(ModelRandom, RandomWeightsAreSeededAndRunAtRealShape) {
    const auto cfg = shape_config("llama2-7b", 1);
    // One layer of the real 7B shape: embedding 32000 x 4096 plus one decoder layer.
    const auto a = random_model(cfg, {}, 3);
    const auto b = random_model(cfg, {}, 3);
    const std::vector<TokenId> prompt = {1, 450, 4996};
    auto sa = a->new_session(4);
    auto sb = b->new_session(4);
    const auto la = sa->prefill(prompt);
    const auto lb = sb->prefill(prompt);
    ASSERT_EQ(la.size(), 32000u);
    EXPECT_EQ(la, lb);
    EXPECT_EQ(a->weight_bytes(), (2ll * 32000 * 4096 + 4 * 4096 * 4096 + 3 * 4096 * 11008 +
                                  2 * 4096 + 4096) * 4);
}

TEST(ModelRandom, RefusesUnavailableDeviceAndDtype) {
    const auto cfg = shape_config("llama-100m", 1);
    LoadOptions cuda;
    cuda.device = "cuda";
    EXPECT_THROW(random_model(cfg, cuda, 0), InputError);
    LoadOptions f16;
    f16.dtype = DType::F16;
    EXPECT_THROW(random_model(cfg, f16, 0), InputError);
}

}  // namespace
}  // namespace hace::model
