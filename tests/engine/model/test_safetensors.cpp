#include "engine/model/safetensors.h"

#include <cstring>
#include <fstream>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/core/error.h"
#include "tests/support/expect_input_error.h"
#include "tests/support/test_data.h"

namespace hace::model {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

// One header entry. Offsets default to packing the tensors back to back.
struct Spec {
    using Offsets = std::optional<std::pair<std::int64_t, std::int64_t>>;
    Spec(std::string n, std::string dt, std::vector<std::int64_t> sh, std::size_t es = 4,
         Offsets off = std::nullopt)
        : name(std::move(n)),
          dtype(std::move(dt)),
          shape(std::move(sh)),
          elem_size(es),
          offsets(off) {}
    std::string name;
    std::string dtype;
    std::vector<std::int64_t> shape;
    std::size_t elem_size;
    Offsets offsets;
};

std::string shape_json(const std::vector<std::int64_t>& shape) {
    std::string s = "[";
    for (std::size_t i = 0; i < shape.size(); ++i) {
        if (i) s += ',';
        s += std::to_string(shape[i]);
    }
    return s + "]";
}

// The header is written as text rather than through nlohmann::json so that tests can produce
// what a JSON object cannot hold, such as a duplicated key.
std::string header_text(const std::vector<Spec>& specs, const std::string& metadata,
                        std::size_t* data_size) {
    std::string h = "{";
    if (!metadata.empty()) h += "\"__metadata__\":" + metadata + ",";
    std::int64_t cursor = 0;
    for (const auto& s : specs) {
        std::int64_t n = static_cast<std::int64_t>(s.elem_size);
        for (auto d : s.shape) n *= d;
        const auto [b, e] = s.offsets.value_or(std::make_pair(cursor, cursor + n));
        cursor = std::max(cursor, e);
        h += "\"" + s.name + "\":{\"dtype\":\"" + s.dtype + "\",\"shape\":" + shape_json(s.shape) +
             ",\"data_offsets\":[" + std::to_string(b) + "," + std::to_string(e) + "]},";
    }
    if (h.back() == ',') h.pop_back();
    *data_size = static_cast<std::size_t>(cursor);
    return h + "}";
}

// Writes prefix + header + data. Data byte i is (i * 7 + 1) mod 256 so reads can be checked.
void write_raw(const fs::path& path, const std::string& header, std::size_t data_size,
               std::optional<std::uint64_t> declared_len = std::nullopt) {
    std::uint64_t len = declared_len.value_or(header.size());
    std::string bytes(8, '\0');
    for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>((len >> (8 * i)) & 0xff);
    bytes += header;
    for (std::size_t i = 0; i < data_size; ++i) bytes += static_cast<char>((i * 7 + 1) & 0xff);
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    ASSERT_TRUE(out.good()) << path;
}

void write_file(const fs::path& path, const std::vector<Spec>& specs,
                const std::string& metadata = "") {
    std::size_t data_size = 0;
    const std::string h = header_text(specs, metadata, &data_size);
    write_raw(path, h, data_size);
}

const std::vector<Spec> kTwo = {{"a", "F32", {2, 3}}, {"b", "F32", {4}}};

using test::expect_input_error;

void expect_open_error(const fs::path& path, const std::vector<std::string>& parts) {
    auto all = parts;
    all.push_back(path.filename().string());
    expect_input_error([&] { SafetensorsFile::open(path); }, all);
}

class SafetensorsTest : public ::testing::Test {
protected:
    void SetUp() override {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        dir_ = hace::test::temp_dir(std::string("st-") + info->name());
    }
    void TearDown() override { fs::remove_all(dir_); }
    fs::path dir_;
};

TEST(SafetensorsReal, Stories260K) {
    const fs::path dir = hace::test::shared_data() / "models/stories260K";
    HACE_REQUIRE_PATH(dir / "model.safetensors");
    const WeightStore store = WeightStore::open_dir(dir);
    EXPECT_EQ(store.names().size(), 48u);
    const TensorView& emb = store.require("model.embed_tokens.weight", {512, 64});
    EXPECT_EQ(emb.dtype, DType::F32);
    EXPECT_EQ(emb.numel(), 512 * 64);
    EXPECT_EQ(emb.nbytes, 512u * 64u * 4u);
    EXPECT_EQ(emb.shape_string(), "[512, 64]");
    EXPECT_TRUE(store.contains("lm_head.weight"));

    // Compare against bytes read independently of the mapping.
    const auto sf = SafetensorsFile::open(dir / "model.safetensors");
    ASSERT_EQ(sf->metadata().at("format"), "pt");
    const TensorView& q = sf->tensors().at("model.layers.0.self_attn.q_proj.weight");
    std::ifstream in(dir / "model.safetensors", std::ios::binary);
    unsigned char prefix[8];
    in.read(reinterpret_cast<char*>(prefix), 8);
    std::uint64_t n = 0;
    for (int i = 7; i >= 0; --i) n = (n << 8) | prefix[i];
    // q_proj follows embed_tokens (512*64 floats) and the first norm (64 floats).
    const std::uint64_t offset = 8 + n + (512 * 64 + 64) * 4;
    in.seekg(static_cast<std::streamoff>(offset));
    float expected[16];
    in.read(reinterpret_cast<char*>(expected), sizeof expected);
    ASSERT_TRUE(in.good());
    float actual[16];
    std::memcpy(actual, q.data, sizeof actual);
    for (int i = 0; i < 16; ++i) EXPECT_EQ(actual[i], expected[i]) << i;
    EXPECT_EQ(store.total_bytes(), 1176144u - 8u - n);
}

TEST(SafetensorsReal, Stories260KBf16Tied) {
    const fs::path dir = hace::test::shared_data() / "models/stories260K-bf16-tied";
    HACE_REQUIRE_PATH(dir / "model.safetensors");
    const WeightStore store = WeightStore::open_dir(dir);
    EXPECT_EQ(store.names().size(), 47u);
    EXPECT_FALSE(store.contains("lm_head.weight"));
    EXPECT_EQ(store.find("lm_head.weight"), nullptr);
    const TensorView& emb = store.require("model.embed_tokens.weight", {512, 64});
    EXPECT_EQ(emb.dtype, DType::BF16);
    EXPECT_EQ(emb.nbytes, 512u * 64u * 2u);
    expect_input_error([&] { store.require("lm_head.weight"); },
                       {dir.string(), "tensor lm_head.weight missing"});
    expect_input_error(
        [&] { store.require("model.norm.weight", {32}); },
        {"model.safetensors", "tensor model.norm.weight", "expected shape [32], got [64]"});
}

TEST_F(SafetensorsTest, ValidFileReadsBackDataAndMetadata) {
    const fs::path p = dir_ / "ok.safetensors";
    write_file(p, kTwo, R"({"format":"pt","note":"x"})");
    const auto sf = SafetensorsFile::open(p);
    ASSERT_EQ(sf->tensors().size(), 2u);
    EXPECT_EQ(sf->metadata().at("note"), "x");
    const TensorView& b = sf->tensors().at("b");
    EXPECT_EQ(b.nbytes, 16u);
    EXPECT_EQ(b.shape_string(), "[4]");
    EXPECT_EQ(b.file, p);
    // b starts 24 bytes into the data section.
    EXPECT_EQ(std::to_integer<int>(b.data[0]), (24 * 7 + 1) & 0xff);
    EXPECT_EQ(std::to_integer<int>(b.data[15]), (39 * 7 + 1) & 0xff);
}

TEST_F(SafetensorsTest, DtypesHaveTheRightByteSizes) {
    const fs::path p = dir_ / "dtypes.safetensors";
    write_file(p, {{"h", "F16", {3, 5}, 2},
                   {"bf", "BF16", {7}, 2},
                   {"i", "I32", {2, 2}, 4},
                   {"l", "I64", {3}, 8},
                   {"d", "F64", {1}, 8},
                   {"flag", "BOOL", {5}, 1},
                   {"s", "F32", {}, 4},
                   {"empty", "F32", {0, 9}, 4}});
    const auto sf = SafetensorsFile::open(p);
    const auto& t = sf->tensors();
    EXPECT_EQ(t.at("h").dtype, DType::F16);
    EXPECT_EQ(t.at("h").nbytes, 30u);
    EXPECT_EQ(t.at("bf").dtype, DType::BF16);
    EXPECT_EQ(t.at("bf").nbytes, 14u);
    EXPECT_EQ(t.at("i").dtype, DType::I32);
    EXPECT_EQ(t.at("i").nbytes, 16u);
    EXPECT_EQ(t.at("l").dtype, DType::I64);
    EXPECT_EQ(t.at("l").nbytes, 24u);
    EXPECT_EQ(t.at("d").nbytes, 8u);
    EXPECT_EQ(t.at("flag").dtype, DType::Bool);
    EXPECT_EQ(t.at("s").numel(), 1);
    EXPECT_EQ(t.at("s").shape_string(), "[]");
    EXPECT_EQ(t.at("empty").numel(), 0);
    EXPECT_EQ(t.at("empty").nbytes, 0u);
}

TEST_F(SafetensorsTest, ZeroSizeTensorsAtTheEndAndInsideOthersAreAllowed) {
    const fs::path p = dir_ / "zero.safetensors";
    write_file(p, {{"a", "F32", {4}, 4, std::make_pair(0, 16)},
                   {"inside", "F32", {0}, 4, std::make_pair(8, 8)},
                   {"end", "F32", {0}, 4, std::make_pair(16, 16)}});
    EXPECT_EQ(SafetensorsFile::open(p)->tensors().size(), 3u);
}

TEST_F(SafetensorsTest, RejectsFileTooShort) {
    const fs::path p = dir_ / "short.safetensors";
    std::ofstream(p, std::ios::binary) << "abc";
    expect_open_error(p, {"too short"});
}

TEST_F(SafetensorsTest, RejectsMissingFile) {
    expect_open_error(dir_ / "absent.safetensors", {"cannot open"});
}

TEST_F(SafetensorsTest, RejectsHeaderLengthBeyondFile) {
    const fs::path p = dir_ / "hlen.safetensors";
    std::size_t n = 0;
    const std::string h = header_text(kTwo, "", &n);
    write_raw(p, h, n, h.size() + n + 1);
    expect_open_error(p, {"header length", "past the end"});
}

TEST_F(SafetensorsTest, RejectsAbsurdHeaderLength) {
    const fs::path p = dir_ / "huge.safetensors";
    write_raw(p, "{}", 0, ~std::uint64_t{0});
    expect_open_error(p, {"header length", "18446744073709551615"});
}

TEST_F(SafetensorsTest, RejectsTruncatedBody) {
    const fs::path p = dir_ / "trunc.safetensors";
    std::size_t n = 0;
    const std::string h = header_text(kTwo, "", &n);
    write_raw(p, h, n - 3);
    expect_open_error(p, {"tensor b", "past the data section", "truncated"});
}

TEST_F(SafetensorsTest, RejectsMalformedJson) {
    const fs::path p = dir_ / "badjson.safetensors";
    write_raw(p, R"({"a":{"dtype":"F32","shape":[1],)", 4);
    expect_open_error(p, {"malformed header JSON"});
    // Too large even for a double: nlohmann reports this as out_of_range, not parse_error.
    write_raw(p, R"({"a":{"dtype":"F32","shape":[1e999],"data_offsets":[0,4]}})", 4);
    expect_open_error(p, {"malformed header JSON"});
}

TEST_F(SafetensorsTest, RejectsNonObjectHeader) {
    const fs::path p = dir_ / "array.safetensors";
    write_raw(p, "[1,2]", 0);
    expect_open_error(p, {"not a JSON object"});
}

TEST_F(SafetensorsTest, RejectsDeeplyNestedHeader) {
    const fs::path p = dir_ / "deep.safetensors";
    write_raw(p, R"({"a":{"dtype":[[[[[[[[[[[[1]]]]]]]]]]]]}})", 0);
    expect_open_error(p, {"nested too deeply"});
}

TEST_F(SafetensorsTest, RejectsOutOfRangeOffsets) {
    const fs::path p = dir_ / "range.safetensors";
    std::size_t n = 0;
    const std::string h = header_text({{"a", "F32", {2}, 4, std::make_pair(100, 108)}}, "", &n);
    write_raw(p, h, 16);
    expect_open_error(p, {"tensor a", "past the data section"});
}

TEST_F(SafetensorsTest, RejectsBadOffsetShapes) {
    const fs::path p = dir_ / "offs.safetensors";
    write_raw(p, R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0]}})", 4);
    expect_open_error(p, {"tensor a", "data_offsets must be two non-negative integers"});
    write_raw(p, R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[-4,0]}})", 4);
    expect_open_error(p, {"tensor a", "non-negative"});
    write_raw(p, R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4.5]}})", 8);
    expect_open_error(p, {"tensor a", "data_offsets"});
    write_raw(p, R"({"a":{"dtype":"F32","shape":[0],"data_offsets":[4,0]}})", 8);
    expect_open_error(p, {"tensor a", "after end"});
}

