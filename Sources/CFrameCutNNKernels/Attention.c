// Scaled dot-product attention of one head in one pass: the scores of a few query rows at a
// time against every key, their softmax and the product with the values, all in L1/L2-resident
// tiles (the keys transposed once per head). `framecut_nn_attention_portable` is the same
// definition as plain C loops: the AVX-512 kernel's bits, slower.
#include "FrameCutNNKernels.h"
#include <math.h>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

// Products and sums are written out explicitly below; nothing is contracted behind our back.
#pragma clang fp contract(off)

/// Query rows per tile (4 key or value vectors x 6 rows = 24 ZMM accumulators).
#define QROWS FRAMECUT_NN_ATTENTION_ROWS
/// Lanes of the float64 softmax sum.
#define LANES 16

static int padded_keys(int tk) { return (tk + 15) / 16 * 16; }

size_t framecut_nn_attention_scratch_count(int tk, int hd) {
    if (tk <= 0 || hd <= 0) return 0;
    return (size_t)padded_keys(tk) * (size_t)(hd + QROWS);
}

/// `exp(x)` for `x <= 0` (a softmax's shifted scores): Cephes `expf` (`x = n ln 2 + r`, a
/// degree-6 polynomial in `r`, scaled by `2^n`; about 1 ulp) written with fused multiply-adds,
/// the input clamped to [-87.3, 0]. `attention_exp512` does the same operations on 16 lanes.
static float exp_scalar(float x) {
    x = fminf(fmaxf(x, -87.3f), 0.0f);
    float n = floorf(fmaf(x, 1.44269504088896341f, 0.5f));
    float r = fmaf(-n, 0.693359375f, x);
    r = fmaf(n, 2.12194440e-4f, r);
    float z = r * r;
    float y = 1.9875691500e-4f;
    y = fmaf(y, r, 1.3981999507e-3f);
    y = fmaf(y, r, 8.3334519073e-3f);
    y = fmaf(y, r, 4.1665795894e-2f);
    y = fmaf(y, r, 1.6666665459e-1f);
    y = fmaf(y, r, 5.0000001201e-1f);
    y = fmaf(y, z, r) + 1.0f;
    return ldexpf(y, (int)n);
}

/// The unnormalised softmax of one score row in place (`count` values): the maximum subtracted
/// and `exp`; returns `float(1 / sum)`, the sum in float64 over 16 lanes (lane `l` takes the
/// values `j = l (mod 16)` in order; the lanes then added in order).
static float softmax_portable(float *s, int count) {
    float m = -INFINITY;
    for (int j = 0; j < count; j++) m = s[j] > m ? s[j] : m;
    double lanes[LANES] = {0};
    for (int j = 0; j < count; j++) {
        s[j] = exp_scalar(s[j] - m);
        lanes[j % LANES] += (double)s[j];
    }
    double total = 0;
    for (int l = 0; l < LANES; l++) total += lanes[l];
    return (float)(1.0 / total);
}

void framecut_nn_attention_portable(int tq, int tk, int hd, float scale,
                                    const float *q, ptrdiff_t ldq, const float *k, ptrdiff_t ldk,
                                    const float *v, ptrdiff_t ldv, float *out, ptrdiff_t ldo, float *scratch) {
    if (tq <= 0 || tk <= 0 || hd <= 0) return;
    float *s = scratch;
    for (int i = 0; i < tq; i++) {
        for (int j = 0; j < tk; j++) {
            float acc = 0;
            for (int c = 0; c < hd; c++) acc = fmaf(q[i * ldq + c], k[j * ldk + c], acc);
            s[j] = acc * scale;
        }
        float inv = softmax_portable(s, tk);
        for (int c = 0; c < hd; c++) {
            float acc = 0;
            for (int j = 0; j < tk; j++) acc = fmaf(s[j], v[j * ldv + c], acc);
            out[i * ldo + c] = acc * inv;
        }
    }
}

