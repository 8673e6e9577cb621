#include "FrameCutNNKernels.h"
#include <stdlib.h>
#include <string.h>
#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>
#endif

// Products and sums are written out explicitly below; nothing is contracted behind our back.
#pragma clang fp contract(off)

#define PANEL FRAMECUT_NN_PANEL
/// Rows of one micro-tile (2 x 12 accumulators, 2 panel vectors, 1 broadcast: 27 of 32 ZMM).
#define MAX_ROWS 12
/// Tiles per block of rows: a block of at most `ROW_BLOCK` rows of A is kept hot in L2 while every
/// panel passes over it. The rows are first cut into tiles of nearly equal height (at most
/// `MAX_ROWS`; 257 rows: 22 tiles of 11-12), the tiles into blocks of nearly equal count (ViT-B/32's
/// 50 tokens: one block of 5 tiles of 10, not 48 + 2 rows, which streamed the weight twice).
#ifndef BLOCK_TILES
#define BLOCK_TILES 5
#endif
#define ROW_BLOCK (BLOCK_TILES * MAX_ROWS)
/// Reduction steps per pass: a `ROW_BLOCK x DEPTH` block of A and a `DEPTH x 32` panel piece
/// stay in L2. Between passes the partial sums go through C unchanged (a float in memory is the
/// float in the register), so the chain, and every bit, is the same as in one pass.
#ifndef DEPTH
#define DEPTH 1024
#endif

static int detect(void) {
#if defined(__x86_64__)
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    int osxsave = (c >> 27) & 1;
    if (!osxsave) return 0;
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    (void)hi;
    if ((lo & 0xE6) != 0xE6) return 0;  // SSE, AVX, opmask and ZMM state saved by the OS
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return 0;
    return (b >> 16) & 1;  // AVX-512F
#else
    return 0;
#endif
}

static int available = -1;

int framecut_nn_gemm_available(void) {
    if (available < 0) available = detect();
    return available;
}

size_t framecut_nn_packed_count(int k, int n) {
    return (size_t)((n + PANEL - 1) / PANEL) * (size_t)k * PANEL;
}

void framecut_nn_pack(const float *b, ptrdiff_t rowStride, ptrdiff_t columnStride, int k, int n, float *packed) {
    int panels = (n + PANEL - 1) / PANEL;
    for (int p = 0; p < panels; p++) {
        float *dst = packed + (size_t)p * k * PANEL;
        int width = n - p * PANEL < PANEL ? n - p * PANEL : PANEL;
        if (columnStride == 1) {
            for (int kk = 0; kk < k; kk++) {
                memcpy(dst + (size_t)kk * PANEL, b + kk * rowStride + (ptrdiff_t)p * PANEL, (size_t)width * sizeof(float));
                for (int j = width; j < PANEL; j++) dst[(size_t)kk * PANEL + j] = 0;
            }
        } else {
            for (int j = 0; j < PANEL; j++) {
                const float *src = b + (ptrdiff_t)(p * PANEL + j) * columnStride;
                for (int kk = 0; kk < k; kk++) dst[(size_t)kk * PANEL + j] = j < width ? src[kk * rowStride] : 0;
            }
        }
    }
}

#if defined(__x86_64__)
/// One `rows x 32` tile (`rows <= MAX_ROWS`, a compile-time constant after inlining): the chains
/// run over kk = 0..<k in order, then the biases are added, then the `width <= 32` valid columns
/// are stored.
__attribute__((target("avx512f"), always_inline))
static inline void tile(const int rows, int k, const float *a, const float *panel,
                        const float *columnBias, const float *rowBias, float *c, ptrdiff_t ldc, int width,
                        int resume, int finish) {
    __m512 lo[MAX_ROWS], hi[MAX_ROWS];
    __mmask16 mlo = width >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << width) - 1);
    __mmask16 mhi = width >= 32 ? (__mmask16)0xFFFF : width <= 16 ? (__mmask16)0 : (__mmask16)((1u << (width - 16)) - 1);
