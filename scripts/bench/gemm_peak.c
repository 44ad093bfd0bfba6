/* fp32 GEMM throughput of square products C = A B (n = 1024, 2048, 4096), best of a few runs:
 * through the BLAS LibTorch calls (sgemm_ of libblas.so.3, i.e. OpenBLAS with whatever
 * OPENBLAS_CORETYPE the environment holds) or, with argument "dnnl", through oneDNN's
 * dnnl_sgemm (libdnnl.so.2, which LibTorch links). Prints one JSON object. Part of
 * scripts/bench-cpu.sh. Usage: gemm_peak blas|dnnl [largest n, default 4096]. */
#include <dlfcn.h>
#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef void (*sgemm_fn)(const char*, const char*, const int*, const int*, const int*,
                         const float*, const float*, const int*, const float*, const int*,
                         const float*, float*, const int*);
typedef int (*dnnl_sgemm_fn)(char, char, int64_t, int64_t, int64_t, float, const float*, int64_t,
                             const float*, int64_t, float, float*, int64_t);

int main(int argc, char** argv) {
    const int use_dnnl = argc > 1 && strcmp(argv[1], "dnnl") == 0;
    void* lib = dlopen(use_dnnl ? "libdnnl.so.2" : "libblas.so.3", RTLD_NOW | RTLD_GLOBAL);
    if (!lib) {
        printf("{\"error\": \"%s\"}\n", dlerror());
        return 0;
    }
    sgemm_fn blas = (sgemm_fn)dlsym(lib, "sgemm_");
    dnnl_sgemm_fn dnnl = (dnnl_sgemm_fn)dlsym(lib, "dnnl_sgemm");
    const char* (*corename)(void) = (const char* (*)(void))dlsym(RTLD_DEFAULT, "openblas_get_corename");
    const int sizes[] = {1024, 2048, 4096};
    const int max_n = argc > 2 ? atoi(argv[2]) : 4096;
    double best_all = 0.0;
    printf("{\"gemm\": \"%s\", \"core\": \"%s\", \"threads\": %d, \"gflops\": {",
           use_dnnl ? "oneDNN dnnl_sgemm" : "libblas.so.3 sgemm_", corename ? corename() : "",
           omp_get_max_threads());
    for (int s = 0; s < 3 && sizes[s] <= max_n; ++s) {
        const int n = sizes[s];
        const size_t nn = (size_t)n * n;
        float* a = malloc(nn * sizeof(float));
        float* b = malloc(nn * sizeof(float));
        float* c = malloc(nn * sizeof(float));
        for (size_t i = 0; i < nn; ++i) {
            a[i] = (float)((i * 7) % 13) * 0.01f;
            b[i] = (float)((i * 5) % 11) * 0.01f;
        }
        const float one = 1.0f, zero = 0.0f;
        const int reps = n <= 1024 ? 5 : (n <= 2048 ? 3 : 2);
        double best = 1e30;
        for (int r = 0; r <= reps; ++r) { /* r = 0: warm-up */
            const double t0 = omp_get_wtime();
            if (use_dnnl) {
                dnnl('N', 'N', n, n, n, 1.0f, a, n, b, n, 0.0f, c, n);
            } else {
                blas("N", "N", &n, &n, &n, &one, a, &n, b, &n, &zero, c, &n);
            }
            const double dt = omp_get_wtime() - t0;
            if (r > 0 && dt < best) best = dt;
        }
        const double gf = 2.0 * n * (double)n * n / best / 1e9;
        if (gf > best_all) best_all = gf;
        printf("%s\"%d\": %.2f", s ? ", " : "", n, gf);
        free(a);
        free(b);
        free(c);
    }
    printf("}, \"best_gflops\": %.2f}\n", best_all);
    return 0;
}
