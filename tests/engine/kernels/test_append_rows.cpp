// Tests for the in-place append (engine/kernels/append_rows.h): the CPU twin against a plain
// loop written here (rows land at offsets + lengths, lengths grow by one, nothing else moves,
// query-head granularity maps G segments to one source row, full segments are counted and left
// alone), and the CUDA kernel against the CPU twin bit for bit where a GPU exists.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <vector>

#include "engine/kernels/append_rows.h"

#ifdef HACE_HAVE_CUDA_KERNELS
#include "engine/kernels/append_rows_cuda.h"
#include "tests/engine/kernels/cuda_test_support.h"
#endif

namespace hace::kernels {
namespace {

struct Cache {
    std::int64_t segments = 0, per_kv = 1, d = 0;
    std::vector<std::int64_t> offsets, lengths, capacities, positions;
    std::vector<float> k, v, k_new, v_new;
};

// Segments of unequal capacity, partly filled; one is already full when `with_full`.
Cache make_cache(std::int64_t segments, std::int64_t per_kv, std::int64_t d, bool with_full,
                 std::uint32_t seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
    Cache c;
    c.segments = segments;
    c.per_kv = per_kv;
    c.d = d;
    std::int64_t row = 0;
    for (std::int64_t s = 0; s < segments; ++s) {
        const std::int64_t cap = 3 + (s * 5) % 11;
        c.offsets.push_back(row);
        c.capacities.push_back(cap);
        c.lengths.push_back(with_full && s == segments / 2 ? cap : (s * 7) % cap);
        row += cap;
    }
    c.positions.assign(static_cast<std::size_t>(row), -1);
    c.k.resize(static_cast<std::size_t>(row * d));
    c.v.resize(c.k.size());
    for (auto& x : c.k) x = dist(rng);
    for (auto& x : c.v) x = dist(rng);
    const std::int64_t sources = (segments + per_kv - 1) / per_kv;
    c.k_new.resize(static_cast<std::size_t>(sources * d));
    c.v_new.resize(c.k_new.size());
    for (auto& x : c.k_new) x = dist(rng);
    for (auto& x : c.v_new) x = dist(rng);
    return c;
}

AppendRowsArgs args_for(Cache& c, std::int64_t* n_full, std::int64_t position) {
    AppendRowsArgs a;
    a.k_new = c.k_new.data();
    a.v_new = c.v_new.data();
    a.segments = c.segments;
    a.segments_per_kv_head = c.per_kv;
    a.head_dim = c.d;
    a.offsets = c.offsets.data();
    a.lengths = c.lengths.data();
    a.capacities = c.capacities.data();
    a.n_full = n_full;
    a.k = c.k.data();
    a.v = c.v.data();
    a.positions = c.positions.data();
    a.position = position;
    return a;
}

// The plain loop the kernels must agree with.
Cache reference_append(Cache c, std::int64_t position, std::int64_t& full) {
    full = 0;
    for (std::int64_t s = 0; s < c.segments; ++s) {
        auto& len = c.lengths[static_cast<std::size_t>(s)];
        if (len >= c.capacities[static_cast<std::size_t>(s)]) {
            ++full;
            continue;
        }
        const std::int64_t row = c.offsets[static_cast<std::size_t>(s)] + len;
        for (std::int64_t i = 0; i < c.d; ++i) {
            c.k[static_cast<std::size_t>(row * c.d + i)] =
                c.k_new[static_cast<std::size_t>((s / c.per_kv) * c.d + i)];
            c.v[static_cast<std::size_t>(row * c.d + i)] =
                c.v_new[static_cast<std::size_t>((s / c.per_kv) * c.d + i)];
        }
        c.positions[static_cast<std::size_t>(row)] = position;
        ++len;
    }
    return c;
}

void expect_same(const Cache& got, const Cache& want) {
    EXPECT_EQ(got.lengths, want.lengths);
    EXPECT_EQ(got.positions, want.positions);
    EXPECT_EQ(got.k, want.k);
    EXPECT_EQ(got.v, want.v);
}

TEST(AppendRowsCpu, MatchesAPlainLoop) {
    for (std::int64_t per_kv : {1, 4}) {
        for (std::int64_t d : {16, 80, 128}) {
            Cache c = make_cache(9, per_kv, d, true, static_cast<std::uint32_t>(d + per_kv));
            std::int64_t want_full = -1, full = -1;
            const Cache want = reference_append(c, 4242, want_full);
            append_rows_cpu(args_for(c, &full, 4242));
            expect_same(c, want);
            EXPECT_EQ(full, 1);
            EXPECT_EQ(want_full, 1);
        }
    }
}

TEST(AppendRowsCpu, RepeatedAppendsFillASegmentThenCountIt) {
    Cache c = make_cache(1, 1, 16, false, 3);
    c.lengths[0] = 0;
    std::int64_t full = -1;
    for (std::int64_t t = 0; t < c.capacities[0]; ++t) {
        append_rows_cpu(args_for(c, &full, 100 + t));
        EXPECT_EQ(full, 0);
        EXPECT_EQ(c.lengths[0], t + 1);
        EXPECT_EQ(c.positions[static_cast<std::size_t>(t)], 100 + t);
    }
    const std::vector<float> before = c.k;
    append_rows_cpu(args_for(c, &full, 999));
    EXPECT_EQ(full, 1);
    EXPECT_EQ(c.lengths[0], c.capacities[0]);
    EXPECT_EQ(c.k, before);
}

TEST(AppendRowsCpu, CapacitiesAndPositionsAreOptional) {
    Cache c = make_cache(4, 2, 16, false, 5);
    std::int64_t full = 0;
    const Cache want = reference_append(c, 7, full);
    AppendRowsArgs a = args_for(c, nullptr, 7);
    a.capacities = nullptr;
    a.positions = nullptr;
    append_rows_cpu(a);
    EXPECT_EQ(c.lengths, want.lengths);
    EXPECT_EQ(c.k, want.k);
    EXPECT_EQ(c.v, want.v);
    EXPECT_EQ(c.positions, std::vector<std::int64_t>(c.positions.size(), -1));
}

TEST(AppendRowsCpu, RejectsBrokenContracts) {
    Cache c = make_cache(2, 1, 16, false, 6);
    AppendRowsArgs a = args_for(c, nullptr, 0);
    a.segments_per_kv_head = 0;
    EXPECT_THROW(append_rows_cpu(a), std::invalid_argument);
    a = args_for(c, nullptr, 0);
    a.k = nullptr;
    EXPECT_THROW(append_rows_cpu(a), std::invalid_argument);
}

#ifdef HACE_HAVE_CUDA_KERNELS

using test::DeviceBuffer;

TEST(AppendRowsCuda, MatchesCpuExactly) {
    SKIP_WITHOUT_GPU();
    for (std::int64_t per_kv : {1, 4}) {
        for (std::int64_t d : {16, 80, 128, 300}) {
            Cache host = make_cache(9, per_kv, d, true, static_cast<std::uint32_t>(d * 3 + per_kv));
            Cache want = host;
            std::int64_t want_full = -1;
            append_rows_cpu(args_for(want, &want_full, 31337));

            DeviceBuffer<float> k_new(host.k_new), v_new(host.v_new), k(host.k), v(host.v);
            DeviceBuffer<std::int64_t> offsets(host.offsets), lengths(host.lengths),
                capacities(host.capacities), positions(host.positions),
                n_full(std::vector<std::int64_t>(1, -1));
            AppendRowsArgs a = args_for(host, nullptr, 31337);
            a.k_new = k_new.get();
            a.v_new = v_new.get();
            a.offsets = offsets.get();
            a.lengths = lengths.get();
            a.capacities = capacities.get();
            a.n_full = n_full.get();
            a.k = k.get();
            a.v = v.get();
            a.positions = positions.get();
            append_rows_cuda(a, nullptr);
            TEST_CUDA_CHECK(cudaDeviceSynchronize());
            Cache got = host;
            got.lengths = lengths.to_host();
            got.positions = positions.to_host();
            got.k = k.to_host();
            got.v = v.to_host();
            expect_same(got, want);
            EXPECT_EQ(n_full.to_host()[0], want_full);
        }
    }
}

#endif  // HACE_HAVE_CUDA_KERNELS

}  // namespace
}  // namespace hace::kernels
