#!/usr/bin/env python3
"""Reference values for FrameCutCore's label-free cost model (issue 16), computed in float64 numpy.

Writes Tests/FrameCutCoreTests/Fixtures/costs/fuzzy_modularity.json: a small seeded embedding set
(three groups of different spread and size in 16-d, all in a positive cone like ReLU features) and
- the fuzzy neighbour graph as umap-learn builds it (k nearest other points by cosine distance
  d = 1 - s; rho = nearest positive distance; sigma by bisection so that
  sum_j exp(-max(0, d_ij - rho_i) / sigma_i) = log2 k, at least 1e-3 * mean distance;
  a_ij = exp(-max(0, d_ij - rho_i) / sigma_i); mu = a + a^T - a * a^T),
- degrees k_i, 2m, and the modularity costs w_ij = mu_ij - k_i k_j / 2m (resolution 1) as a dense matrix,
- the paper heuristic's mu (mean min-max normalised cosine) and cal = 0.94 - 0.98 mu.

  /usr/bin/python3 scripts/reference/costs_fixtures.py
"""
import json, os
import numpy as np

K = 5


def smooth_scale(d, rho, target):
    lo, hi, mid = 0.0, np.inf, 1.0
    for _ in range(64):
        total = np.exp(-np.maximum(0, d - rho) / mid).sum()
        if abs(total - target) < 1e-5:
            break
        if total > target:
            hi = mid
            mid = (lo + hi) / 2
        else:
            lo = mid
            mid = mid * 2 if hi == np.inf else (lo + hi) / 2
    return max(mid, 1e-3 * d.mean(), 1e-12)


def main():
    rng = np.random.default_rng(16)
    sizes, spreads = [30, 20, 14], [0.15, 0.25, 0.2]
    base = np.abs(rng.normal(size=16)) + 0.5
    parts = []
    for size, spread in zip(sizes, spreads):
        centre = base + 3.0 * np.abs(rng.normal(size=16)) * (rng.random(16) < 0.4)
        parts.append(np.abs(centre + spread * rng.normal(size=(size, 16))))
    x = np.concatenate(parts).astype(np.float32)
    n = len(x)
    u = x.astype(np.float64)
    u /= np.linalg.norm(u, axis=1, keepdims=True)
    s = u @ u.T
    d = 1 - s
    np.fill_diagonal(d, np.inf)
    order = np.argsort(d, axis=1, kind="stable")[:, :K]
    a = np.zeros((n, n))
    rho, sigma = np.zeros(n), np.zeros(n)
    for i in range(n):
        di = np.maximum(0, d[i, order[i]])
        rho[i] = di[di > 0][0] if (di > 0).any() else 0
        sigma[i] = smooth_scale(di, rho[i], np.log2(K))
        a[i, order[i]] = np.exp(-np.maximum(0, di - rho[i]) / sigma[i])
    mu = a + a.T - a * a.T
    deg = mu.sum(1)
    m2 = deg.sum()
    w = mu - np.outer(deg, deg) / m2
    np.fill_diagonal(w, 0)
    iu = np.triu_indices(n, 1)
    smin, smax = s[iu].min(), s[iu].max()
    mean_p = ((s[iu] - smin) / (smax - smin)).mean()
    out = {"n": n, "d": 16, "neighbours": K, "embeddings": [float(v) for v in x.ravel()],
           "groups": sum(([g] * size for g, size in enumerate(sizes)), []),
           "rho": rho.tolist(), "sigma": sigma.tolist(), "degrees": deg.tolist(), "total_degree": m2,
           "edges": int((mu[iu] > 0).sum()), "memberships": mu.ravel().tolist(), "costs": w.ravel().tolist(),
           "total_cost": float(w[iu].sum()), "heuristic_mu": float(mean_p), "heuristic_cal": float(0.94 - 0.98 * mean_p)}
    path = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "FrameCutCoreTests", "Fixtures", "costs")
    os.makedirs(path, exist_ok=True)
    with open(os.path.join(path, "fuzzy_modularity.json"), "w") as f:
        json.dump(out, f, separators=(",", ":"))
        f.write("\n")
    print(f"n {n}, edges {out['edges']}, 2m {m2:.6f}, mu {mean_p:.6f}")


if __name__ == "__main__":
    main()
