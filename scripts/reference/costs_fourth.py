#!/usr/bin/env python3
"""Experiments of docs/costs.md, "Fourth session" (issue 16): mixture costs, local scaling, and a
resolution chosen by an internal criterion. Every partition that counts is FrameCut's GAEC +
Kernighan-Lin (`framecut cluster`, or `framecut solve --raw-costs` on a graph written as text);
labels only score.

  /usr/bin/python3 scripts/reference/costs_fourth.py criteria X.npy Y.npy
      runs `framecut cluster --resolution g` over the grid GRID (0.25 ... 1.4; kept under
      --work/res<g>, reused when present) and scores each partition with label-free internal criteria: cosine silhouette
      on a fixed 2,000-image subsample, Calinski-Harabasz and Davies-Bouldin on the unit vectors,
      and the modularity of the default graph at resolution 1; prints which resolution each picks
  /usr/bin/python3 scripts/reference/costs_fourth.py mixture X.npy Y.npy complete|knn|knn-dense|knn-null [gauss|beta] [raw|centred|whitened]
      two-component mixture fitted by EM to the cosines (record-linkage style), cost logit P(same|s):
        complete   all pairs (fit on 200,000 sampled pairs), complete graph
        knn        the 15-NN graph's pairs only (fit on them), non-neighbour pairs absent (cost 0)
        knn-dense  fit on the 15-NN pairs; non-neighbour pairs get the same fitted cost at their cosine
        knn-null   fit on the 15-NN pairs; non-neighbour pairs get the modularity null -k_i k_j / 2m
                   of the graph of posteriors P
  /usr/bin/python3 scripts/reference/costs_fourth.py localscale X.npy Y.npy modularity|mixture [K]
      Zelnik-Manor and Perona local scaling on the complete graph: A_ij = exp(-d_ij^2 / (sigma_i sigma_j)),
      d the cosine distance, sigma_i the distance to the K-th neighbour (default 7, their value); costs
      its modularity matrix A_ij - k_i k_j / 2m, or the logit of a mixture fitted to the scaled
      distances d_ij / sqrt(sigma_i sigma_j)
  /usr/bin/python3 scripts/reference/costs_fourth.py set X.npy Y.npy NAME
      a set kept aside (X, Y in the same row order): the default, the paper's heuristic, the
      resolution picked by the cosine silhouette over the scan grid, and the mixture with the null
  /usr/bin/python3 scripts/reference/costs_fourth.py bound X.npy Y.npy
      the best partitions any method produced (every labels.npy under --work) and the modularity
      of the class partition against the found ones at each resolution (is the goal a solver or an
      objective limit?)

Options: --framecut BIN (default .build/release/framecut), --work DIR (default /tmp/c4), --sub N
(solve on the first N images only; default all). Complete graphs go to `framecut solve` as text
through a small C writer compiled on first use (gcc), ~1.2 GB at 10k.
"""
import argparse, glob, os, subprocess, sys, time
import numpy as np
from sklearn.metrics import adjusted_rand_score, silhouette_score, calinski_harabasz_score, davies_bouldin_score

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from costs_experiments import vi, score, directed_memberships  # noqa: E402

FC, WORK = ".build/release/framecut", "/tmp/c4"
WRITER = r"""
#include <stdio.h>
#include <stdlib.h>
int main(int argc, char **argv) {
  long n = atol(argv[1]); FILE *in = fopen(argv[2], "rb"); FILE *out = fopen(argv[3], "w");
  if (!in || !out) return 1;
  static char buf[1 << 20]; setvbuf(out, buf, _IOFBF, sizeof buf);
  float *row = malloc(sizeof(float) * n);
  fprintf(out, "%ld %ld\n", n, n * (n - 1) / 2);
  for (long i = 0; i < n; i++) {
    if (fread(row, sizeof(float), n, in) != (size_t)n) return 2;
    for (long j = i + 1; j < n; j++) fprintf(out, "%ld %ld %.7g\n", i, j, row[j]);
  }
  fclose(out); return 0;
}
"""


def unit(X):
    X = X.astype(np.float64)
    return X / np.linalg.norm(X, axis=1, keepdims=True)


