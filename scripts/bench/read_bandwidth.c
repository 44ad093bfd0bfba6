/* Read bandwidth of this machine: a 1 GiB float array summed by every OpenMP thread in
 * parallel, best of N passes, bytes read / time in GB/s (1e9). Part of scripts/bench-cpu.sh;
 * prints one JSON object. Usage: read_bandwidth [PASSES] [huge]. With "huge" the array is
 * advised MADV_HUGEPAGE (2 MiB pages where transparent huge pages are not "never"): the
 * bandwidth the machine offers at its best, beside what ordinary allocations get. The sum must be vectorised with several independent accumulators:
 * a plain float reduction is one dependent add per element (IEEE order), latency-bound at a
 * fraction of the memory bandwidth (it reported 8.5 GB/s on a machine whose decode reads 21). */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

int main(int argc, char** argv) {
    const size_t bytes = (size_t)1 << 30;
    const size_t n = bytes / sizeof(float);
    const int passes = argc > 1 ? atoi(argv[1]) : 10;
    const int huge = argc > 2 && strcmp(argv[2], "huge") == 0;
    float* a = aligned_alloc((size_t)2 << 20, bytes);
    if (!a) return 1;
    if (huge) madvise(a, bytes, MADV_HUGEPAGE);
#pragma omp parallel for schedule(static)
    for (size_t i = 0; i < n; ++i) a[i] = (float)(i & 1023) * 1e-3f; /* first touch per thread */
    double best = 1e30, sink = 0.0;
    for (int p = 0; p < passes; ++p) {
        const double t0 = omp_get_wtime();
        float s = 0.0f;
#pragma omp parallel reduction(+ : s)
        {
            /* 8 x 16 lanes of independent partial sums: the adds never wait on each other. */
            float acc[8][16] = {{0}};
#pragma omp for schedule(static)
            for (size_t i = 0; i < n; i += 128) {
                for (int k = 0; k < 8; ++k) {
#pragma omp simd
                    for (int l = 0; l < 16; ++l) acc[k][l] += a[i + 16 * k + l];
                }
            }
            for (int k = 0; k < 8; ++k)
                for (int l = 0; l < 16; ++l) s += acc[k][l];
        }
        const double dt = omp_get_wtime() - t0;
        sink += s;
        if (dt < best) best = dt;
    }
    printf("{\"read_gbps\": %.3f, \"threads\": %d, \"passes\": %d, \"huge_pages_advised\": %s, "
           "\"checksum\": %.1f}\n",
           (double)bytes / best / 1e9, omp_get_max_threads(), passes, huge ? "true" : "false", sink);
    free(a);
    return 0;
}