#if defined(__x86_64__)
/// `exp_scalar` on 16 lanes, the same operations.
__attribute__((target("avx512f"), always_inline))
static inline __m512 attention_exp512(__m512 x) {
    x = _mm512_min_ps(_mm512_max_ps(x, _mm512_set1_ps(-87.3f)), _mm512_setzero_ps());
    __m512 n = _mm512_roundscale_ps(_mm512_fmadd_ps(x, _mm512_set1_ps(1.44269504088896341f), _mm512_set1_ps(0.5f)),
                                    _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
    __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693359375f), x);
    r = _mm512_fmadd_ps(n, _mm512_set1_ps(2.12194440e-4f), r);
    __m512 z = _mm512_mul_ps(r, r);
    __m512 y = _mm512_set1_ps(1.9875691500e-4f);
    y = _mm512_fmadd_ps(y, r, _mm512_set1_ps(1.3981999507e-3f));
    y = _mm512_fmadd_ps(y, r, _mm512_set1_ps(8.3334519073e-3f));
    y = _mm512_fmadd_ps(y, r, _mm512_set1_ps(4.1665795894e-2f));
    y = _mm512_fmadd_ps(y, r, _mm512_set1_ps(1.6666665459e-1f));
    y = _mm512_fmadd_ps(y, r, _mm512_set1_ps(5.0000001201e-1f));
    y = _mm512_add_ps(_mm512_fmadd_ps(y, z, r), _mm512_set1_ps(1.0f));
    return _mm512_scalef_ps(y, n);
}

static inline __mmask16 lane_mask(int valid) {
    return valid >= 16 ? (__mmask16)0xFFFF : valid <= 0 ? (__mmask16)0 : (__mmask16)((1u << valid) - 1);
}

/// Scores of `rows` query rows against the `16 * vecs` keys of one group of the transposed keys
/// (`kt`: `hd x 16 * vecs`, row-major): `s[r][j] = (chain over c of q[r][c] * k[j][c]) * scale`.
__attribute__((target("avx512f"), always_inline))
static inline void scores_tile(const int rows, const int vecs, int hd, float scale, const float *q, ptrdiff_t ldq,
                               const float *kt, float *s, int tkp) {
    __m512 acc[QROWS][4];
#pragma clang loop unroll(full)
    for (int r = 0; r < QROWS; r++)
#pragma clang loop unroll(full)
        for (int w = 0; w < 4; w++)
            if (r < rows && w < vecs) acc[r][w] = _mm512_setzero_ps();
    for (int c = 0; c < hd; c++) {
        __m512 kv[4];
#pragma clang loop unroll(full)
        for (int w = 0; w < 4; w++)
            if (w < vecs) kv[w] = _mm512_loadu_ps(kt + (size_t)c * 16 * vecs + 16 * w);
#pragma clang loop unroll(full)
        for (int r = 0; r < QROWS; r++) {
            if (r < rows) {
                __m512 x = _mm512_set1_ps(q[r * ldq + c]);
#pragma clang loop unroll(full)
                for (int w = 0; w < 4; w++)
                    if (w < vecs) acc[r][w] = _mm512_fmadd_ps(x, kv[w], acc[r][w]);
            }
        }
    }
    __m512 sc = _mm512_set1_ps(scale);
#pragma clang loop unroll(full)
    for (int r = 0; r < QROWS; r++)
#pragma clang loop unroll(full)
        for (int w = 0; w < 4; w++)
            if (r < rows && w < vecs) _mm512_storeu_ps(s + (size_t)r * tkp + 16 * w, _mm512_mul_ps(acc[r][w], sc));
}

