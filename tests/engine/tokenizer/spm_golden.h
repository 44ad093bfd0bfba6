// The check both SentencePiece test files make against a reference-encodings file
// (../shared/data/tokenizers/*/encodings.json): vocabulary size, special ids, and for each of the
// 35 cases the ids with and without BOS, the pieces and the decoded text.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "engine/tokenizer/tokenizer.h"

namespace hace::test {

// `also` (optional) runs once per case with its ids and decoded text, for checks of its own.
inline void expect_matches_spm_golden(
    const tokenizer::Tokenizer& tok, const nlohmann::json& golden,
    const std::function<void(const std::vector<tokenizer::TokenId>&, const std::string&)>& also =
        {}) {
    using Ids = std::vector<tokenizer::TokenId>;
    EXPECT_EQ(tok.vocab_size(), golden.at("vocab_size").get<int>());
    const auto& s = golden.at("special_ids");
    EXPECT_EQ(tok.special_ids().unk, s.at("unk").get<int>());
    EXPECT_EQ(tok.special_ids().bos, s.at("bos").get<int>());
    EXPECT_EQ(tok.special_ids().eos, s.at("eos").get<int>());
    EXPECT_EQ(tok.special_ids().pad, s.at("pad").get<int>());
    const auto& cases = golden.at("cases");
    ASSERT_EQ(cases.size(), 35u);
    for (const auto& c : cases) {
        const auto text = c.at("text").get<std::string>();
        SCOPED_TRACE("text: " + text);
        const auto ids = c.at("ids").get<Ids>();
        EXPECT_EQ(tok.encode(text, false), ids);
        Ids with_bos = {1};
        with_bos.insert(with_bos.end(), ids.begin(), ids.end());
        EXPECT_EQ(tok.encode(text, true), with_bos);
        const auto pieces = c.at("pieces").get<std::vector<std::string>>();
        ASSERT_EQ(pieces.size(), ids.size());
        for (std::size_t i = 0; i < ids.size(); ++i) EXPECT_EQ(tok.piece(ids[i]), pieces[i]);
        const auto decoded = c.at("decoded").get<std::string>();
        EXPECT_EQ(tok.decode(ids, true), decoded);
        if (also) also(ids, decoded);
    }
}

}  // namespace hace::test