#pragma clang loop unroll(full)
    for (int r = 0; r < MAX_ROWS; r++) {
        if (r < rows) {
            if (resume) {
                lo[r] = _mm512_maskz_loadu_ps(mlo, c + r * ldc);
                hi[r] = _mm512_maskz_loadu_ps(mhi, c + r * ldc + 16);
            } else {
                lo[r] = _mm512_setzero_ps();
                hi[r] = _mm512_setzero_ps();
            }
        }
    }
    for (int kk = 0; kk < k; kk++) {
        __m512 b0 = _mm512_loadu_ps(panel + (size_t)kk * PANEL);
        __m512 b1 = _mm512_loadu_ps(panel + (size_t)kk * PANEL + 16);
#pragma clang loop unroll(full)
        for (int r = 0; r < MAX_ROWS; r++) {
            if (r < rows) {
                __m512 x = _mm512_set1_ps(a[kk * rows + r]);
                lo[r] = _mm512_fmadd_ps(x, b0, lo[r]);
                hi[r] = _mm512_fmadd_ps(x, b1, hi[r]);
            }
        }
    }
    __m512 blo = _mm512_setzero_ps(), bhi = _mm512_setzero_ps();
    if (finish && columnBias) {
        blo = _mm512_maskz_loadu_ps(mlo, columnBias);
        bhi = _mm512_maskz_loadu_ps(mhi, columnBias + 16);
    }
#pragma clang loop unroll(full)
    for (int r = 0; r < MAX_ROWS; r++) {
        if (r < rows) {
            __m512 x = lo[r], y = hi[r];
            if (finish && columnBias) { x = _mm512_add_ps(x, blo); y = _mm512_add_ps(y, bhi); }
            if (finish && rowBias) {
                __m512 rb = _mm512_set1_ps(rowBias[r]);
                x = _mm512_add_ps(x, rb);
                y = _mm512_add_ps(y, rb);
            }
            _mm512_mask_storeu_ps(c + r * ldc, mlo, x);
            _mm512_mask_storeu_ps(c + r * ldc + 16, mhi, y);
        }
    }
}

#define TILE_CASE(R) case R: tile(R, k, a, panel, columnBias, rowBias, c, ldc, width, resume, finish); break;

__attribute__((target("avx512f")))
static void tile_any(int rows, int k, const float *a, const float *panel,
                     const float *columnBias, const float *rowBias, float *c, ptrdiff_t ldc, int width,
                     int resume, int finish) {
    switch (rows) {
        TILE_CASE(1) TILE_CASE(2) TILE_CASE(3) TILE_CASE(4) TILE_CASE(5) TILE_CASE(6)
        TILE_CASE(7) TILE_CASE(8) TILE_CASE(9) TILE_CASE(10) TILE_CASE(11) TILE_CASE(12)
        default: break;
    }
}