TEST_F(SafetensorsTest, RejectsOverlappingOffsets) {
    const fs::path p = dir_ / "overlap.safetensors";
    write_file(p, {{"a", "F32", {4}, 4, std::make_pair(0, 16)},
                   {"b", "F32", {4}, 4, std::make_pair(32, 48)},
                   {"c", "F32", {2}, 4, std::make_pair(12, 20)}});
    expect_open_error(p, {"overlap", "a", "c"});
}

TEST_F(SafetensorsTest, RejectsSizeMismatch) {
    const fs::path p = dir_ / "size.safetensors";
    write_file(p, {{"a", "F32", {2, 3}, 4, std::make_pair(0, 20)}});
    expect_open_error(p, {"tensor a", "size mismatch", "24", "20"});
}

TEST_F(SafetensorsTest, RejectsShapeOverflow) {
    const fs::path p = dir_ / "overflow.safetensors";
    write_raw(p, R"({"a":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,0]}})",
              0);
    expect_open_error(p, {"tensor a", "overflows"});
    write_raw(p, R"({"a":{"dtype":"F64","shape":[4611686018427387904],"data_offsets":[0,0]}})", 0);
    expect_open_error(p, {"tensor a", "overflows"});
}

TEST_F(SafetensorsTest, RejectsDuplicateNames) {
    const fs::path p = dir_ / "dup.safetensors";
    write_file(p, {{"w", "F32", {2}}, {"w", "F32", {2}}});
    expect_open_error(p, {"duplicate", "\"w\""});
}