def transform(X, how):
    """raw: the embeddings; centred: mean removed; whitened: centred, then PCA-whitened on the
    components holding 99% of the variance (all before the cosine)."""
    X = X.astype(np.float64)
    if how == "raw":
        return X
    X = X - X.mean(0)
    if how == "centred":
        return X
    _, s, vt = np.linalg.svd(X, full_matrices=False)
    keep = int(np.searchsorted(np.cumsum(s ** 2) / (s ** 2).sum(), 0.99)) + 1
    return X @ vt[:keep].T / s[:keep]


def solve_dense(W, tag):
    """GAEC + KL on the complete graph with costs W (n x n, symmetric; positive attracts)."""
    d = f"{WORK}/{tag}"; os.makedirs(d, exist_ok=True)
    exe = f"{WORK}/tri2txt"
    if not os.path.exists(exe):
        open(exe + ".c", "w").write(WRITER)
        subprocess.run(["gcc", "-O2", "-o", exe, exe + ".c"], check=True)
    n = len(W)
    W.astype(np.float32).tofile(d + "/w.f32")
    subprocess.run([exe, str(n), d + "/w.f32", d + "/g.txt"], check=True)
    os.remove(d + "/w.f32")
    t = time.time()
    subprocess.run([FC, "solve", "--graph", d + "/g.txt", "--raw-costs", "--out", d + "/o"], check=True, capture_output=True)
    os.remove(d + "/g.txt")
    lab = np.load(d + "/o/labels.npy"); np.save(d + "/labels.npy", lab)
    return lab, time.time() - t


def solve_sparse(n, e, w, tag):
    d = f"{WORK}/{tag}"; os.makedirs(d, exist_ok=True)
    with open(d + "/g.txt", "w") as f:
        f.write(f"{n} {len(e)}\n")
        np.savetxt(f, np.column_stack([e[:, 0], e[:, 1], w]), fmt="%d %d %.7g")
    subprocess.run([FC, "solve", "--graph", d + "/g.txt", "--raw-costs", "--out", d + "/o"], check=True, capture_output=True)
    lab = np.load(d + "/o/labels.npy"); np.save(d + "/labels.npy", lab)
    return lab


def em_gauss(s, iters=500):
    """Two 1-d Gaussians by EM; initialised from the lower and upper quartile halves (deterministic).
    Returns (pi1, m0, v0, m1, v1) with component 1 the higher mean ('same')."""
    q = np.quantile(s, [0.5])[0]
    lo, hi = s[s <= q], s[s > q]
    p1, m0, v0, m1, v1 = 0.5, lo.mean(), lo.var(), hi.mean(), hi.var()
    for _ in range(iters):
        l0 = np.log1p(-p1) - 0.5 * np.log(2 * np.pi * v0) - (s - m0) ** 2 / (2 * v0)
        l1 = np.log(p1) - 0.5 * np.log(2 * np.pi * v1) - (s - m1) ** 2 / (2 * v1)
        r = 1 / (1 + np.exp(l0 - l1))
        p1n = r.mean(); m1n = (r * s).sum() / r.sum(); m0n = ((1 - r) * s).sum() / (1 - r).sum()
        v1 = max((r * (s - m1n) ** 2).sum() / r.sum(), 1e-10); v0 = max(((1 - r) * (s - m0n) ** 2).sum() / (1 - r).sum(), 1e-10)
        done = abs(p1n - p1) < 1e-9 and abs(m1n - m1) < 1e-9
        p1, m0, m1 = p1n, m0n, m1n
        if done:
            break
    return p1, m0, v0, m1, v1


def logit_gauss(s, prm):
    p1, m0, v0, m1, v1 = prm
    return (np.log(p1) - 0.5 * np.log(v1) - (s - m1) ** 2 / (2 * v1)) - (np.log1p(-p1) - 0.5 * np.log(v0) - (s - m0) ** 2 / (2 * v0))


