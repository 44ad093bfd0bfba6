// NIAH grids: context lengths and needle depths, computed as the reference scripts do with numpy.
#pragma once

#include <cstdint>
#include <vector>

namespace hace::tasks {

// np.round(np.linspace(start, stop, num)).astype(int): value i is start + i * ((stop - start) /
// (num - 1)) in double precision, the last one exactly stop, rounded half to even.
std::vector<std::int64_t> linspace_rounded(double start, double stop, int num);

// np.arange(start, stop + 1, step) for integers (the KVF/HKV --s_len/--e_len/--step grid).
std::vector<std::int64_t> arange_inclusive(std::int64_t start, std::int64_t stop,
                                           std::int64_t step);

// round(linspace(0, 100, 10)) = {0, 11, 22, 33, 44, 56, 67, 78, 89, 100} (ALGORITHMS.md 11.2).
std::vector<std::int64_t> pyramidkv_depths();

// The original NIAH defaults: lengths round(linspace(1000, 16000, 35)), depths
// round(linspace(0, 100, 35)) (ALGORITHMS.md 11.1).
std::vector<std::int64_t> original_niah_lengths();
std::vector<std::int64_t> original_niah_depths();

// HACE lengths (ALGORITHMS.md 11.3 [HACE choice]): {4K, 8K, 16K, 32K, 64K, 128K} with K = 1024,
// each clipped to max_positions - buffer (values above the limit become the limit; duplicates
// dropped), ascending.
std::vector<std::int64_t> hace_niah_lengths(std::int64_t max_positions, std::int64_t buffer = 200);

}  // namespace hace::tasks