/// `out[r][c] = (chain over j of e[r][j] * v[j][c]) * inv[r]` for `rows` rows and the columns
/// `c0 ..< c0 + 16 * vecs` (the last vector masked to `hd`).
__attribute__((target("avx512f"), always_inline))
static inline void values_tile(const int rows, const int vecs, int tk, const float *e, int tkp, const float *inv,
                               const float *v, ptrdiff_t ldv, int c0, int hd, float *out, ptrdiff_t ldo) {
    __m512 acc[QROWS][4];
    __mmask16 mask[4];
#pragma clang loop unroll(full)
    for (int w = 0; w < 4; w++) mask[w] = lane_mask(hd - c0 - 16 * w);
#pragma clang loop unroll(full)
    for (int r = 0; r < QROWS; r++)
#pragma clang loop unroll(full)
        for (int w = 0; w < 4; w++)
            if (r < rows && w < vecs) acc[r][w] = _mm512_setzero_ps();
    for (int j = 0; j < tk; j++) {
        __m512 vv[4];
#pragma clang loop unroll(full)
        for (int w = 0; w < 4; w++)
            if (w < vecs) vv[w] = _mm512_maskz_loadu_ps(mask[w], v + (size_t)j * ldv + c0 + 16 * w);
#pragma clang loop unroll(full)
        for (int r = 0; r < QROWS; r++) {
            if (r < rows) {
                __m512 x = _mm512_set1_ps(e[(size_t)r * tkp + j]);
#pragma clang loop unroll(full)
                for (int w = 0; w < 4; w++)
                    if (w < vecs) acc[r][w] = _mm512_fmadd_ps(x, vv[w], acc[r][w]);
            }
        }
    }
#pragma clang loop unroll(full)
    for (int r = 0; r < QROWS; r++) {
        if (r < rows) {
            __m512 scale = _mm512_set1_ps(inv[r]);
#pragma clang loop unroll(full)
            for (int w = 0; w < 4; w++)
                if (w < vecs) _mm512_mask_storeu_ps(out + r * ldo + c0 + 16 * w, mask[w], _mm512_mul_ps(acc[r][w], scale));
        }
    }
}

#define SCORES_CASE(R, V) case (R) * 4 + (V) - 1: scores_tile(R, V, hd, scale, q, ldq, kt, s, tkp); break;
#define SCORES_ROW(R) SCORES_CASE(R, 1) SCORES_CASE(R, 2) SCORES_CASE(R, 3) SCORES_CASE(R, 4)

__attribute__((target("avx512f")))
static void scores_any(int rows, int vecs, int hd, float scale, const float *q, ptrdiff_t ldq,
                       const float *kt, float *s, int tkp) {
    switch (rows * 4 + vecs - 1) {
        SCORES_ROW(1) SCORES_ROW(2) SCORES_ROW(3) SCORES_ROW(4) SCORES_ROW(5) SCORES_ROW(6)
        default: break;
    }
}

#define VALUES_CASE(R, V) case (R) * 4 + (V) - 1: values_tile(R, V, tk, e, tkp, inv, v, ldv, c0, hd, out, ldo); break;
#define VALUES_ROW(R) VALUES_CASE(R, 1) VALUES_CASE(R, 2) VALUES_CASE(R, 3) VALUES_CASE(R, 4)

__attribute__((target("avx512f")))
static void values_any(int rows, int vecs, int tk, const float *e, int tkp, const float *inv, const float *v, ptrdiff_t ldv,
                       int c0, int hd, float *out, ptrdiff_t ldo) {
    switch (rows * 4 + vecs - 1) {
        VALUES_ROW(1) VALUES_ROW(2) VALUES_ROW(3) VALUES_ROW(4) VALUES_ROW(5) VALUES_ROW(6)
        default: break;
    }
}

/// `softmax_portable` on 16 lanes: the same maximum, `exp` and lane sums; returns `float(1 / sum)`.
__attribute__((target("avx512f")))
static float softmax512(float *s, int count) {
    __m512 mv = _mm512_set1_ps(-INFINITY);
    for (int j = 0; j < count; j += 16) {
        __mmask16 m = lane_mask(count - j);
        mv = _mm512_mask_max_ps(mv, m, mv, _mm512_maskz_loadu_ps(m, s + j));
    }
    __m512 mb = _mm512_set1_ps(_mm512_reduce_max_ps(mv));
    __m512d lo = _mm512_setzero_pd(), hi = _mm512_setzero_pd();
    for (int j = 0; j < count; j += 16) {
        __mmask16 m = lane_mask(count - j);
        __m512 e = _mm512_maskz_mov_ps(m, attention_exp512(_mm512_sub_ps(_mm512_maskz_loadu_ps(m, s + j), mb)));
        _mm512_mask_storeu_ps(s + j, m, e);
        lo = _mm512_add_pd(lo, _mm512_cvtps_pd(_mm512_castps512_ps256(e)));
        hi = _mm512_add_pd(hi, _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(e), 1))));
    }
    double lanes[LANES];
    _mm512_storeu_pd(lanes, lo);
    _mm512_storeu_pd(lanes + 8, hi);
    double total = 0;
    for (int l = 0; l < LANES; l++) total += lanes[l];
    return (float)(1.0 / total);
}

