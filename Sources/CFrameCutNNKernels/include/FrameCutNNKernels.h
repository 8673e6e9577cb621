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

// ---- Pointwise (1x1) convolution on NCHW planes (ConvNeXt's channel MLP) ----
// `y[o][p] = sum_c W[o][c] * x'[c][p]`, every output one fused multiply-add chain over c in
// increasing order from zero, then `+ bias[o]`, then `+ residual[o][p]` (each rounded): its bits
// depend on its operands only, never on how positions or output channels are cut into calls.
// `x'` is the input as packed by one of the `pointwise_pack_input` functions (plain, a
// per-channel affine, or a layer norm over the channels of each position).

/// Output channels per packed weight tile.
#define FRAMECUT_NN_POINTWISE_TILE 12
/// Positions per packed input panel.
#define FRAMECUT_NN_POINTWISE_PANEL 32

/// Floats a packed `out x in` weight takes: `ceil(out / 12)` tiles of `in x 12`, tail rows zero.
size_t framecut_nn_pointwise_weight_count(int out, int in);

/// Packs a row-major `out x in` weight (PyTorch `nn.Linear` / 1x1 `nn.Conv2d`) into tiles of
/// 12 output channels, `[tile][c][12]`.
void framecut_nn_pointwise_pack_weight(const float *w, int out, int in, float *packed);

/// Floats a packed block of `positions` positions of `in` channels takes (`ceil(positions / 32)`
/// panels of `in x 32`, tail positions zero).
size_t framecut_nn_pointwise_input_count(int in, int positions);

/// Packs positions `0..<positions` of `in` channel rows (`x[c * plane + p]`) into panels of 32
/// positions, `[panel][c][32]`. With `scale` and `shift` (both or neither) each value becomes
/// `x * scale[c] + shift[c]` (product rounded, then added). Returns 0 when the AVX-512 kernel is
/// not available (nothing written), else 1.
int framecut_nn_pointwise_pack_input(const float *x, ptrdiff_t plane, int in, int positions,
                                     const float *scale, const float *shift, float *packed);

/// As `framecut_nn_pointwise_pack_input`, each position layer-normed over its `in` channels first,
/// exactly as `ChannelLayerNorm` computes it: mean and biased variance in float64 (sums over c in
/// increasing order), `float((x - mean) * (1 / sqrt(var + eps))) * weight[c] + bias[c]`.
/// Returns 0 when the AVX-512 kernel is not available (nothing written), else 1.
int framecut_nn_pointwise_pack_input_norm(const float *x, ptrdiff_t plane, int in, int positions,
                                          const float *weight, const float *bias, double eps, float *packed);

/// Output channels `firstTile * 12 ..< min(out, (firstTile + tiles) * 12)` for the `positions`
/// positions of a packed input block: `y[o * plane + p] = chain + bias[o] (+ residual[o * plane + p])`.
/// `y`, `bias` and `residual` (may be NULL) point at channel 0 and the block's first position.
/// Returns 0 when the AVX-512 kernel is not available (nothing written), else 1.
int framecut_nn_pointwise(int in, int out, const float *packedWeight, int firstTile, int tiles,
                          const float *packedInput, int positions, const float *bias,
                          const float *residual, float *y, ptrdiff_t plane);

/// The epilogue of a block of outputs, per row `r < rows` of `count` values at `y + r * plane`:
/// `activation` 1 = GELU (`VectorMath.gelu`, PyTorch's erf), 2 = QuickGELU (`VectorMath.quickGelu`)
/// in place, with those loops' operations in their order (bit for bit), 0 = none; with `squares`,
/// `squares[r]` = the sum of the (final) values' squares in float64 (16 lanes, 16 values at a
/// time in order, the lanes then added in order). Returns 0 when the AVX-512 kernel is not
/// available or `activation` is none of these (nothing written), else 1.
int framecut_nn_pointwise_rows(float *y, ptrdiff_t plane, int rows, int count, int activation, double *squares);

// ---- Attention of one head (the transformers' self-attention, CLIP's attention pool) ----
// `out[i][c] = sum_j p[i][j] * v[j][c]`, `p[i]` the softmax of `s[i][j] = (sum_c q[i][c] * k[j][c]) * scale`:
// each score one fused multiply-add chain over c in order from zero, then multiplied by `scale`;
// the softmax `VectorMath.softmax`'s steps (maximum subtracted, its `exp`, a float64 sum, the
// values multiplied by `float(1 / sum)`) with the sum over 16 lanes (lane `l` takes `j = l mod 16`
// in order, the lanes then added in order); each output one fused multiply-add chain over j in
// order from zero. A row's bits depend on its query, the keys and the values only.

/// Query rows per tile of the attention kernel.
#define FRAMECUT_NN_ATTENTION_ROWS 6

/// Floats of scratch `framecut_nn_attention` and `framecut_nn_attention_portable` need for `tk`
/// keys of `hd` values (0 when either is not positive).
size_t framecut_nn_attention_scratch_count(int tk, int hd);

/// One head over `tq` queries and `tk` keys and values of `hd` values each: query `i` at
/// `q + i * ldq`, key `j` at `k + j * ldk`, value `j` at `v + j * ldv`, output row `i` at
/// `out + i * ldo`. `scratch` holds `framecut_nn_attention_scratch_count(tk, hd)` floats.
/// Returns 0 when the AVX-512 kernel is not available (nothing written), else 1.
int framecut_nn_attention(int tq, int tk, int hd, float scale, const float *q, ptrdiff_t ldq,
                          const float *k, ptrdiff_t ldk, const float *v, ptrdiff_t ldv,
                          float *out, ptrdiff_t ldo, float *scratch);

/// `framecut_nn_attention`'s definition as plain C loops (any CPU): the same bits, slower.
void framecut_nn_attention_portable(int tq, int tk, int hd, float scale,
                                    const float *q, ptrdiff_t ldq, const float *k, ptrdiff_t ldk,
                                    const float *v, ptrdiff_t ldv, float *out, ptrdiff_t ldo, float *scratch);

#endif
