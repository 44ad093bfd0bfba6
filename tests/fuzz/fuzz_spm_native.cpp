// The native sentencepiece path: tokenizer.model bytes through our own ModelProto reader and BPE
// encoder (no libsentencepiece), both directly and through SentencePieceTokenizer forced to the
// native backend, then exercised like the other tokenizers.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "engine/tokenizer/sentencepiece_tokenizer.h"
#include "engine/tokenizer/spm_bpe_encoder.h"
#include "engine/tokenizer/spm_model_proto.h"
#include "tests/fuzz/fuzz_support.h"
#include "tests/fuzz/tokenizer_exercise.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    ::setenv("HACE_SPM_BACKEND", "native", 1);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace hace;
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    fuzz::expect_clean([&] {
        const auto model = tokenizer::spm::parse_model_proto(bytes, "fuzz.model");
        if (tokenizer::spm::native_unsupported_reason(model)) return;
        const tokenizer::spm::BpeEncoder encoder(model, "fuzz.model");
        for (const std::string_view text :
             {std::string_view("  Once upon\ta time \xE2\x96\x81 "), bytes.substr(0, 64)}) {
            (void)encoder.normalize(text);
            for (const std::int32_t id : encoder.encode(text)) {
                if (id < 0 || static_cast<std::size_t>(id) >= model.pieces.size()) std::abort();
            }
        }
    });
    const auto path = fuzz::write_scratch("tokenizer.model", bytes);
    fuzz::expect_clean([&] {
        const tokenizer::SentencePieceTokenizer tok(path);
        if (tok.backend() != tokenizer::SpmBackend::native) std::abort();
        fuzz::exercise_tokenizer(tok);
    });
    return 0;
}