def em_beta(s, iters=500):
    """Two beta components by EM with weighted method-of-moments M-steps (on s mapped to (0,1) by
    its sampled min and max, as the paper's normalisation). Returns (pi1, a0, b0, a1, b1, lo, hi)."""
    from scipy.special import betaln
    lo, hi = s.min(), s.max(); x = np.clip((s - lo) / (hi - lo), 1e-6, 1 - 1e-6)

    def mom(w):
        m = (w * x).sum() / w.sum(); v = (w * (x - m) ** 2).sum() / w.sum(); c = m * (1 - m) / v - 1
        return m * c, (1 - m) * c
    med = np.median(x); r = (x > med).astype(float)
    p1 = 0.5; a0, b0 = mom(1 - r); a1, b1 = mom(r)
    for _ in range(iters):
        l0 = np.log1p(-p1) + (a0 - 1) * np.log(x) + (b0 - 1) * np.log1p(-x) - betaln(a0, b0)
        l1 = np.log(p1) + (a1 - 1) * np.log(x) + (b1 - 1) * np.log1p(-x) - betaln(a1, b1)
        r = 1 / (1 + np.exp(l0 - l1))
        p1n = r.mean(); a0, b0 = mom(1 - r); a1, b1 = mom(r)
        if abs(p1n - p1) < 1e-9:
            p1 = p1n; break
        p1 = p1n
    return p1, a0, b0, a1, b1, lo, hi


def logit_beta(s, prm):
    from scipy.special import betaln
    p1, a0, b0, a1, b1, lo, hi = prm
    x = np.clip((s - lo) / (hi - lo), 1e-6, 1 - 1e-6)
    return (np.log(p1) + (a1 - 1) * np.log(x) + (b1 - 1) * np.log1p(-x) - betaln(a1, b1)) - \
           (np.log1p(-p1) + (a0 - 1) * np.log(x) + (b0 - 1) * np.log1p(-x) - betaln(a0, b0))


def fit(s, family):
    if family == "gauss":
        prm = em_gauss(s); return prm, lambda t: logit_gauss(t, prm)
    prm = em_beta(s); return prm, lambda t: logit_beta(t, prm)


def knn_pairs(S, k=15):
    n = len(S); T = S.copy(); np.fill_diagonal(T, -np.inf)
    nn = np.argpartition(-T, k, axis=1)[:, :k]
    r = np.repeat(np.arange(n), k); c = nn.ravel()
    return np.unique(np.stack([np.minimum(r, c), np.maximum(r, c)], 1), axis=0)


def mixture(X, y, where, family, how):
    U = unit(transform(X, how)); S = U @ U.T; n = len(X)
    tag = f"mix_{where}_{family}_{how}_{n}"
    if where == "complete":
        rng = np.random.default_rng(0); i = rng.integers(0, n, 200_000); j = rng.integers(0, n, 200_000)
        keep = i != j; prm, f = fit(S[i[keep], j[keep]], family)
        print(tag, "fit", np.round(prm, 4).tolist(), flush=True)
        W = f(S); np.fill_diagonal(W, 0)
        print(tag, f"attractive pairs {(np.triu(W, 1) > 0).sum()} of {n * (n - 1) // 2}", flush=True)
        lab, t = solve_dense(W, tag)
    else:
        e = knn_pairs(S); s = S[e[:, 0], e[:, 1]]
        prm, f = fit(s, family)
        w = f(s)
        print(tag, "fit", np.round(prm, 4).tolist(), f"edges {len(e)}, attractive {(w > 0).sum()}", flush=True)
        if where == "knn":
            lab = solve_sparse(n, e, w, tag); t = 0
        elif where == "knn-dense":
            W = f(S); np.fill_diagonal(W, 0); lab, t = solve_dense(W, tag)
        else:
            P = 1 / (1 + np.exp(-w)); A = np.zeros((n, n)); A[e[:, 0], e[:, 1]] = P; A += A.T
            k = A.sum(1); W = A - np.outer(k, k) / k.sum(); np.fill_diagonal(W, 0)
            lab, t = solve_dense(W, tag)
    print(tag, score(lab, y), flush=True)
    return lab


