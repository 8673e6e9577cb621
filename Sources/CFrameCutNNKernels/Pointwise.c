// The pointwise (1x1) convolution on NCHW planes: weights packed at load in tiles of 12 output
// channels, the input packed per block of positions into panels of 32 (optionally layer-normed
// or scaled per channel on the way), one 12 x 32 register tile per (tile, panel).
#include "FrameCutNNKernels.h"
#include <string.h>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

// Products and sums are written out explicitly below; nothing is contracted behind our back.
#pragma clang fp contract(off)

#define TILE FRAMECUT_NN_POINTWISE_TILE
#define PANEL FRAMECUT_NN_POINTWISE_PANEL

size_t framecut_nn_pointwise_weight_count(int out, int in) {
    return (size_t)((out + TILE - 1) / TILE) * (size_t)in * TILE;
}

void framecut_nn_pointwise_pack_weight(const float *w, int out, int in, float *packed) {
    int tiles = (out + TILE - 1) / TILE;
    for (int t = 0; t < tiles; t++) {
        float *dst = packed + (size_t)t * in * TILE;
        for (int c = 0; c < in; c++) {
            for (int r = 0; r < TILE; r++) {
                int o = t * TILE + r;
                dst[(size_t)c * TILE + r] = o < out ? w[(size_t)o * in + c] : 0;
            }
        }
    }
}

size_t framecut_nn_pointwise_input_count(int in, int positions) {
    return (size_t)((positions + PANEL - 1) / PANEL) * (size_t)in * PANEL;
}

#if defined(__x86_64__)
/// The masks of a 32-position panel's two halves with `width` valid positions.
#define PANEL_MASKS(width) \
    __mmask16 mlo = (width) >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (width)) - 1); \
    __mmask16 mhi = (width) >= 32 ? (__mmask16)0xFFFF : (width) <= 16 ? (__mmask16)0 : (__mmask16)((1u << ((width) - 16)) - 1);

/// `framecut_nn_pointwise_pack_input`, 16 positions per register.
__attribute__((target("avx512f")))
static void pack_input512(const float *x, ptrdiff_t plane, int in, int positions,
                          const float *scale, const float *shift, float *packed) {
    int panels = (positions + PANEL - 1) / PANEL;
    for (int p = 0; p < panels; p++) {
        int width = positions - p * PANEL < PANEL ? positions - p * PANEL : PANEL;
        PANEL_MASKS(width)
        float *dst = packed + (size_t)p * in * PANEL;
        for (int c = 0; c < in; c++) {
            const float *src = x + (ptrdiff_t)c * plane + p * PANEL;
            __m512 a = _mm512_maskz_loadu_ps(mlo, src), b = _mm512_maskz_loadu_ps(mhi, src + 16);
            if (scale && shift) {
                __m512 s = _mm512_set1_ps(scale[c]), t = _mm512_set1_ps(shift[c]);
                a = _mm512_maskz_add_ps(mlo, _mm512_mul_ps(a, s), t);
                b = _mm512_maskz_add_ps(mhi, _mm512_mul_ps(b, s), t);
            }
            _mm512_storeu_ps(dst + (size_t)c * PANEL, a);
            _mm512_storeu_ps(dst + (size_t)c * PANEL + 16, b);
        }
    }
}

