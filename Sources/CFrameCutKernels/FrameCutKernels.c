#include "FrameCutKernels.h"
#include <math.h>
#include <string.h>
#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>
#endif

// Products and sums stay separate operations in every variant (see the header).
#pragma clang fp contract(off)

static int detected_level(void) {
#if defined(__x86_64__)
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    int osxsave = (c >> 27) & 1, avx = (c >> 28) & 1, fma = (c >> 12) & 1;
    if (!osxsave || !avx || !fma) return 0;
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    (void)hi;
    if ((lo & 0x6) != 0x6) return 0;  // SSE and AVX state saved by the OS
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return 0;
    int avx2 = (b >> 5) & 1, avx512f = (b >> 16) & 1, avx512dq = (b >> 17) & 1;
    if (!avx2) return 0;
    if (avx512f && avx512dq && (lo & 0xE6) == 0xE6) return 3;  // opmask and ZMM state too
    return 2;
#else
    return 0;
#endif
}

static int level_detected = -1;
static int level_cap = 3;

int framecut_kernels_level(void) {
    if (level_detected < 0) level_detected = detected_level();
    return level_detected < level_cap ? level_detected : level_cap;
}

int framecut_kernels_limit(int level) {
    level_cap = level;
    return framecut_kernels_level();
}

const char *framecut_kernels_name(void) {
    switch (framecut_kernels_level()) {
    case 3: return "avx512";
    case 2: return "avx2";
    default: return "portable";
    }
}

// ---- the logit cost transform ----

static inline double fast_log(double x) {
    uint64_t bits;
    memcpy(&bits, &x, 8);
    uint64_t biasedBits = (bits >> 52) | 0x4330000000000000ULL;
    double biased;
    memcpy(&biased, &biasedBits, 8);
    biased = biased - 4503599627370496.0;
    uint64_t mantissa = (bits & 0x000FFFFFFFFFFFFFULL) | 0x3FF0000000000000ULL;
    double m;
    memcpy(&m, &mantissa, 8);
    int big = m > 1.4142135623730951;
    m = big ? m * 0.5 : m;
    double e = biased - 1023 + (big ? 1.0 : 0.0);
    double z = (m - 1) / (m + 1);
    double z2 = z * z;
    double poly = 2.0 / 17;
    poly = poly * z2 + 2.0 / 15;
    poly = poly * z2 + 2.0 / 13;
    poly = poly * z2 + 2.0 / 11;
    poly = poly * z2 + 2.0 / 9;
    poly = poly * z2 + 2.0 / 7;
    poly = poly * z2 + 2.0 / 5;
    poly = poly * z2 + 2.0 / 3;
    poly = poly * z2 + 2.0;
    return e * 0.6931471805599453 + z * poly;
}

static inline float logit_one(float s, double lowest, double scale, double offset, double eps) {
    double p = ((double)s - lowest) * scale;
    p = scale > 0 ? p : 0.5;
    // Swift.max(p, eps) and Swift.min(_, 1 - eps), as the Swift code wrote them.
    p = eps >= p ? eps : p;
    double upper = 1 - eps;
    p = upper < p ? upper : p;
    return (float)(fast_log(p / (1 - p)) + offset);
}

static void logit_portable(float *v, long count, double lowest, double scale, double offset, double eps) {
    for (long j = 0; j < count; j++) v[j] = logit_one(v[j], lowest, scale, offset, eps);
}