TEST_F(SafetensorsTest, RejectsUnknownDtype) {
    const fs::path p = dir_ / "dtype.safetensors";
    write_file(p, {{"a", "F8_E4M3", {4}, 1}});
    expect_open_error(p, {"tensor a", "unknown dtype", "F8_E4M3"});
}

TEST_F(SafetensorsTest, RejectsMalformedEntries) {
    const fs::path p = dir_ / "entry.safetensors";
    write_raw(p, R"({"a":5})", 0);
    expect_open_error(p, {"tensor a", "not an object"});
    write_raw(p, R"({"a":{"shape":[1],"data_offsets":[0,4]}})", 4);
    expect_open_error(p, {"tensor a", "missing \"dtype\""});
    write_raw(p, R"({"a":{"dtype":"F32","data_offsets":[0,4]}})", 4);
    expect_open_error(p, {"tensor a", "missing \"shape\""});
    write_raw(p, R"({"a":{"dtype":"F32","shape":[1]}})", 4);
    expect_open_error(p, {"tensor a", "missing \"data_offsets\""});
    write_raw(p, R"({"a":{"dtype":32,"shape":[1],"data_offsets":[0,4]}})", 4);
    expect_open_error(p, {"tensor a", "dtype is not a string"});
    write_raw(p, R"({"a":{"dtype":"F32","shape":"1","data_offsets":[0,4]}})", 4);
    expect_open_error(p, {"tensor a", "shape is not an array"});
    write_raw(p, R"({"a":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}})", 4);
    expect_open_error(p, {"tensor a", "not an integer"});
    write_raw(p, R"({"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}})", 4);
    expect_open_error(p, {"tensor a", "negative dimension"});
    write_raw(p, R"({"a":{"dtype":"F32","shape":[18446744073709551616],"data_offsets":[0,4]}})", 4);
    expect_open_error(p, {"tensor a", "not an integer"});
}

