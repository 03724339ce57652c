/*
 * Does this CPU run 256-bit (AVX2) floating-point arithmetic at the same
 * instruction rate as 128-bit (the width of wasm `simd128` and SSE2)?
 *
 * If it does, a loop bound by floating-point throughput does twice the
 * work per instruction on four lanes as on two, so a wasm build of it
 * takes at least twice as long as the AVX2 build, however good its code:
 * BENCHMARKS.md (BOCD, tenth pass) uses this.
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

#define CHAINS(MUL, ADD)                                                                 \
    a0 = ADD(MUL(a0, m), c); a1 = ADD(MUL(a1, m), c); a2 = ADD(MUL(a2, m), c);          \
    a3 = ADD(MUL(a3, m), c); a4 = ADD(MUL(a4, m), c); a5 = ADD(MUL(a5, m), c);          \
    a6 = ADD(MUL(a6, m), c); a7 = ADD(MUL(a7, m), c); a8 = ADD(MUL(a8, m), c);          \
    a9 = ADD(MUL(a9, m), c); a10 = ADD(MUL(a10, m), c); a11 = ADD(MUL(a11, m), c);      \
    __asm__ volatile("" : "+x"(a0), "+x"(a1), "+x"(a2), "+x"(a3), "+x"(a4), "+x"(a5),   \
                     "+x"(a6), "+x"(a7), "+x"(a8), "+x"(a9), "+x"(a10), "+x"(a11))

/* One function per width: NAME runs the chains on TYPE vectors of LANES
 * doubles and returns a checksum, so that the work cannot be dropped. */
#define WIDTH(NAME, TARGET, TYPE, LANES, SET1, MUL, ADD, STORE)                                        \
    __attribute__((target(TARGET), noinline)) static double NAME(double x) {                          \
        TYPE m = SET1(1.0000001), c = SET1(1e-9);                                                     \
        TYPE a0 = SET1(x), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0, a8 = a0,    \
             a9 = a0, a10 = a0, a11 = a0;                                                             \
        for (long k = 0; k < ITERATIONS; k++) {                                                       \
            CHAINS(MUL, ADD);                                                                         \
        }                                                                                             \
        TYPE s = ADD(ADD(ADD(ADD(a0, a1), ADD(a2, a3)), ADD(ADD(a4, a5), ADD(a6, a7))),               \
                     ADD(ADD(a8, a9), ADD(a10, a11)));                                                \
        double t[LANES], sum = 0;                                                                     \
        STORE(t, s);                                                                                  \
        for (int i = 0; i < LANES; i++) sum += t[i];                                                  \
        return sum;                                                                                   \
    }

WIDTH(two_lanes, "avx", __m128d, 2, _mm_set1_pd, _mm_mul_pd, _mm_add_pd, _mm_storeu_pd)
WIDTH(four_lanes, "avx2", __m256d, 4, _mm256_set1_pd, _mm256_mul_pd, _mm256_add_pd, _mm256_storeu_pd)

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