/// `framecut_nn_pointwise_pack_input_norm`, 8 positions per float64 register, `ChannelLayerNorm`'s
/// operations in its order.
__attribute__((target("avx512f")))
static void pack_norm512(const float *x, ptrdiff_t plane, int in, int positions,
                         const float *weight, const float *bias, double eps, float *packed) {
    int panels = (positions + PANEL - 1) / PANEL;
    __m512d inverseC = _mm512_set1_pd(1 / (double)in);
    for (int p = 0; p < panels; p++) {
        int width = positions - p * PANEL < PANEL ? positions - p * PANEL : PANEL;
        PANEL_MASKS(width)
        float *dst = packed + (size_t)p * in * PANEL;
        __m512d m[4], v[4];
        for (int q = 0; q < 4; q++) { m[q] = _mm512_setzero_pd(); v[q] = _mm512_setzero_pd(); }
#define WIDEN(src) \
        __m512 a = _mm512_maskz_loadu_ps(mlo, (src)), b = _mm512_maskz_loadu_ps(mhi, (src) + 16); \
        __m512d d[4] = { _mm512_cvtps_pd(_mm512_castps512_ps256(a)), \
                         _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(a), 1))), \
                         _mm512_cvtps_pd(_mm512_castps512_ps256(b)), \
                         _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(b), 1))) };
        for (int c = 0; c < in; c++) {
            WIDEN(x + (ptrdiff_t)c * plane + p * PANEL)
            for (int q = 0; q < 4; q++) m[q] = _mm512_add_pd(m[q], d[q]);
        }
        for (int q = 0; q < 4; q++) m[q] = _mm512_mul_pd(m[q], inverseC);
        for (int c = 0; c < in; c++) {
            WIDEN(x + (ptrdiff_t)c * plane + p * PANEL)
            for (int q = 0; q < 4; q++) { __m512d t = _mm512_sub_pd(d[q], m[q]); v[q] = _mm512_add_pd(v[q], _mm512_mul_pd(t, t)); }
        }
        for (int q = 0; q < 4; q++) {
            v[q] = _mm512_div_pd(_mm512_set1_pd(1.0), _mm512_sqrt_pd(_mm512_add_pd(_mm512_mul_pd(v[q], inverseC), _mm512_set1_pd(eps))));
        }
        for (int c = 0; c < in; c++) {
            WIDEN(x + (ptrdiff_t)c * plane + p * PANEL)
            __m512 w = _mm512_set1_ps(weight[c]), s = _mm512_set1_ps(bias[c]);
            __m256 f[4];
            for (int q = 0; q < 4; q++) f[q] = _mm512_cvtpd_ps(_mm512_mul_pd(_mm512_sub_pd(d[q], m[q]), v[q]));
            __m512 lo = _mm512_castpd_ps(_mm512_insertf64x4(_mm512_castpd256_pd512(_mm256_castps_pd(f[0])), _mm256_castps_pd(f[1]), 1));
            __m512 hi = _mm512_castpd_ps(_mm512_insertf64x4(_mm512_castpd256_pd512(_mm256_castps_pd(f[2])), _mm256_castps_pd(f[3]), 1));
            _mm512_storeu_ps(dst + (size_t)c * PANEL, _mm512_maskz_add_ps(mlo, _mm512_mul_ps(lo, w), s));
            _mm512_storeu_ps(dst + (size_t)c * PANEL + 16, _mm512_maskz_add_ps(mhi, _mm512_mul_ps(hi, w), s));
        }
#undef WIDEN
    }
}
#endif

int framecut_nn_pointwise_pack_input(const float *x, ptrdiff_t plane, int in, int positions,
                                     const float *scale, const float *shift, float *packed) {
#if defined(__x86_64__)
    if (!framecut_nn_gemm_available()) return 0;
    pack_input512(x, plane, in, positions, scale, shift, packed);
    return 1;
#else
    (void)x; (void)plane; (void)in; (void)positions; (void)scale; (void)shift; (void)packed;
    return 0;
#endif
}

int framecut_nn_pointwise_pack_input_norm(const float *x, ptrdiff_t plane, int in, int positions,
                                          const float *weight, const float *bias, double eps, float *packed) {
#if defined(__x86_64__)
    if (!framecut_nn_gemm_available()) return 0;
    pack_norm512(x, plane, in, positions, weight, bias, eps, packed);
    return 1;
#else
    (void)x; (void)plane; (void)in; (void)positions; (void)weight; (void)bias; (void)eps; (void)packed;
    return 0;
#endif
}

#if defined(__x86_64__)
/// One `rows x 32` tile over the whole reduction, then bias and residual, stored masked to the
/// `width` valid positions.
__attribute__((target("avx512f"), always_inline))
static inline void pointwise_tile(const int rows, int in, const float *w, const float *xp, const float *bias,
                                  const float *residual, float *y, ptrdiff_t plane, int width) {
    __m512 lo[TILE], hi[TILE];
    __mmask16 mlo = width >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << width) - 1);
    __mmask16 mhi = width >= 32 ? (__mmask16)0xFFFF : width <= 16 ? (__mmask16)0 : (__mmask16)((1u << (width - 16)) - 1);
#pragma clang loop unroll(full)
    for (int r = 0; r < TILE; r++) {
        if (r < rows) { lo[r] = _mm512_setzero_ps(); hi[r] = _mm512_setzero_ps(); }
    }
    for (int c = 0; c < in; c++) {
        __m512 b0 = _mm512_loadu_ps(xp + (size_t)c * PANEL);
        __m512 b1 = _mm512_loadu_ps(xp + (size_t)c * PANEL + 16);
#pragma clang loop unroll(full)
        for (int r = 0; r < TILE; r++) {
            if (r < rows) {
                __m512 a = _mm512_set1_ps(w[(size_t)c * TILE + r]);
                lo[r] = _mm512_fmadd_ps(a, b0, lo[r]);
                hi[r] = _mm512_fmadd_ps(a, b1, hi[r]);
            }
        }
    }