TEST_F(SafetensorsTest, RejectsBadMetadata) {
    const fs::path p = dir_ / "meta.safetensors";
    write_file(p, kTwo, R"({"format":"pt","step":3})");
    expect_open_error(p, {"__metadata__", "\"step\"", "not a string"});
    write_file(p, kTwo, R"(["pt"])");
    expect_open_error(p, {"__metadata__", "not an object"});
}

TEST_F(SafetensorsTest, StoreOpensSingleFile) {
    write_file(dir_ / "model.safetensors", kTwo);
    const WeightStore store = WeightStore::open_dir(dir_);
    EXPECT_EQ(store.names(), (std::vector<std::string>{"a", "b"}));
    EXPECT_EQ(store.total_bytes(), 40u);
    EXPECT_EQ(store.dir(), dir_);
    expect_input_error(
        [&] {
            store.require("a", {3, 2});
        },
        {"model.safetensors", "tensor a", "expected shape [3, 2], got [2, 3]"});
}

void write_index(const fs::path& dir, const std::string& weight_map) {
    std::ofstream(dir / "model.safetensors.index.json")
        << R"({"metadata":{"total_size":0},"weight_map":)" << weight_map << "}";
}

TEST_F(SafetensorsTest, StoreOpensShardsThroughIndex) {
    write_file(dir_ / "model-00001-of-00002.safetensors",
               {{"a", "F32", {2}}, {"b", "F16", {4}, 2}});
    write_file(dir_ / "model-00002-of-00002.safetensors", {{"c", "I64", {3}, 8}});
    write_index(dir_, R"({"a":"model-00001-of-00002.safetensors",
                          "b":"model-00001-of-00002.safetensors",
                          "c":"model-00002-of-00002.safetensors"})");
    const WeightStore store = WeightStore::open_dir(dir_);
    EXPECT_EQ(store.names(), (std::vector<std::string>{"a", "b", "c"}));
    EXPECT_EQ(store.require("c").nbytes, 24u);
    EXPECT_EQ(store.require("c").file.filename(), "model-00002-of-00002.safetensors");
    EXPECT_EQ(store.require("b").dtype, DType::F16);
}

