#!/usr/bin/env python3
"""Figures of docs/costs.md: the label-free cost model fitted on the Fashion-MNIST test set
(EfficientNet-Lite0 embeddings), computed the way FrameCutCore does (float64 numpy here).

  /usr/bin/python3 scripts/reference/costs_plots.py [--fmnist ../shared/instances/fmnist_t10k_lite0.npz] [--out docs/costs]
"""
import argparse, gzip, os
import numpy as np
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt


def fuzzy_graph(s, k):
    n = len(s)
    d = 1 - s
    np.fill_diagonal(d, np.inf)
    nn = np.argpartition(d, k, axis=1)[:, :k]
    dn = np.take_along_axis(d, nn, 1)
    o = np.argsort(dn, 1, kind="stable")
    nn, dn = np.take_along_axis(nn, o, 1), np.maximum(np.take_along_axis(dn, o, 1), 0)
    rho = np.array([r[r > 0][0] if (r > 0).any() else 0 for r in dn])
    target, sig = np.log2(k), np.empty(n)
    for i in range(n):
        lo, hi, mid = 0.0, np.inf, 1.0
        x = np.maximum(0, dn[i] - rho[i])
        for _ in range(64):
            t = np.exp(-x / mid).sum()
            if abs(t - target) < 1e-5:
                break
            if t > target:
                hi = mid; mid = (lo + hi) / 2
            else:
                lo = mid; mid = mid * 2 if hi == np.inf else (lo + hi) / 2
        sig[i] = max(mid, 1e-3 * dn[i].mean(), 1e-12)
    a = np.zeros((n, n))
    a[np.repeat(np.arange(n), k), nn.ravel()] = np.exp(-np.maximum(0, dn - rho[:, None]) / sig[:, None]).ravel()
    mu = a + a.T - a * a.T
    return mu, rho, sig


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--fmnist", default="../shared/instances/fmnist_t10k_lite0.npz")
    ap.add_argument("--labels", default="/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz")
    ap.add_argument("--out", default="docs/costs")
    a = ap.parse_args()
    x = np.load(a.fmnist)["embeddings"].astype(np.float64)
    y = np.frombuffer(gzip.open(a.labels).read(), np.uint8, offset=8)
    u = x / np.linalg.norm(x, axis=1, keepdims=True)
    s = u @ u.T
    mu, rho, sig = fuzzy_graph(s, 15)
    deg = mu.sum(1)
    m2 = deg.sum()
    os.makedirs(a.out, exist_ok=True)
    iu = np.triu_indices(len(s), 1)
    same = (y[:, None] == y[None, :])[iu]
    sv = s[iu]
    fig, ax = plt.subplots(1, 3, figsize=(15, 4))
    bins = np.linspace(sv.min(), sv.max(), 120)
    ax[0].hist(sv[~same], bins, density=True, alpha=0.6, label="different class")
    ax[0].hist(sv[same], bins, density=True, alpha=0.6, label="same class")
    lo, hi = sv.min(), sv.max()
    mean_p = ((sv - lo) / (hi - lo)).mean()
    cal = 0.94 - 0.98 * mean_p
    ax[0].axvline(lo + (1 - cal) * (hi - lo), color="k", ls="--", label=f"paper heuristic: attract above (cal {cal:.3f})")
    ax[0].set_xlabel("cosine"); ax[0].set_title("All pairs: the narrow cone"); ax[0].legend(fontsize=8)
    r, c = np.nonzero(np.triu(mu, 1))
    w = mu[r, c] - deg[r] * deg[c] / m2
    sm = y[r] == y[c]
    ax[1].scatter(s[r, c][~sm], mu[r, c][~sm], s=1, alpha=0.3, label="different class")
    ax[1].scatter(s[r, c][sm], mu[r, c][sm], s=1, alpha=0.1, label="same class")
    ax[1].set_xlabel("cosine"); ax[1].set_ylabel("fuzzy membership mu_ij")
    ax[1].set_title(f"Neighbour pairs ({len(r)}): per-image scale, {100 * sm.mean():.1f}% same class", fontsize=10)
    ax[1].legend(fontsize=8, markerscale=8)
    ax[2].hist(sig, 80, alpha=0.7, label="sigma_i")
    ax[2].hist(rho, 80, alpha=0.7, label="rho_i")
    ax[2].set_xlabel("cosine distance"); ax[2].set_title("Per-image scales (15 neighbours)"); ax[2].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(os.path.join(a.out, "fit_fmnist.png"), dpi=80)
    outside = -np.outer(deg, deg)[iu] / m2
    print(f"edges {len(r)}, same-class share {sm.mean():.4f}, 2m {m2:.1f}, mean degree {deg.mean():.3f}, "
          f"rho mean {rho.mean():.4f}, sigma mean {sig.mean():.4f}, positive costs {(w > 0).mean():.4f}, "
          f"outside cost range {outside.min():.2e}..{outside.max():.2e}, heuristic cal {cal:.4f}")


if __name__ == "__main__":
    main()