#pragma clang loop unroll(full)
    for (int r = 0; r < TILE; r++) {
        if (r < rows) {
            __m512 b = _mm512_set1_ps(bias[r]);
            __m512 x = _mm512_add_ps(lo[r], b), z = _mm512_add_ps(hi[r], b);
            if (residual) {
                x = _mm512_add_ps(x, _mm512_maskz_loadu_ps(mlo, residual + r * plane));
                z = _mm512_add_ps(z, _mm512_maskz_loadu_ps(mhi, residual + r * plane + 16));
            }
            _mm512_mask_storeu_ps(y + r * plane, mlo, x);
            _mm512_mask_storeu_ps(y + r * plane + 16, mhi, z);
        }
    }
}

#define POINTWISE_CASE(R) case R: pointwise_tile(R, in, w, xp, bias, residual, y, plane, width); break;

__attribute__((target("avx512f")))
static void pointwise_tile_any(int rows, int in, const float *w, const float *xp, const float *bias,
                               const float *residual, float *y, ptrdiff_t plane, int width) {
    switch (rows) {
        POINTWISE_CASE(1) POINTWISE_CASE(2) POINTWISE_CASE(3) POINTWISE_CASE(4) POINTWISE_CASE(5) POINTWISE_CASE(6)
        POINTWISE_CASE(7) POINTWISE_CASE(8) POINTWISE_CASE(9) POINTWISE_CASE(10) POINTWISE_CASE(11) POINTWISE_CASE(12)
        default: break;
    }
}

__attribute__((target("avx512f")))
static void pointwise512(int in, int out, const float *packedWeight, int firstTile, int tiles,
                         const float *packedInput, int positions, const float *bias,
                         const float *residual, float *y, ptrdiff_t plane) {
    int panels = (positions + PANEL - 1) / PANEL;
    // Panel outer: one panel (in x 32) stays in L1 while the tiles' weights stream past it.
    for (int p = 0; p < panels; p++) {
        int width = positions - p * PANEL < PANEL ? positions - p * PANEL : PANEL;
        for (int t = firstTile; t < firstTile + tiles; t++) {
            int o0 = t * TILE;
            if (o0 >= out) break;
            int rows = out - o0 < TILE ? out - o0 : TILE;
            const float *w = packedWeight + (size_t)t * in * TILE;
            ptrdiff_t offset = (ptrdiff_t)o0 * plane + p * PANEL;
            pointwise_tile_any(rows, in, w, packedInput + (size_t)p * in * PANEL, bias + o0,
                               residual ? residual + offset : NULL, y + offset, plane, width);
        }
    }
}
#endif

int framecut_nn_pointwise(int in, int out, const float *packedWeight, int firstTile, int tiles,
                          const float *packedInput, int positions, const float *bias,
                          const float *residual, float *y, ptrdiff_t plane) {
#if defined(__x86_64__)
    if (!framecut_nn_gemm_available()) return 0;
    pointwise512(in, out, packedWeight, firstTile, tiles, packedInput, positions, bias, residual, y, plane);
    return 1;
#else
    (void)in; (void)out; (void)packedWeight; (void)firstTile; (void)tiles; (void)packedInput; (void)positions;
    (void)bias; (void)residual; (void)y; (void)plane;
    return 0;
#endif
}

#if defined(__x86_64__)
/// `VectorMath.exp`, 16 lanes, the same operations in the same order.
__attribute__((target("avx512f"), always_inline))
static inline __m512 exp512(__m512 x) {
    x = _mm512_min_ps(_mm512_max_ps(x, _mm512_set1_ps(-87.3f)), _mm512_set1_ps(88.7f));
    __m512 h = _mm512_add_ps(_mm512_mul_ps(x, _mm512_set1_ps(1.44269504088896341f)), _mm512_set1_ps(0.5f));
    __m512 nearest = _mm512_sub_ps(_mm512_add_ps(h, _mm512_set1_ps(12582912.0f)), _mm512_set1_ps(12582912.0f));
    __mmask16 above = _mm512_cmp_ps_mask(nearest, h, _CMP_GT_OQ);
    __m512 n = _mm512_mask_sub_ps(nearest, above, nearest, _mm512_set1_ps(1.0f));
    __m512 r = _mm512_sub_ps(x, _mm512_mul_ps(n, _mm512_set1_ps(0.693359375f)));
    r = _mm512_add_ps(r, _mm512_mul_ps(n, _mm512_set1_ps(2.12194440e-4f)));
    __m512 z = _mm512_mul_ps(r, r);
    __m512 y = _mm512_set1_ps(1.9875691500e-4f);
    y = _mm512_add_ps(_mm512_mul_ps(y, r), _mm512_set1_ps(1.3981999507e-3f));
    y = _mm512_add_ps(_mm512_mul_ps(y, r), _mm512_set1_ps(8.3334519073e-3f));
    y = _mm512_add_ps(_mm512_mul_ps(y, r), _mm512_set1_ps(4.1665795894e-2f));
    y = _mm512_add_ps(_mm512_mul_ps(y, r), _mm512_set1_ps(1.6666665459e-1f));
    y = _mm512_add_ps(_mm512_mul_ps(y, r), _mm512_set1_ps(5.0000001201e-1f));
    y = _mm512_add_ps(_mm512_add_ps(_mm512_mul_ps(y, z), r), _mm512_set1_ps(1.0f));
    __m512i bits = _mm512_slli_epi32(_mm512_add_epi32(_mm512_cvttps_epi32(n), _mm512_set1_epi32(127)), 23);
    return _mm512_mul_ps(y, _mm512_castsi512_ps(bits));
}