#if defined(__x86_64__)
__attribute__((target("avx512f,avx512dq")))
static void logit_avx512(float *v, long count, double lowest, double scale, double offset, double eps) {
    long j = 0;
    if (scale > 0) {
        const __m512d lo = _mm512_set1_pd(lowest), sc = _mm512_set1_pd(scale), off = _mm512_set1_pd(offset);
        const __m512d e0 = _mm512_set1_pd(eps), e1 = _mm512_set1_pd(1 - eps), one = _mm512_set1_pd(1.0);
        const __m512i magic = _mm512_set1_epi64(0x4330000000000000LL), mantMask = _mm512_set1_epi64(0x000FFFFFFFFFFFFFLL),
                      oneBits = _mm512_set1_epi64(0x3FF0000000000000LL);
        const __m512d two52 = _mm512_set1_pd(4503599627370496.0), sqrt2 = _mm512_set1_pd(1.4142135623730951);
        const __m512d half = _mm512_set1_pd(0.5), bias = _mm512_set1_pd(1023.0), ln2 = _mm512_set1_pd(0.6931471805599453);
        const __m512d zero = _mm512_setzero_pd();
        for (; j + 8 <= count; j += 8) {
            __m512d p = _mm512_mul_pd(_mm512_sub_pd(_mm512_cvtps_pd(_mm256_loadu_ps(v + j)), lo), sc);
            // eps >= p ? eps : p, then upper < p ? upper : p (no NaN can occur here).
            p = _mm512_mask_mov_pd(p, _mm512_cmp_pd_mask(e0, p, _CMP_GE_OQ), e0);
            p = _mm512_mask_mov_pd(p, _mm512_cmp_pd_mask(e1, p, _CMP_LT_OQ), e1);
            __m512d x = _mm512_div_pd(p, _mm512_sub_pd(one, p));
            __m512i bits = _mm512_castpd_si512(x);
            __m512d biased = _mm512_sub_pd(_mm512_castsi512_pd(_mm512_or_si512(_mm512_srli_epi64(bits, 52), magic)), two52);
            __m512d m = _mm512_castsi512_pd(_mm512_or_si512(_mm512_and_si512(bits, mantMask), oneBits));
            __mmask8 big = _mm512_cmp_pd_mask(m, sqrt2, _CMP_GT_OQ);
            m = _mm512_mask_mul_pd(m, big, m, half);
            __m512d e = _mm512_add_pd(_mm512_sub_pd(biased, bias), _mm512_mask_mov_pd(zero, big, one));
            __m512d z = _mm512_div_pd(_mm512_sub_pd(m, one), _mm512_add_pd(m, one));
            __m512d z2 = _mm512_mul_pd(z, z);
            __m512d poly = _mm512_set1_pd(2.0 / 17);
            poly = _mm512_add_pd(_mm512_mul_pd(poly, z2), _mm512_set1_pd(2.0 / 15));
            poly = _mm512_add_pd(_mm512_mul_pd(poly, z2), _mm512_set1_pd(2.0 / 13));
            poly = _mm512_add_pd(_mm512_mul_pd(poly, z2), _mm512_set1_pd(2.0 / 11));
            poly = _mm512_add_pd(_mm512_mul_pd(poly, z2), _mm512_set1_pd(2.0 / 9));
            poly = _mm512_add_pd(_mm512_mul_pd(poly, z2), _mm512_set1_pd(2.0 / 7));
            poly = _mm512_add_pd(_mm512_mul_pd(poly, z2), _mm512_set1_pd(2.0 / 5));
            poly = _mm512_add_pd(_mm512_mul_pd(poly, z2), _mm512_set1_pd(2.0 / 3));
            poly = _mm512_add_pd(_mm512_mul_pd(poly, z2), _mm512_set1_pd(2.0));
            __m512d r = _mm512_add_pd(_mm512_mul_pd(e, ln2), _mm512_mul_pd(z, poly));
            r = _mm512_add_pd(r, off);
            _mm256_storeu_ps(v + j, _mm512_cvtpd_ps(r));
        }
    }
    for (; j < count; j++) v[j] = logit_one(v[j], lowest, scale, offset, eps);
}

