/* Read bandwidth of this machine: a 1 GiB float array summed by every OpenMP thread in
 * parallel (vectorised by the compiler: -O3 -march=native, reduction), best of N passes, bytes
 * read / time in GB/s (1e9). Part of scripts/bench-cpu.sh; prints one JSON object. */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char** argv) {
    const size_t bytes = (size_t)1 << 30;
    const size_t n = bytes / sizeof(float);
    const int passes = argc > 1 ? atoi(argv[1]) : 10;
    float* a = aligned_alloc(64, bytes);
    if (!a) return 1;
#pragma omp parallel for schedule(static)
    for (size_t i = 0; i < n; ++i) a[i] = (float)(i & 1023) * 1e-3f; /* first touch per thread */
    double best = 1e30, sink = 0.0;
    for (int p = 0; p < passes; ++p) {
        const double t0 = omp_get_wtime();
        float s = 0.0f;
#pragma omp parallel for schedule(static) reduction(+ : s)
        for (size_t i = 0; i < n; ++i) s += a[i];
        const double dt = omp_get_wtime() - t0;
        sink += s;
        if (dt < best) best = dt;
    }
    printf("{\"read_gbps\": %.3f, \"threads\": %d, \"passes\": %d, \"checksum\": %.1f}\n",
           (double)bytes / best / 1e9, omp_get_max_threads(), passes, sink);
    free(a);
    return 0;
}