/// `VectorMath.gelu` (PyTorch's erf), 16 lanes, the same operations in the same order.
__attribute__((target("avx512f"), always_inline))
static inline __m512 gelu512(__m512 x) {
    __m512 u = _mm512_mul_ps(x, _mm512_set1_ps(0.70710678118654752f));
    __m512 absU = _mm512_castsi512_ps(_mm512_and_si512(_mm512_castps_si512(u), _mm512_set1_epi32(0x7FFFFFFF)));
    __m512 t = _mm512_div_ps(_mm512_set1_ps(1.0f), _mm512_add_ps(_mm512_mul_ps(absU, _mm512_set1_ps(0.3275911f)), _mm512_set1_ps(1.0f)));
    __m512 r = _mm512_set1_ps(1.061405429f);
    r = _mm512_sub_ps(_mm512_mul_ps(r, t), _mm512_set1_ps(1.453152027f));
    r = _mm512_add_ps(_mm512_mul_ps(r, t), _mm512_set1_ps(1.421413741f));
    r = _mm512_sub_ps(_mm512_mul_ps(r, t), _mm512_set1_ps(0.284496736f));
    r = _mm512_add_ps(_mm512_mul_ps(r, t), _mm512_set1_ps(0.254829592f));
    __m512 negSquare = _mm512_castsi512_ps(_mm512_xor_si512(_mm512_castps_si512(_mm512_mul_ps(u, u)), _mm512_set1_epi32((int)0x80000000)));
    __m512 e = _mm512_sub_ps(_mm512_set1_ps(1.0f), _mm512_mul_ps(_mm512_mul_ps(r, t), exp512(negSquare)));
    __mmask16 negative = _mm512_cmp_ps_mask(u, _mm512_setzero_ps(), _CMP_LT_OQ);
    e = _mm512_castsi512_ps(_mm512_mask_xor_epi32(_mm512_castps_si512(e), negative, _mm512_castps_si512(e), _mm512_set1_epi32((int)0x80000000)));
    return _mm512_mul_ps(_mm512_mul_ps(x, _mm512_set1_ps(0.5f)), _mm512_add_ps(_mm512_set1_ps(1.0f), e));
}

__attribute__((target("avx512f")))
static void rows512(float *y, ptrdiff_t plane, int rows, int count, int activation, double *squares) {
    for (int r = 0; r < rows; r++) {
        float *p = y + r * plane;
        __m512d lo = _mm512_setzero_pd(), hi = _mm512_setzero_pd();
        for (int i = 0; i < count; i += 16) {
            int valid = count - i < 16 ? count - i : 16;
            __mmask16 mask = valid == 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << valid) - 1);
            __m512 v = _mm512_maskz_loadu_ps(mask, p + i);
            if (activation == 1) {
                v = gelu512(v);
                _mm512_mask_storeu_ps(p + i, mask, v);
            } else if (activation == 2) {
                // `VectorMath.quickGelu`: x / (1 + exp(x * -1.702)).
                v = _mm512_div_ps(v, _mm512_add_ps(_mm512_set1_ps(1.0f), exp512(_mm512_mul_ps(v, _mm512_set1_ps(-1.702f)))));
                _mm512_mask_storeu_ps(p + i, mask, v);
            }
            if (squares) {
                __m512d a = _mm512_cvtps_pd(_mm512_castps512_ps256(v));
                __m512d b = _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1)));
                lo = _mm512_add_pd(lo, _mm512_mul_pd(a, a));
                hi = _mm512_add_pd(hi, _mm512_mul_pd(b, b));
            }
        }
        if (squares) {
            double l[8], h[8];
            _mm512_storeu_pd(l, lo);
            _mm512_storeu_pd(h, hi);
            double total = 0;
            for (int j = 0; j < 8; j++) total += l[j];
            for (int j = 0; j < 8; j++) total += h[j];
            squares[r] = total;
        }
    }
}
#endif

int framecut_nn_pointwise_rows(float *y, ptrdiff_t plane, int rows, int count, int activation, double *squares) {
#if defined(__x86_64__)
    if (!framecut_nn_gemm_available() || activation < 0 || activation > 2) return 0;
    rows512(y, plane, rows, count, activation, squares);
    return 1;
#else
    (void)y; (void)plane; (void)rows; (void)count; (void)activation; (void)squares;
    return 0;
#endif
}
