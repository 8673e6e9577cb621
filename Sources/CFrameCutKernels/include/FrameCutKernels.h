#ifndef FRAMECUT_KERNELS_H
#define FRAMECUT_KERNELS_H
// Hot loops of the dense multicut solver, compiled for the CPU found at run time (AVX-512 or
// AVX2 where the processor and the OS support them) with a portable fallback. Every variant
// does the same IEEE operations in the same order (no fused multiply-add where it would round
// differently), so results are bit for bit the same on every machine and with every variant.
#include <stdint.h>

/// The instruction set the kernels use now: 0 portable, 2 AVX2, 3 AVX-512.
int framecut_kernels_level(void);
/// Caps the instruction set (0 forces the portable code; 3 allows everything). For tests and
/// benchmarks that compare the variants. Returns the level now in use.
int framecut_kernels_limit(int level);
/// A name for the level in use ("avx512", "avx2", "portable").
const char *framecut_kernels_name(void);

/// In place over `count` similarities: `w = (float)(fastlog(p / (1 - p)) + offset)` with
/// `p = clamp((s - lowest) * scale, eps, 1 - eps)` (`p = 0.5` when `scale <= 0`); `fastlog`
/// is FrameCut's bit-level logarithm (FastLog in FrameCutCore).
void framecut_logit_costs(float *values, long count, double lowest, double scale, double offset, double eps);

/// Kernighan-Lin gain update: `gains[i] += twice * sides[i] * (double)row[columns[i]]` for
/// `i < count`; returns the first position of the largest gain (-1 when all are -infinity)
/// and stores that gain in `*best`.
long framecut_kl_update_gains(double *gains, const double *sides, const int32_t *columns, const float *row,
                              double twice, long count, double *best);
#endif