__attribute__((target("avx2,fma")))
static void logit_avx2(float *v, long count, double lowest, double scale, double offset, double eps) {
    long j = 0;
    if (scale > 0) {
        const __m256d lo = _mm256_set1_pd(lowest), sc = _mm256_set1_pd(scale), off = _mm256_set1_pd(offset);
        const __m256d e0 = _mm256_set1_pd(eps), e1 = _mm256_set1_pd(1 - eps), one = _mm256_set1_pd(1.0);
        const __m256i magic = _mm256_set1_epi64x(0x4330000000000000LL), mantMask = _mm256_set1_epi64x(0x000FFFFFFFFFFFFFLL),
                      oneBits = _mm256_set1_epi64x(0x3FF0000000000000LL);
        const __m256d two52 = _mm256_set1_pd(4503599627370496.0), sqrt2 = _mm256_set1_pd(1.4142135623730951);
        const __m256d half = _mm256_set1_pd(0.5), bias = _mm256_set1_pd(1023.0), ln2 = _mm256_set1_pd(0.6931471805599453);
        for (; j + 4 <= count; j += 4) {
            __m256d p = _mm256_mul_pd(_mm256_sub_pd(_mm256_cvtps_pd(_mm_loadu_ps(v + j)), lo), sc);
            p = _mm256_blendv_pd(p, e0, _mm256_cmp_pd(e0, p, _CMP_GE_OQ));
            p = _mm256_blendv_pd(p, e1, _mm256_cmp_pd(e1, p, _CMP_LT_OQ));
            __m256d x = _mm256_div_pd(p, _mm256_sub_pd(one, p));
            __m256i bits = _mm256_castpd_si256(x);
            __m256d biased = _mm256_sub_pd(_mm256_castsi256_pd(_mm256_or_si256(_mm256_srli_epi64(bits, 52), magic)), two52);
            __m256d m = _mm256_castsi256_pd(_mm256_or_si256(_mm256_and_si256(bits, mantMask), oneBits));
            __m256d big = _mm256_cmp_pd(m, sqrt2, _CMP_GT_OQ);
            m = _mm256_blendv_pd(m, _mm256_mul_pd(m, half), big);
            __m256d e = _mm256_add_pd(_mm256_sub_pd(biased, bias), _mm256_and_pd(big, one));
            __m256d z = _mm256_div_pd(_mm256_sub_pd(m, one), _mm256_add_pd(m, one));
            __m256d z2 = _mm256_mul_pd(z, z);
            __m256d poly = _mm256_set1_pd(2.0 / 17);
            poly = _mm256_add_pd(_mm256_mul_pd(poly, z2), _mm256_set1_pd(2.0 / 15));
            poly = _mm256_add_pd(_mm256_mul_pd(poly, z2), _mm256_set1_pd(2.0 / 13));
            poly = _mm256_add_pd(_mm256_mul_pd(poly, z2), _mm256_set1_pd(2.0 / 11));
            poly = _mm256_add_pd(_mm256_mul_pd(poly, z2), _mm256_set1_pd(2.0 / 9));
            poly = _mm256_add_pd(_mm256_mul_pd(poly, z2), _mm256_set1_pd(2.0 / 7));
            poly = _mm256_add_pd(_mm256_mul_pd(poly, z2), _mm256_set1_pd(2.0 / 5));
            poly = _mm256_add_pd(_mm256_mul_pd(poly, z2), _mm256_set1_pd(2.0 / 3));
            poly = _mm256_add_pd(_mm256_mul_pd(poly, z2), _mm256_set1_pd(2.0));
            __m256d r = _mm256_add_pd(_mm256_mul_pd(e, ln2), _mm256_mul_pd(z, poly));
            r = _mm256_add_pd(r, off);
            _mm_storeu_ps(v + j, _mm256_cvtpd_ps(r));
        }
    }
    for (; j < count; j++) v[j] = logit_one(v[j], lowest, scale, offset, eps);
}
#endif

void framecut_logit_costs(float *values, long count, double lowest, double scale, double offset, double eps) {
#if defined(__x86_64__)
    switch (framecut_kernels_level()) {
    case 3: logit_avx512(values, count, lowest, scale, offset, eps); return;
    case 2: logit_avx2(values, count, lowest, scale, offset, eps); return;
    default: break;
    }
#endif
    logit_portable(values, count, lowest, scale, offset, eps);
}

