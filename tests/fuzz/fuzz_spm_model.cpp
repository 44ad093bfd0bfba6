// The sentencepiece load path: a tokenizer.model through SentencePieceTokenizer and the module's
// C entry points (spm_module.cpp, linked into this executable: see HACE_SPM_LINKED), then
// exercised like the other tokenizers.
#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "engine/tokenizer/sentencepiece_tokenizer.h"
#include "tests/fuzz/fuzz_support.h"
#include "tests/fuzz/tokenizer_exercise.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace hace;
    const auto path = fuzz::write_scratch(
        "tokenizer.model", std::string_view(reinterpret_cast<const char*>(data), size));
    fuzz::expect_clean([&] {
        const tokenizer::SentencePieceTokenizer tok(path);
        fuzz::exercise_tokenizer(tok);
        for (tokenizer::TokenId id = 0; id < std::min(tok.vocab_size(), 50); ++id) {
            (void)tok.piece_kind(id);
            (void)tok.reference_decode({id});
        }
    });
    return 0;
}
