// A decode step on the fast path allocates nothing: this binary interposes the C allocator
// (every operator new, ATen buffer and TensorImpl ends in malloc or posix_memalign) and counts
// the calls made while a session decodes into a reused logits buffer. The counting is off under
// sanitizers, which own the allocator.
#include <gtest/gtest.h>

#include <atomic>
#include <cerrno>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <vector>

#include "engine/model/model.h"
#include "tests/support/test_data.h"

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define HACE_COUNT_ALLOCATIONS 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || \
    __has_feature(memory_sanitizer)
#define HACE_COUNT_ALLOCATIONS 0
#endif
#endif
#ifndef HACE_COUNT_ALLOCATIONS
#define HACE_COUNT_ALLOCATIONS 1
#endif

namespace {
std::atomic<bool> g_counting{false};
std::atomic<long> g_allocations{0};
void count() {
    if (g_counting.load(std::memory_order_relaxed)) g_allocations.fetch_add(1);
}
}  // namespace

#if HACE_COUNT_ALLOCATIONS
extern "C" {
void* __libc_malloc(std::size_t);
void* __libc_calloc(std::size_t, std::size_t);
void* __libc_realloc(void*, std::size_t);
void* __libc_memalign(std::size_t, std::size_t);
void __libc_free(void*);

void* malloc(std::size_t n) {
    count();
    return __libc_malloc(n);
}
void* calloc(std::size_t a, std::size_t b) {
    count();
    return __libc_calloc(a, b);
}
void* realloc(void* p, std::size_t n) {
    count();
    return __libc_realloc(p, n);
}
void free(void* p) {
    __libc_free(p);
}
int posix_memalign(void** out, std::size_t align, std::size_t n) {
    count();
    *out = __libc_memalign(align, n);
    return *out ? 0 : ENOMEM;
}
void* aligned_alloc(std::size_t align, std::size_t n) {
    count();
    return __libc_memalign(align, n);
}
void* memalign(std::size_t align, std::size_t n) {
    count();
    return __libc_memalign(align, n);
}
}
#endif

namespace hace::model {
namespace {

long allocations_during(const std::function<void()>& f) {
    g_allocations.store(0);
    g_counting.store(true);
    f();
    g_counting.store(false);
    return g_allocations.load();
}

TEST(DecodeAllocations, TheInterpositionCountsAllocations) {
    if (!HACE_COUNT_ALLOCATIONS) GTEST_SKIP() << "sanitizer build";
    // The counter itself must see an ordinary allocation, or a zero below would mean nothing.
    std::vector<int> v;
    EXPECT_GE(allocations_during([&] { v.resize(100); }), 1);
    EXPECT_EQ(v.size(), 100u);
}

void expect_allocation_free_decode(const LoadOptions& opts) {
    const auto dir = test::shared_data() / "models/stories260K";
    if (!std::filesystem::exists(dir)) GTEST_SKIP() << "missing data: " << dir;
    if (!HACE_COUNT_ALLOCATIONS) GTEST_SKIP() << "sanitizer build";
    const auto model = load_model(dir, opts);
    auto session = model->new_session(64);
    const std::vector<TokenId> prompt = {1, 403, 407, 261, 378};
    std::vector<float> logits = session->prefill(prompt);
    TokenId next = 1;
    for (int i = 0; i < 2; ++i) session->decode_step_into(next, logits);  // scratch grows here
    const long n = allocations_during([&] {
        for (int i = 0; i < 16; ++i) {
            session->decode_step_into(next, logits);
            next = static_cast<TokenId>(3 + (next * 7) % 500);
        }
    });
    EXPECT_EQ(n, 0) << "allocations in 16 decode steps";
    EXPECT_EQ(session->position(), static_cast<std::int64_t>(prompt.size()) + 18);
}

TEST(DecodeAllocations, F32DecodeStepsAllocateNothing) {
    expect_allocation_free_decode({});
}

TEST(DecodeAllocations, Bf16DecodeStepsAllocateNothing) {
    LoadOptions o;
    o.dtype = DType::BF16;
    expect_allocation_free_decode(o);
}

}  // namespace
}  // namespace hace::model
