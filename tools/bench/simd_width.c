/*
 * Does this CPU run 256-bit (AVX2) floating-point arithmetic at the same
 * instruction rate as 128-bit (the width of wasm `simd128` and SSE2)?
 *
 * If it does, a loop bound by floating-point throughput does twice the
 * work per instruction on four lanes as on two, so a wasm build of it
 * cannot come within a factor of 2 of the AVX2 build however good its
 * code: BENCHMARKS.md (BOCD, tenth pass) uses this.
 *
 * Twelve independent chains of multiply-then-add per width, the same
 * instruction count for both; the empty asm keeps the chains in registers
 * and stops the compiler from merging iterations.
 *
 *   gcc -O2 -o /tmp/simd_width tools/bench/simd_width.c && /tmp/simd_width
 */
#include <immintrin.h>
#include <stdio.h>
#include <time.h>

#define ITERATIONS 300000000L
#define OPS_PER_ITERATION 24.0

static double seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

#define CHAINS(MUL, ADD)                                                        \
    a0 = ADD(MUL(a0, m), c); a1 = ADD(MUL(a1, m), c); a2 = ADD(MUL(a2, m), c); \
    a3 = ADD(MUL(a3, m), c); a4 = ADD(MUL(a4, m), c); a5 = ADD(MUL(a5, m), c); \
    a6 = ADD(MUL(a6, m), c); a7 = ADD(MUL(a7, m), c); a8 = ADD(MUL(a8, m), c); \
    a9 = ADD(MUL(a9, m), c); a10 = ADD(MUL(a10, m), c); a11 = ADD(MUL(a11, m), c); \
    __asm__ volatile("" : "+x"(a0), "+x"(a1), "+x"(a2), "+x"(a3), "+x"(a4),     \
                     "+x"(a5), "+x"(a6), "+x"(a7), "+x"(a8), "+x"(a9), "+x"(a10), "+x"(a11))

__attribute__((target("avx"), noinline)) static double two_lanes(double x) {
    __m128d m = _mm_set1_pd(1.0000001), c = _mm_set1_pd(1e-9);
    __m128d a0 = _mm_set1_pd(x), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;
    for (long k = 0; k < ITERATIONS; k++) {
        CHAINS(_mm_mul_pd, _mm_add_pd);
    }
    __m128d s = _mm_add_pd(_mm_add_pd(_mm_add_pd(a0, a1), _mm_add_pd(a2, a3)),
                           _mm_add_pd(_mm_add_pd(a4, a5), _mm_add_pd(_mm_add_pd(a6, a7), _mm_add_pd(_mm_add_pd(a8, a9), _mm_add_pd(a10, a11)))));
    double t[2];
    _mm_storeu_pd(t, s);
    return t[0] + t[1];
}

__attribute__((target("avx2"), noinline)) static double four_lanes(double x) {
    __m256d m = _mm256_set1_pd(1.0000001), c = _mm256_set1_pd(1e-9);
    __m256d a0 = _mm256_set1_pd(x), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;
    for (long k = 0; k < ITERATIONS; k++) {
        CHAINS(_mm256_mul_pd, _mm256_add_pd);
    }
    __m256d s = _mm256_add_pd(_mm256_add_pd(_mm256_add_pd(a0, a1), _mm256_add_pd(a2, a3)),
                              _mm256_add_pd(_mm256_add_pd(a4, a5), _mm256_add_pd(_mm256_add_pd(a6, a7), _mm256_add_pd(_mm256_add_pd(a8, a9), _mm256_add_pd(a10, a11)))));
    double t[4];
    _mm256_storeu_pd(t, s);
    return t[0] + t[1] + t[2] + t[3];
}

int main(void) {
    for (int round = 0; round < 3; round++) {
        double t0 = seconds();
        double s2 = two_lanes(1.0);
        double t1 = seconds();
        double s4 = four_lanes(1.0);
        double t2 = seconds();
        printf("128-bit: %.3f s, %.2f G instructions/s   256-bit: %.3f s, %.2f G instructions/s   (checksums %g, %g)\n",
               t1 - t0, OPS_PER_ITERATION * ITERATIONS / (t1 - t0) / 1e9, t2 - t1,
               OPS_PER_ITERATION * ITERATIONS / (t2 - t1) / 1e9, s2, s4);
    }
    return 0;
}