// ---- the Kernighan-Lin gain update ----

static long largest_first(const double *values, long count, double *best) {
    double top = -INFINITY;
    for (long i = 0; i < count; i++) top = values[i] > top ? values[i] : top;
    *best = top;
    if (!(top > -INFINITY)) return -1;
    for (long i = 0; i < count; i++) if (values[i] == top) return i;
    return -1;
}

static long update_portable(double *gains, const double *sides, const int32_t *columns, const float *row,
                            double twice, long count, double *best) {
    for (long i = 0; i < count; i++) gains[i] = gains[i] + (twice * sides[i]) * (double)row[columns[i]];
    return largest_first(gains, count, best);
}

#if defined(__x86_64__)
__attribute__((target("avx512f,avx512dq")))
static long update_avx512(double *gains, const double *sides, const int32_t *columns, const float *row,
                          double twice, long count, double *best) {
    const __m512d t = _mm512_set1_pd(twice);
    __m512d top = _mm512_set1_pd(-INFINITY);
    long i = 0;
    for (; i + 8 <= count; i += 8) {
        __m256i idx = _mm256_loadu_si256((const __m256i *)(columns + i));
        __m512d w = _mm512_cvtps_pd(_mm256_i32gather_ps(row, idx, 4));
        __m512d g = _mm512_add_pd(_mm512_loadu_pd(gains + i), _mm512_mul_pd(_mm512_mul_pd(t, _mm512_loadu_pd(sides + i)), w));
        _mm512_storeu_pd(gains + i, g);
        top = _mm512_max_pd(top, g);
    }
    double best0 = _mm512_reduce_max_pd(top);
    for (; i < count; i++) {
        double g = gains[i] + (twice * sides[i]) * (double)row[columns[i]];
        gains[i] = g;
        best0 = g > best0 ? g : best0;
    }
    *best = best0;
    if (!(best0 > -INFINITY)) return -1;
    const __m512d b = _mm512_set1_pd(best0);
    long k = 0;
    for (; k + 8 <= count; k += 8) {
        __mmask8 hit = _mm512_cmp_pd_mask(_mm512_loadu_pd(gains + k), b, _CMP_EQ_OQ);
        if (hit) return k + __builtin_ctz(hit);
    }
    for (; k < count; k++) if (gains[k] == best0) return k;
    return -1;
}

__attribute__((target("avx2,fma")))
static long update_avx2(double *gains, const double *sides, const int32_t *columns, const float *row,
                        double twice, long count, double *best) {
    const __m256d t = _mm256_set1_pd(twice);
    __m256d top = _mm256_set1_pd(-INFINITY);
    long i = 0;
    for (; i + 4 <= count; i += 4) {
        __m128i idx = _mm_loadu_si128((const __m128i *)(columns + i));
        __m256d w = _mm256_cvtps_pd(_mm_i32gather_ps(row, idx, 4));
        __m256d g = _mm256_add_pd(_mm256_loadu_pd(gains + i), _mm256_mul_pd(_mm256_mul_pd(t, _mm256_loadu_pd(sides + i)), w));
        _mm256_storeu_pd(gains + i, g);
        top = _mm256_max_pd(top, g);
    }
    double lanes[4];
    _mm256_storeu_pd(lanes, top);
    double best0 = lanes[0];
    for (int l = 1; l < 4; l++) best0 = lanes[l] > best0 ? lanes[l] : best0;
    for (; i < count; i++) {
        double g = gains[i] + (twice * sides[i]) * (double)row[columns[i]];
        gains[i] = g;
        best0 = g > best0 ? g : best0;
    }
    *best = best0;
    if (!(best0 > -INFINITY)) return -1;
    for (long k = 0; k < count; k++) if (gains[k] == best0) return k;
    return -1;
}
#endif