TEST_F(SafetensorsTest, StoreRejectsIndexNamingMissingTensor) {
    write_file(dir_ / "s1.safetensors", {{"a", "F32", {2}}});
    write_file(dir_ / "s2.safetensors", {{"c", "F32", {2}}});
    write_index(dir_, R"({"a":"s1.safetensors","c":"s2.safetensors","ghost":"s2.safetensors"})");
    expect_input_error(
        [&] { WeightStore::open_dir(dir_); },
        {"model.safetensors.index.json", "tensor ghost", "s2.safetensors", "missing"});
}

TEST_F(SafetensorsTest, StoreRejectsNameInTwoShards) {
    write_file(dir_ / "s1.safetensors", {{"a", "F32", {2}}, {"x", "F32", {1}}});
    write_file(dir_ / "s2.safetensors", {{"c", "F32", {2}}, {"x", "F32", {1}}});
    write_index(dir_, R"({"a":"s1.safetensors","c":"s2.safetensors","x":"s2.safetensors"})");
    expect_input_error([&] { WeightStore::open_dir(dir_); },
                       {dir_.string(), "tensor x", "s1.safetensors", "s2.safetensors"});
}

TEST_F(SafetensorsTest, StoreRejectsShardPathOutsideFolder) {
    const fs::path inner = dir_ / "model";
    fs::create_directories(inner);
    write_file(dir_ / "evil.safetensors", {{"a", "F32", {2}}});
    write_index(inner, R"({"a":"../evil.safetensors"})");
    expect_input_error(
        [&] { WeightStore::open_dir(inner); },
        {"model.safetensors.index.json", "../evil.safetensors", "not a plain file name"});
}

