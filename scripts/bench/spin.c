/* A busy neighbour for scripts/bench-cpu.sh: N threads spinning on arithmetic (no memory
 * traffic) for the given seconds, like a compiler on every core. */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char** argv) {
    const double seconds = argc > 1 ? atof(argv[1]) : 60.0;
    double sink = 0.0;
#pragma omp parallel reduction(+ : sink)
    {
        const double end = omp_get_wtime() + seconds;
        double x = 1.0;
        while (omp_get_wtime() < end) {
            for (int i = 0; i < 100000; ++i) x = x * 1.0000001 + 1e-9;
        }
        sink += x;
    }
    return sink == 0.0;
}