__attribute__((target("avx512f")))
static void attention512(int tq, int tk, int hd, float scale, const float *q, ptrdiff_t ldq, const float *k, ptrdiff_t ldk,
                         const float *v, ptrdiff_t ldv, float *out, ptrdiff_t ldo, float *scratch) {
    int tkp = padded_keys(tk), keyVecs = tkp / 16, colVecs = (hd + 15) / 16;
    float *kt = scratch, *s = scratch + (size_t)hd * tkp;
    // The keys transposed in groups of 64 (`[group][c][64]`, the last group as wide as it is),
    // padded keys zero: each scores tile reads one contiguous block.
    for (int g = 0; g * 64 < tkp; g++) {
        int width = tkp - g * 64 < 64 ? tkp - g * 64 : 64;
        float *dst = kt + (size_t)g * 64 * hd;
        for (int j0 = 0; j0 < width; j0 += 16) {
            int j = g * 64 + j0;
            if (j + 16 <= tk && (ptrdiff_t)15 * ldk <= 0x7FFFFFFF) {
                // 16 keys at a time: one gather per channel.
                __m512i index = _mm512_mullo_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
                                                   _mm512_set1_epi32((int)ldk));
                const float *src = k + (ptrdiff_t)j * ldk;
                for (int c = 0; c < hd; c++) _mm512_storeu_ps(dst + (size_t)c * width + j0, _mm512_i32gather_ps(index, src + c, 4));
            } else {
                for (int jj = j0; jj < j0 + 16; jj++) {
                    const float *src = k + (ptrdiff_t)(g * 64 + jj) * ldk;
                    int valid = g * 64 + jj < tk;
                    for (int c = 0; c < hd; c++) dst[(size_t)c * width + jj] = valid ? src[c] : 0.0f;
                }
            }
        }
    }
    float inv[QROWS];
    for (int i0 = 0; i0 < tq; i0 += QROWS) {
        int rows = tq - i0 < QROWS ? tq - i0 : QROWS;
        const float *qr = q + (ptrdiff_t)i0 * ldq;
        for (int w0 = 0; w0 < keyVecs; w0 += 4) {
            int vecs = keyVecs - w0 < 4 ? keyVecs - w0 : 4;
            scores_any(rows, vecs, hd, scale, qr, ldq, kt + (size_t)w0 * 16 * hd, s + w0 * 16, tkp);
        }
        for (int r = 0; r < rows; r++) inv[r] = softmax512(s + (size_t)r * tkp, tk);
        for (int w0 = 0; w0 < colVecs; w0 += 4) {
            int vecs = colVecs - w0 < 4 ? colVecs - w0 : 4;
            values_any(rows, vecs, tk, s, tkp, inv, v, ldv, w0 * 16, hd, out + (ptrdiff_t)i0 * ldo, ldo);
        }
    }
}
#endif

int framecut_nn_attention(int tq, int tk, int hd, float scale, const float *q, ptrdiff_t ldq,
                          const float *k, ptrdiff_t ldk, const float *v, ptrdiff_t ldv,
                          float *out, ptrdiff_t ldo, float *scratch) {
#if defined(__x86_64__)
    if (!framecut_nn_gemm_available()) return 0;
    if (tq <= 0 || tk <= 0 || hd <= 0) return 1;
    attention512(tq, tk, hd, scale, q, ldq, k, ldk, v, ldv, out, ldo, scratch);
    return 1;
#else
    (void)tq; (void)tk; (void)hd; (void)scale; (void)q; (void)ldq; (void)k; (void)ldk; (void)v; (void)ldv;
    (void)out; (void)ldo; (void)scratch;
    return 0;
#endif
}