def localscale(X, y, cost, K):
    U = unit(X); D = np.maximum(1 - U @ U.T, 0); n = len(X)
    T = D.copy(); np.fill_diagonal(T, np.inf)
    sig = np.partition(T, K - 1, axis=1)[:, K - 1]
    tag = f"ls_{cost}_{K}_{n}"
    if cost == "modularity":
        A = np.exp(-D ** 2 / np.outer(sig, sig)); np.fill_diagonal(A, 0)
        k = A.sum(1); W = A - np.outer(k, k) / k.sum()
        print(tag, f"mean sigma {sig.mean():.4f}, mean degree {k.mean():.2f}", flush=True)
    else:
        Z = D / np.sqrt(np.outer(sig, sig))
        rng = np.random.default_rng(0); i = rng.integers(0, n, 200_000); j = rng.integers(0, n, 200_000)
        keep = i != j; prm, f = fit(-Z[i[keep], j[keep]], "gauss")
        print(tag, "fit", np.round(prm, 4).tolist(), flush=True)
        W = f(-Z)
    np.fill_diagonal(W, 0)
    lab, t = solve_dense(W, tag)
    print(tag, score(lab, y), f"solve {t:.0f} s", flush=True)
    return lab


def criteria(X, y):
    U = unit(X); n = len(X); rng = np.random.default_rng(0); sub = np.sort(rng.choice(n, min(2000, n), replace=False))
    rows = []
    np.save(f"{WORK}/x.npy", X.astype(np.float32))
    for g in GRID:
        if not os.path.exists(f"{WORK}/res{g}/labels.npy"):
            subprocess.run([FC, "cluster", "--embeddings", f"{WORK}/x.npy", "--resolution", str(g), "--out", f"{WORK}/res{g}"], check=True, capture_output=True)
    for f in sorted(glob.glob(f"{WORK}/res*/labels.npy"), key=lambda p: float(p.split("/res")[-1].split("/")[0])):
        g = float(f.split("/res")[-1].split("/")[0]); b = np.load(f)
        ls = b[sub]
        sil = silhouette_score(U[sub], ls, metric="cosine") if len(np.unique(ls)) > 1 else float("nan")
        rows.append((g, len(np.unique(b)), vi(b, y), adjusted_rand_score(y, b), sil,
                     calinski_harabasz_score(U, b), davies_bouldin_score(U, b)))
        print("resolution %.3g: %d / %.3f / %.3f  silhouette %.4f  CH %.1f  DB %.3f" % rows[-1], flush=True)
    r = np.array(rows)
    for name, col, best in [("silhouette", 4, np.argmax), ("Calinski-Harabasz", 5, np.argmax), ("Davies-Bouldin", 6, np.argmin)]:
        i = best(r[:, col]); print(f"{name} picks resolution {r[i, 0]:.3g}: {int(r[i, 1])} / {r[i, 2]:.3f} / {r[i, 3]:.3f}")


def bound(X, y):
    """Every partition under --work, and the modularity of the class partition vs the found ones."""
    best, seen = [], set()
    for f in sorted(glob.glob(f"{WORK}/**/labels.npy", recursive=True)):
        b = np.load(f)
        if len(b) == len(y) and b.tobytes() not in seen:
            seen.add(b.tobytes())
            best.append((vi(b, y), adjusted_rand_score(y, b), len(np.unique(b)), f))
    best.sort()
    print("partitions:", len(best))
    for v, a, c, f in best[:12]:
        print(f"  {c} / {v:.3f} / {a:.3f}  {f}")
    ok = [r for r in best if r[1] > 0.512]
    if ok:
        print("best VI with ARI > 0.512:", "%d / %.3f / %.3f" % (ok[0][2], ok[0][0], ok[0][1]), ok[0][3])
    A = directed_memberships(X.astype(np.float64)); at = A.T.tocsr(); mu = (A + at - A.multiply(at)).tocsr()
    k = np.asarray(mu.sum(1)).ravel(); m2 = k.sum()

    def Q(b, g):
        _, b = np.unique(b, return_inverse=True); B = b.max() + 1
        co = mu.tocoo(); inside = co.data[b[co.row] == b[co.col]].sum()
        K = np.bincount(b, weights=k, minlength=B)
        return (inside - g * (K ** 2).sum() / m2) / m2
    def refine(b, g):
        """Single-node moves (Louvain's first phase) from partition b until no move raises Q_g."""
        _, b = np.unique(b, return_inverse=True); b = b.copy(); K = np.bincount(b, weights=k)
        for sweep in range(50):
            moved = 0
            for i in range(len(b)):
                lo, hi = mu.indptr[i], mu.indptr[i + 1]; nb = mu.indices[lo:hi]; w = mu.data[lo:hi]
                keep = nb != i; nb, w = nb[keep], w[keep]
                cs, inv = np.unique(np.append(b[nb], b[i]), return_inverse=True)
                wc = np.bincount(inv[:-1], weights=w, minlength=len(cs))
                own = np.searchsorted(cs, b[i])
                Kc = K[cs].copy(); Kc[own] -= k[i]
                gain = wc - g * k[i] * Kc / m2
                j = int(np.argmax(gain))
                if gain[j] > gain[own] + 1e-12:
                    K[b[i]] -= k[i]; b[i] = cs[j]; K[b[i]] += k[i]; moved += 1
            if moved == 0:
                break
        return b
    for f in sorted(glob.glob(f"{WORK}/res*/labels.npy"), key=lambda p: float(p.split("/res")[-1].split("/")[0])):
        g = float(f.split("/res")[-1].split("/")[0]); b = np.load(f)
        line = f"resolution {g:.3g}: Q(found: {score(b, y)}) {Q(b, g):.4f}  Q(classes) {Q(y, g):.4f}"
        if g in (0.5, 0.7, 1.0):
            r = refine(y, g); line += f"  Q(classes refined by node moves: {score(r, y)}) {Q(r, g):.4f}"
        print(line, flush=True)


