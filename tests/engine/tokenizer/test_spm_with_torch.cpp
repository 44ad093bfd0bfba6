// sentencepiece inside a LibTorch process. Linking both crashes before main (two protobuf copies,
// TOOLCHAIN.md section 3.1); this binary links LibTorch and reaches sentencepiece only through the
// dlopen'ed module, so merely starting proves part of the point and the test proves the rest.
#include <ATen/ATen.h>

#include <gtest/gtest.h>

#include "engine/tokenizer/sentencepiece_tokenizer.h"
#include "engine/tokenizer/tokenizer.h"
#include "tests/support/test_data.h"

namespace hace::tokenizer {
namespace {

TEST(SpmWithTorch, TorchThenTokenizerThenTorch) {
    EXPECT_EQ(at::ones({2, 2}).sum().item<float>(), 4.0f);

    const auto dir = test::shared_data() / "tokenizers/llama2";
    HACE_REQUIRE_PATH(dir / "tokenizer.model");
    std::string why;
    if (!sentencepiece_module_available(&why)) GTEST_SKIP() << why;  // the module is the point

    const auto tok = load_tokenizer(dir);
    const std::vector<TokenId> ids = tok->encode("Hello, world!", true);
    EXPECT_EQ(ids, (std::vector<TokenId>{1, 15043, 29892, 3186, 29991}));
    EXPECT_EQ(tok->decode(ids, true), "Hello, world!");

    std::vector<std::int64_t> wide(ids.begin(), ids.end());
    const auto t = at::tensor(wide, at::kLong);
    EXPECT_EQ(t.sum().item<std::int64_t>(), 1 + 15043 + 29892 + 3186 + 29991);
    EXPECT_EQ(at::ones({3, 3}).matmul(at::ones({3, 1})).sum().item<float>(), 9.0f);
}

}  // namespace
}  // namespace hace::tokenizer