__attribute__((target("avx512f")))
static void gemm512(int m, int n, int k, const float *a, ptrdiff_t lda, const float *packed,
                    int firstPanel, int panels, const float *columnBias, const float *rowBias,
                    float *c, ptrdiff_t ldc, float *rowPanel) {
    int allTiles = (m + MAX_ROWS - 1) / MAX_ROWS;
    int rowBlocks = (allTiles + BLOCK_TILES - 1) / BLOCK_TILES;
    for (int b = 0; b < rowBlocks; b++) {
        int firstTile = (int)((long)allTiles * b / rowBlocks), tiles = (int)((long)allTiles * (b + 1) / rowBlocks) - firstTile;
        int i0 = (int)((long)m * firstTile / allTiles);
        // Row `r0` of tile `t` of this block, relative to the block.
#define TILE_ROW(t) ((int)((long)m * (firstTile + (t)) / allTiles) - i0)
        for (int k0 = 0; k0 < k; k0 += DEPTH) {
            int depth = k - k0 < DEPTH ? k - k0 : DEPTH;
            int resume = k0 > 0, finish = k0 + depth == k;
            // Each tile's rows of A interleaved (`[kk][row]`), so its broadcasts read one stream.
            for (int t = 0; t < tiles; t++) {
                int r0 = TILE_ROW(t), r1 = TILE_ROW(t + 1), rows = r1 - r0;
                float *dst = rowPanel + (size_t)r0 * depth;
                for (int r = 0; r < rows; r++) {
                    const float *src = a + (ptrdiff_t)(i0 + r0 + r) * lda + k0;
                    for (int kk = 0; kk < depth; kk++) dst[kk * rows + r] = src[kk];
                }
            }
            for (int p = firstPanel; p < firstPanel + panels; p++) {
                int j0 = p * PANEL;
                if (j0 >= n) break;
                int width = n - j0 < PANEL ? n - j0 : PANEL;
                int column = j0 - firstPanel * PANEL;
                const float *panel = packed + (size_t)p * k * PANEL + (size_t)k0 * PANEL;
                for (int t = 0; t < tiles; t++) {
                    int r0 = TILE_ROW(t), r1 = TILE_ROW(t + 1);
                    tile_any(r1 - r0, depth, rowPanel + (size_t)r0 * depth, panel, columnBias ? columnBias + column : NULL,
                             rowBias ? rowBias + i0 + r0 : NULL, c + (ptrdiff_t)(i0 + r0) * ldc + column, ldc, width,
                             resume, finish);
                }
            }
        }
#undef TILE_ROW
    }
}
#endif

int framecut_nn_gemm(int m, int n, int k, const float *a, ptrdiff_t lda, const float *packed,
                     int firstPanel, int panels, const float *columnBias, const float *rowBias,
                     float *c, ptrdiff_t ldc) {
#if defined(__x86_64__)
    if (!framecut_nn_gemm_available()) return 0;
    int depth = k < DEPTH ? k : DEPTH;
    float *rowPanel = malloc((size_t)ROW_BLOCK * (size_t)(depth > 0 ? depth : 1) * sizeof(float));
    if (!rowPanel) return 0;
    gemm512(m, n, k, a, lda, packed, firstPanel, panels, columnBias, rowBias, c, ldc, rowPanel);
    free(rowPanel);
    return 1;
#else
    (void)m; (void)n; (void)k; (void)a; (void)lda; (void)packed; (void)firstPanel; (void)panels;
    (void)columnBias; (void)rowBias; (void)c; (void)ldc;
    return 0;
#endif
}

#if defined(__x86_64__)
__attribute__((target("avx512f")))
static void depthwise512(const float *pad, int padWidth, const float *w, int kh, int kw, float *out, int outHeight, int outWidth) {
    for (int oy = 0; oy < outHeight; oy++) {
        for (int ox = 0; ox < outWidth; ox += 16) {
            int valid = outWidth - ox < 16 ? outWidth - ox : 16;
            __mmask16 mask = valid == 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << valid) - 1);
            __m512 acc = _mm512_setzero_ps();
            for (int i = 0; i < kh; i++) {
                const float *row = pad + (size_t)(oy + i) * padWidth + ox;
                for (int j = 0; j < kw; j++) {
                    __m512 x = _mm512_maskz_loadu_ps(mask, row + j);
                    acc = _mm512_add_ps(acc, _mm512_mul_ps(_mm512_set1_ps(w[i * kw + j]), x));
                }
            }
            _mm512_mask_storeu_ps(out + (size_t)oy * outWidth + ox, mask, acc);
        }
    }
}
#endif

int framecut_nn_depthwise(const float *pad, int padWidth, const float *w, int kh, int kw,
                          float *out, int outHeight, int outWidth) {
#if defined(__x86_64__)
    if (!framecut_nn_gemm_available()) return 0;
    depthwise512(pad, padWidth, w, kh, kw, out, outHeight, outWidth);
    return 1;
#else
    (void)pad; (void)padWidth; (void)w; (void)kh; (void)kw; (void)out; (void)outHeight; (void)outWidth;
    return 0;
#endif
}
