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

/// Two threads on one Kernighan-Lin move sequence: a helper thread that updates the second
/// half of the gains at each step while the caller updates the first. The result (gains,
/// position, best gain) is bit for bit that of `framecut_kl_update_gains`.
typedef struct framecut_kl_team framecut_kl_team;
/// Starts the helper thread (it spins between steps, yielding its core after a while).
/// NULL when no thread could be started (then the team functions work alone).
framecut_kl_team *framecut_kl_team_start(void);
/// Stops and joins the helper; NULL is ignored.
void framecut_kl_team_stop(framecut_kl_team *team);
/// `framecut_kl_update_gains` on two threads (by the caller alone with NULL or below `minimum` entries).
long framecut_kl_team_update_gains(framecut_kl_team *team, double *gains, const double *sides, const int32_t *columns,
                                   const float *row, double twice, long count, long minimum, double *best);
#endif