long framecut_kl_update_gains(double *gains, const double *sides, const int32_t *columns, const float *row,
                              double twice, long count, double *best) {
#if defined(__x86_64__)
    switch (framecut_kernels_level()) {
    case 3: return update_avx512(gains, sides, columns, row, twice, count, best);
    case 2: return update_avx2(gains, sides, columns, row, twice, count, best);
    default: break;
    }
#endif
    return update_portable(gains, sides, columns, row, twice, count, best);
}

// ---- two threads on one Kernighan-Lin move sequence ----

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>

struct framecut_kl_team {
    pthread_t thread;
    _Atomic long posted;    // last job the caller posted
    _Atomic long finished;  // last job the helper finished
    _Atomic int quit;
    long jobs;              // caller's job counter
    int alone;              // set once the helper was too slow to answer: the caller works alone
    // The posted job (written before `posted` is released, read after it is acquired).
    double *gains;
    const double *sides;
    const int32_t *columns;
    const float *row;
    double twice;
    long count;
    // The helper's answer (written before `finished` is released).
    long position;
    double best;
};

enum { team_spin_limit = 1 << 14 };

static inline void team_pause(unsigned *spins) {
    // Spin while the partner is about to answer (a step takes microseconds); yield the core
    // after a while, so that a partner that lost its core (a loaded machine) can run.
    if (++*spins < team_spin_limit) {
#if defined(__x86_64__)
        _mm_pause();
#endif
    } else {
        sched_yield();
    }
}

static void *team_helper(void *argument) {
    struct framecut_kl_team *team = argument;
    long seen = 0;
    for (;;) {
        unsigned spins = 0;
        long job;
        while ((job = atomic_load_explicit(&team->posted, memory_order_acquire)) == seen) {
            if (atomic_load_explicit(&team->quit, memory_order_acquire)) return NULL;
            team_pause(&spins);
        }
        seen = job;
        double best;
        team->position = framecut_kl_update_gains(team->gains, team->sides, team->columns, team->row,
                                                  team->twice, team->count, &best);
        team->best = best;
        atomic_store_explicit(&team->finished, job, memory_order_release);
    }
}

framecut_kl_team *framecut_kl_team_start(void) {
    struct framecut_kl_team *team = calloc(1, sizeof *team);
    if (!team) return NULL;
    atomic_init(&team->posted, 0);
    atomic_init(&team->finished, 0);
    atomic_init(&team->quit, 0);
    if (pthread_create(&team->thread, NULL, team_helper, team) != 0) {
        free(team);
        return NULL;
    }
    return team;
}

void framecut_kl_team_stop(framecut_kl_team *team) {
    if (!team) return;
    atomic_store_explicit(&team->quit, 1, memory_order_release);
    pthread_join(team->thread, NULL);
    free(team);
}

long framecut_kl_team_update_gains(framecut_kl_team *team, double *gains, const double *sides, const int32_t *columns,
                                   const float *row, double twice, long count, long minimum, double *best) {
    if (!team || team->alone || count < minimum || count < 32) return framecut_kl_update_gains(gains, sides, columns, row, twice, count, best);
    long half = (count / 2) & ~15L;
    team->gains = gains + half;
    team->sides = sides + half;
    team->columns = columns + half;
    team->row = row;
    team->twice = twice;
    team->count = count - half;
    long job = ++team->jobs;
    atomic_store_explicit(&team->posted, job, memory_order_release);
    double mine;
    long position = framecut_kl_update_gains(gains, sides, columns, row, twice, half, &mine);
    unsigned spins = 0;
    while (atomic_load_explicit(&team->finished, memory_order_acquire) != job) team_pause(&spins);
    // A helper that had to be waited for this long lost its core (a loaded machine): each
    // step would wait for the scheduler. Stop it and finish the sequence alone (same bits).
    if (spins >= team_spin_limit) {
        team->alone = 1;
        atomic_store_explicit(&team->quit, 1, memory_order_release);
    }
    // The first position of the largest gain: the helper's half only wins when strictly larger.
    if (team->position >= 0 && team->best > mine) {
        *best = team->best;
        return team->position + half;
    }
    *best = mine;
    return position;
}