GRID = [0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.8, 0.9, 1.0, 1.2, 1.4]


def keptaside(X, y, name):
    """A set kept aside: the default, the paper's heuristic, the mixture graph with the modularity
    null, and the resolution picked by the cosine silhouette over GRID (all GAEC + KL)."""
    global WORK
    base = WORK; WORK = f"{base}/{name}"; os.makedirs(WORK, exist_ok=True)
    np.save(f"{WORK}/x.npy", X.astype(np.float32))
    U = unit(X); best = None
    for g in GRID:
        d = f"{WORK}/res{g}"
        subprocess.run([FC, "cluster", "--embeddings", f"{WORK}/x.npy", "--resolution", str(g), "--out", d], check=True, capture_output=True)
        b = np.load(d + "/labels.npy")
        sil = silhouette_score(U, b, metric="cosine") if 1 < len(np.unique(b)) < len(b) else -1
        if g == 1.0:
            print(name, "default (resolution 1)", score(b, y), flush=True)
        best = (sil, g, b) if best is None or sil > best[0] else best
    print(name, f"silhouette picks resolution {best[1]}", score(best[2], y), flush=True)
    subprocess.run([FC, "cluster", "--embeddings", f"{WORK}/x.npy", "--costs", "paper", "--out", f"{WORK}/paper"], check=True, capture_output=True)
    print(name, "paper heuristic", score(np.load(f"{WORK}/paper/labels.npy"), y), flush=True)
    mixture(X, y, "knn-null", "gauss", "raw")
    WORK = base


def main():
    global FC, WORK
    ap = argparse.ArgumentParser()
    ap.add_argument("what", choices=["criteria", "mixture", "localscale", "bound", "set"])
    ap.add_argument("x"); ap.add_argument("y"); ap.add_argument("args", nargs="*")
    ap.add_argument("--framecut", default=FC); ap.add_argument("--work", default=WORK)
    ap.add_argument("--sub", type=int, default=0)
    a = ap.parse_intermixed_args()
    FC, WORK = os.path.abspath(a.framecut), a.work
    X = np.load(a.x); y = np.load(a.y)
    if a.sub:
        X, y = X[:a.sub], y[:a.sub]
    if a.what == "criteria":
        criteria(X, y)
    elif a.what == "set":
        keptaside(X, y, a.args[0])
    elif a.what == "bound":
        bound(X, y)
    elif a.what == "mixture":
        mixture(X, y, a.args[0], a.args[1] if len(a.args) > 1 else "gauss", a.args[2] if len(a.args) > 2 else "raw")
    else:
        localscale(X, y, a.args[0], int(a.args[1]) if len(a.args) > 1 else 7)


if __name__ == "__main__":
    main()
