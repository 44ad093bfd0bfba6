// Chat templates: exact rendering, the registry, and that the rendered text tokenizes to the ids
// the models expect (Qwen's ChatML markers as special ids, Llama 2's BOS as the control id).
#include <gtest/gtest.h>

#include "engine/core/error.h"
#include "engine/tokenizer/chat_template.h"
#include "engine/tokenizer/sentencepiece_tokenizer.h"
#include "engine/tokenizer/tokenizer.h"
#include "tests/support/test_data.h"

namespace hace::tokenizer {
namespace {
namespace fs = std::filesystem;
using Ids = std::vector<TokenId>;

fs::path tokenizers_dir() {
    return test::shared_data() / "tokenizers";
}

TEST(ChatTemplate, RegistryAndUnknownIds) {
    std::vector<std::string> ids;
    for (const auto& t : chat_templates()) ids.push_back(t.id);
    EXPECT_EQ(ids, (std::vector<std::string>{"none", "llama2", "mistral", "chatml"}));
    EXPECT_EQ(chat_template("chatml").format, ChatFormat::chatml);
    try {
        chat_template("vicuna");
        ADD_FAILURE() << "no InputError";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("\"vicuna\""), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("none, llama2, mistral, chatml"), std::string::npos)
            << e.what();
    }
}

TEST(ChatTemplate, Renders) {
    const std::optional<std::string> none;
    const std::optional<std::string> sys = std::string("Be brief.");
    EXPECT_EQ(chat_template("none").render("Hi", none), "Hi");
    EXPECT_EQ(chat_template("none").render("Hi", sys), "Be brief.\n\nHi");
    EXPECT_EQ(chat_template("llama2").render("Hello", none), "[INST] Hello [/INST]");
    EXPECT_EQ(chat_template("llama2").render(" Hello\n", sys),
              "[INST] <<SYS>>\nBe brief.\n<</SYS>>\n\n Hello [/INST]");
    EXPECT_EQ(chat_template("mistral").render("Hello", none), "[INST] Hello [/INST]");
    EXPECT_EQ(chat_template("mistral").render("Hello", sys), "[INST] Be brief.\n\nHello [/INST]");
    EXPECT_EQ(chat_template("chatml").render("Hello", none),
              "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n"
              "<|im_start|>user\nHello<|im_end|>\n<|im_start|>assistant\n");
    EXPECT_EQ(chat_template("chatml").render("Hello", sys),
              "<|im_start|>system\nBe brief.<|im_end|>\n"
              "<|im_start|>user\nHello<|im_end|>\n<|im_start|>assistant\n");
    EXPECT_TRUE(chat_template("llama2").adds_bos_token);
    EXPECT_TRUE(chat_template("mistral").adds_bos_token);
    EXPECT_FALSE(chat_template("chatml").adds_bos_token);
    EXPECT_FALSE(chat_template("none").adds_bos_token);
    EXPECT_EQ(chat_template("chatml").stop_strings,
              (std::vector<std::string>{"<|im_end|>", "<|endoftext|>"}));
}

TEST(ChatTemplate, DefaultsByFamily) {
    EXPECT_EQ(default_chat_template_for("llama"), "llama2");
    EXPECT_EQ(default_chat_template_for("Mistral"), "mistral");
    EXPECT_EQ(default_chat_template_for("qwen2"), "chatml");
    EXPECT_EQ(default_chat_template_for("qwen3"), "chatml");
    EXPECT_EQ(default_chat_template_for("qwen"), "chatml");
    EXPECT_EQ(default_chat_template_for("opt"), "none");
    EXPECT_EQ(default_chat_template_for("something-else"), "none");
}

TEST(ChatTemplate, ChatMlMarkersBecomeQwenSpecialIds) {
    HACE_REQUIRE_PATH(tokenizers_dir() / "qwen3/tokenizer.json");
    const auto tok = load_tokenizer(tokenizers_dir() / "qwen3");
    const auto& t = chat_template("chatml");
    const std::string text = t.render("Hello", std::nullopt);
    const Ids ids = tok->encode(text, t.adds_bos_token);
    // <|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\nHello
    // <|im_end|>\n<|im_start|>assistant\n
    const Ids expected = {151644, 8948,   198, 2610, 525,  264,    10950, 17847,  13,    151645,
                          198,    151644, 872, 198,  9707, 151645, 198,   151644, 77091, 198};
    EXPECT_EQ(ids, expected);
    EXPECT_EQ(tok->decode(ids, false), text);
    for (const auto& stop : t.stop_strings) {
        const Ids stop_ids = tok->encode(stop, false);
        ASSERT_EQ(stop_ids.size(), 1u) << stop;
    }
}

TEST(ChatTemplate, Llama2InstructionWithSentencePieceBos) {
    const fs::path dir = tokenizers_dir() / "llama2";
    HACE_REQUIRE_PATH(dir / "tokenizer.model");
    std::string why;
    if (!sentencepiece_available(&why)) GTEST_SKIP() << why;
    const auto tok = load_tokenizer(dir);
    const auto& t = chat_template("llama2");
    const std::string text = t.render("Hello", std::nullopt);
    // Hugging Face's Llama-2 tokenizer on "<s>[INST] Hello [/INST]".
    EXPECT_EQ(tok->encode(text, t.adds_bos_token),
              (Ids{1, 518, 25580, 29962, 15043, 518, 29914, 25580, 29962}));
    const Ids with_system = tok->encode(t.render("Hello", std::string("Be brief.")), true);
    ASSERT_GE(with_system.size(), 4u);
    EXPECT_EQ(Ids(with_system.begin(), with_system.begin() + 4), (Ids{1, 518, 25580, 29962}));
    EXPECT_EQ(tok->decode(with_system, true), t.render("Hello", std::string("Be brief.")));
}

}  // namespace
}  // namespace hace::tokenizer
