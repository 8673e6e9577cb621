#ifndef FRAMECUT_NN_KERNELS_H
#define FRAMECUT_NN_KERNELS_H
// The engine's packed single-precision matrix product, compiled for AVX-512 and picked at run
// time. Every output is one fused multiply-add chain over k in increasing order, started from
// zero, then the column bias (if any) added: its bits depend on the operands' values only, never
// on how many rows or columns a call computes, which panels a thread takes, or the batch.

#include <stddef.h>

/// Columns per packed panel.
#define FRAMECUT_NN_PANEL 32

/// 1 when the packed product can run on this CPU (AVX-512F with the OS saving ZMM state), else 0.
int framecut_nn_gemm_available(void);

/// Floats a packed `k x n` operand takes: `ceil(n / 32)` panels of `k x 32`, tail columns zero.
size_t framecut_nn_packed_count(int k, int n);

/// Packs `B` (`k x n`) into panels. `B[kk][j]` is read at `b[kk * rowStride + j * columnStride]`:
/// a row-major `k x n` matrix has `(ldb, 1)`, the transpose of a row-major `n x k` matrix (a
/// `Linear` weight, `out x in`) has `(1, ldw)`.
void framecut_nn_pack(const float *b, ptrdiff_t rowStride, ptrdiff_t columnStride, int k, int n, float *packed);

/// `C[i][j] = sum_kk A[i][kk] * B[kk][j] (+ columnBias[j]) (+ rowBias[i])` for rows `0..<m` and
/// the columns of panels `firstPanel..<firstPanel + panels` (clipped to `n`), `A` row-major with
/// leading dimension `lda`, `B` packed by `framecut_nn_pack` (`k x n`), `C` row-major with
/// leading dimension `ldc`. `c` and `columnBias` point at column `firstPanel * 32` (the first
/// column computed), `rowBias` at row 0; either bias may be NULL. Returns 0 when the AVX-512 kernel is not
/// available (nothing written), else 1.
int framecut_nn_gemm(int m, int n, int k, const float *a, ptrdiff_t lda, const float *packed,
                     int firstPanel, int panels, const float *columnBias, const float *rowBias,
                     float *c, ptrdiff_t ldc);

/// Stride-1 depthwise convolution of one zero-padded plane (`padWidth` wide, at least
/// `outHeight + kh - 1` rows and `outWidth + kw - 1` columns): `out[oy][ox] = sum over taps (i, j),
/// in row-major order, of w[i][j] * pad[oy + i][ox + j]`, each product rounded and then added (no
/// fused multiply-add), from 0: the same operations, in the same order, as the portable Swift loop.
/// Returns 0 when the AVX-512 kernel is not available (nothing written), else 1.
int framecut_nn_depthwise(const float *pad, int padWidth, const float *w, int kh, int kw,
                          float *out, int outHeight, int outWidth);

#endif