TEST_F(SafetensorsTest, StoreRejectsMalformedIndex) {
    write_index(dir_, R"(["a"])");
    expect_input_error([&] { WeightStore::open_dir(dir_); },
                       {"model.safetensors.index.json", "weight_map", "not an object"});
    write_index(dir_, R"({"a":7})");
    expect_input_error([&] { WeightStore::open_dir(dir_); },
                       {"model.safetensors.index.json", "tensor a", "not a string"});
    write_index(dir_, R"({"a":"nope.safetensors"})");
    expect_input_error([&] { WeightStore::open_dir(dir_); }, {"nope.safetensors", "cannot open"});
}

TEST_F(SafetensorsTest, StoreOpensUnindexedShardsAndRejectsDuplicates) {
    write_file(dir_ / "part-b.safetensors", {{"b", "F32", {2}}});
    write_file(dir_ / "part-a.safetensors", {{"a", "F32", {2}}});
    EXPECT_EQ(WeightStore::open_dir(dir_).names(), (std::vector<std::string>{"a", "b"}));
    write_file(dir_ / "part-c.safetensors", {{"a", "F32", {1}}});
    expect_input_error([&] { WeightStore::open_dir(dir_); },
                       {"tensor a", "part-a.safetensors", "part-c.safetensors"});
}

TEST_F(SafetensorsTest, StoreRefusesPickleCheckpoints) {
    std::ofstream(dir_ / "pytorch_model.bin", std::ios::binary) << "\x80\x02}q\x00.";
    expect_input_error([&] { WeightStore::open_dir(dir_); },
                       {dir_.string(), "pytorch_model.bin", "pickle", "convert to safetensors"});
}

TEST_F(SafetensorsTest, StoreRejectsEmptyMissingAndNonFolder) {
    expect_input_error([&] { WeightStore::open_dir(dir_); },
                       {dir_.string(), "no model.safetensors or model.safetensors.index.json"});
    expect_input_error([&] { WeightStore::open_dir(dir_ / "nowhere"); },
                       {"nowhere", "does not exist"});
    write_file(dir_ / "file.safetensors", kTwo);
    expect_input_error([&] { WeightStore::open_dir(dir_ / "file.safetensors"); },
                       {"file.safetensors", "not a folder"});
}

TEST_F(SafetensorsTest, StoreErrorsFromShardNameTheShardFile) {
    write_file(dir_ / "model.safetensors", {{"a", "F32", {2, 3}, 4, std::make_pair(0, 20)}});
    expect_input_error([&] { WeightStore::open_dir(dir_); },
                       {(dir_ / "model.safetensors").string(), "size mismatch"});
}

}  // namespace
}  // namespace hace::model
