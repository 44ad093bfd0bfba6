// Window statistics and selection on hand-built attention patterns with known answers.
#include <cmath>

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include "engine/kv/window_stats.h"

namespace hace::kv {
namespace {

// One KV head, G query heads, head_dim 2. Keys are zero except key `hot`, which points along
// the query direction with a large norm, so every window query puts almost all its attention
// there:
//   positions: 0 1 2 3 4 5 6 7 8 9 ... n-1
//   keys     : 0 0 0 K 0 0 0 0 0 0 ... 0       (K = (20, 0))
//   queries  : (1, 0) everywhere
struct Pattern {
    at::Tensor q, k;
};

Pattern hot_key(std::int64_t n, std::int64_t hot, std::int64_t g = 2) {
    Pattern p;
    p.q = at::zeros({g, n, 2});
    p.q.select(2, 0).fill_(1.0);
    p.k = at::zeros({1, n, 2});
    p.k[0][hot][0] = 20.0;
    return p;
}

TEST(WindowStats, AKeyEveryWindowQueryAttendsToIsKeptWithItsPoolingNeighbours) {
    const auto p = hot_key(40, 3);
    for (auto sel : {sel_cake(), sel_snap()}) {
        const auto st = compute_window_stats(p.q, p.k, 1.0, sel, 4);
        ASSERT_EQ(st.scores.size(), 1u);
        ASSERT_EQ(st.scores[0].size(), 36u);  // P = n - w_keep
        // Pooling spreads the hot key's score over its kernel: kernel-many equal maxima.
        const auto kept = top_positions(st.scores[0], sel.pool);
        EXPECT_NE(std::find(kept.begin(), kept.end(), 3), kept.end()) << sel.name();
        const std::int64_t half = sel.pool / 2;
        EXPECT_EQ(kept.front(), std::max<std::int64_t>(0, 3 - half)) << sel.name();
    }
}

TEST(WindowStats, EntropyAndVarianceMatchAHandComputation) {
    // Uniform attention: all keys zero -> every visible key gets 1/(visible count).
    const std::int64_t n = 10, w = 4;
    SelectorConfig sel = sel_snap();
    sel.window = w;
    at::Tensor q = at::zeros({1, n, 2});
    at::Tensor k = at::zeros({1, n, 2});
    const auto st = compute_window_stats(q, k, 1.0, sel, 2);  // P = 8
    // Window query i (position 6 + i) sees 7 + i keys uniformly.
    double entropy = 0.0, variance = 0.0;
    for (std::int64_t j = 0; j < 8; ++j) {
        std::vector<double> col;
        for (std::int64_t i = 0; i < w; ++i) {
            const std::int64_t pos = n - w + i;
            const double a = j <= pos ? 1.0 / static_cast<double>(pos + 1) : 0.0;
            col.push_back(a);
            entropy -= a * std::log(a + 1e-10);
        }
        double mean = 0.0;
        for (double a : col) mean += a / w;
        double ss = 0.0;
        for (double a : col) ss += (a - mean) * (a - mean);
        variance += ss / (w - 1);
    }
    EXPECT_NEAR(st.entropy, entropy, 1e-5);
    EXPECT_NEAR(st.variance, variance, 1e-7);
}

TEST(WindowStats, GroupScoresAverageTheQueryHeads) {
    // Two query heads of one KV head: head 0 looks at key 2, head 1 at key 10.
    const std::int64_t n = 24;
    at::Tensor q = at::zeros({2, n, 2});
    q[0].select(1, 0).fill_(1.0);
    q[1].select(1, 1).fill_(1.0);
    at::Tensor k = at::zeros({1, n, 2});
    k[0][2][0] = 30.0;
    k[0][10][1] = 30.0;
    SelectorConfig sel = sel_snap();
    sel.pool = 1;  // no pooling: the raw group mean
    const auto st = compute_window_stats(q, k, 1.0, sel, 4);
    EXPECT_NEAR(st.scores[0][2], 0.5, 1e-3);
    EXPECT_NEAR(st.scores[0][10], 0.5, 1e-3);
    EXPECT_EQ(top_positions(st.scores[0], 2), (std::vector<std::int64_t>{2, 10}));
}

TEST(Pooling, AverageCountsPaddingAndMaxIgnoresIt) {
    const std::vector<float> row = {0, 0, 5, 0, 0, 0, 1};
    const auto avg = pool_scores(row, 5, false);
    EXPECT_FLOAT_EQ(avg[0], 1.0f);  // (0 + 0 + 5) / 5 with two zero pads
    EXPECT_FLOAT_EQ(avg[4], 1.2f);  // (5 + 0 + 0 + 0 + 1) / 5
    const auto mx = pool_scores(row, 3, true);
    EXPECT_FLOAT_EQ(mx[0], 0.0f);
    EXPECT_FLOAT_EQ(mx[6], 1.0f);
    EXPECT_FLOAT_EQ(mx[3], 5.0f);
}

TEST(TopPositions, TiesGoToTheSmallerPositionAndResultIsAscending) {
    const std::vector<float> s = {0.5f, 0.9f, 0.5f, 0.9f, 0.1f};
    EXPECT_EQ(top_positions(s, 3), (std::vector<std::int64_t>{0, 1, 3}));
    EXPECT_EQ(top_positions(s, 0), (std::vector<std::int64_t>{}));
    EXPECT_EQ(top_positions(s, 9).size(), 5u);
}

}  // namespace
}  // namespace hace::kv
