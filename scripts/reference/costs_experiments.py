#!/usr/bin/env python3
"""Experiments of docs/costs.md, "Third session": ideas for a lower VI on Fashion-MNIST, label-free.
Each drives the `framecut` binary (GAEC + Kernighan-Lin) and scores against the classes.

  /usr/bin/python3 scripts/reference/costs_experiments.py scan X.npy Y.npy 0.25,0.354,0.5,0.707,1.414,2
      GAEC+KL at fixed resolutions (labels kept under --work)
  /usr/bin/python3 scripts/reference/costs_experiments.py consensus X.npy Y.npy 2
      consensus of R random splits into two disjoint halves: each half solved with the default
      costs, co-association p_ij on the 15-NN graph's edges, then a multicut of that graph with
      costs p_ij - 1/2 (also logit(p), and with the full-data partition as one more vote)
  /usr/bin/python3 scripts/reference/costs_experiments.py mdl X.npy Y.npy
      description length of the degree-corrected SBM (microcanonical, Peixoto 2017) of each
      partition of the scan on the unweighted 15-NN graph (the lowest DL would be chosen)
  /usr/bin/python3 scripts/reference/costs_experiments.py set EMB.npy Y.npy NAME
      auto / paper heuristic / auto at resolution 0.5 / k-means (true k) on an embedded image set
      (labels Y in file-name order of EMB's names file, as written by costs_reference.py)

  PYTHONPATH=/tmp/pyref-igraph /usr/bin/python3 scripts/reference/costs_experiments.py symmetrisation X.npy Y.npy
      Leiden (igraph 1.0, modularity, resolution 1, best of 3 runs) on the directed fuzzy 15-NN
      memberships a_ij symmetrised as UMAP does (union a + a' - aa'), as a sum, as an
      intersection, and on the directed graph itself (Leicht-Newman directed modularity)
  /usr/bin/python3 scripts/reference/costs_experiments.py directed X.npy Y.npy union|directed
      GAEC + KL (`framecut solve --raw-costs` on the complete graph written as text: 1.2 GB and
      ~5 min at 10k) with the default's costs (union; reproduces `framecut cluster`) or with
      directed modularity a_ij + a_ji - (k_i^out k_j^in + k_j^out k_i^in) / m
  /usr/bin/python3 scripts/reference/costs_experiments.py generate OUT.npy OUT_classes.npy 40000
      the generated set of the 40k timing: 768-d, 120 centres |N(0,1)| in the positive cone, each
      point its centre plus 0.9 |N(0,1)| noise (seed 0); then time `framecut cluster` on it with
      and without --cal 0.5

Options: --framecut BIN (default .build/release/framecut), --work DIR (default /tmp/costs-experiments).
"""
import argparse, glob, math, os, subprocess, sys, time
import numpy as np
from scipy.special import gammaln, spence
from scipy.optimize import brentq
from sklearn.metrics import adjusted_rand_score

FC, WORK = ".build/release/framecut", "/tmp/costs-experiments"


def vi(a, b):
    _, ai = np.unique(a, return_inverse=True); _, bi = np.unique(b, return_inverse=True)
    c = np.zeros((ai.max() + 1, bi.max() + 1)); np.add.at(c, (ai, bi), 1); p = c / len(a)
    pa, pb = p.sum(1), p.sum(0)
    h = lambda q: -(q[q > 0] * np.log(q[q > 0])).sum()
    nz = p > 0
    return h(pa) + h(pb) - 2 * (p[nz] * np.log(p[nz] / np.outer(pa, pb)[nz])).sum()


def score(lab, y):
    return f"{len(np.unique(lab))} / {vi(lab, y):.3f} / {adjusted_rand_score(y, lab):.3f}"


def cluster(X, tag, extra=()):
    d = f"{WORK}/{tag}"; os.makedirs(d, exist_ok=True)
    np.save(d + "/x.npy", X.astype(np.float32))
    t = time.time()
    subprocess.run([FC, "cluster", "--embeddings", d + "/x.npy", "--out", d + "/o", *extra], check=True, capture_output=True)
    return np.load(d + "/o/labels.npy"), time.time() - t


def knn_edges(X, k=15):
    u = X / np.linalg.norm(X, axis=1, keepdims=True)
    s = u @ u.T; np.fill_diagonal(s, -np.inf)
    nn = np.argpartition(-s, k, axis=1)[:, :k]
    r = np.repeat(np.arange(len(X)), k); c = nn.ravel()
    return np.unique(np.stack([np.minimum(r, c), np.maximum(r, c)], 1), axis=0)


def solve_graph(n, e, w, tag):
    d = f"{WORK}/{tag}"; os.makedirs(d, exist_ok=True)
    with open(d + "/g.txt", "w") as f:
        f.write(f"{n} {len(e)}\n")
        f.write("".join(f"{i} {j} {c:.6f}\n" for (i, j), c in zip(e, w)))
    subprocess.run([FC, "solve", "--graph", d + "/g.txt", "--raw-costs", "--out", d + "/o"], check=True, capture_output=True)
    return np.load(d + "/o/labels.npy")


def lbinom(n, k): return gammaln(n + 1) - gammaln(k + 1) - gammaln(n - k + 1)


def log_q(m, n):
    """log of the number of partitions of m into at most n parts (Szekeres' asymptotic, as graph-tool)."""
    n = min(n, m)
    if m <= 1 or n <= 1:
        return 0.0
    u = n / math.sqrt(m)
    v = brentq(lambda v: v - u * math.sqrt(max(-v * v / 2 - spence(math.exp(v)), 1e-300)), 1e-10, 50)
    f = v / (2 ** 1.5 * math.pi * u) * (1 - (1 + u * u / 2) * math.exp(-v)) ** -0.5
    return math.log(f) - math.log(m) + math.sqrt(m) * (2 * v / u - u * math.log(1 - math.exp(-v)))


def description_length(e, b, n):
    """Microcanonical DC-SBM description length (nats) of partition b of the simple graph e."""
    _, b = np.unique(b, return_inverse=True); B = b.max() + 1; E = len(e)
    k = np.bincount(e.ravel(), minlength=n)
    M = np.zeros((B, B)); np.add.at(M, (b[e[:, 0]], b[e[:, 1]]), 1); M = M + M.T
    er = M.sum(1); nr = np.bincount(b, minlength=B); dg = np.diag(M) / 2
    iu = np.triu_indices(B, 1)
    loglik = gammaln(M[iu] + 1).sum() + (gammaln(dg + 1) + dg * np.log(2)).sum() + gammaln(k + 1).sum() - gammaln(er + 1).sum()
    prior_e = lbinom(B * (B + 1) / 2 + E - 1, E)
    prior_b = lbinom(n - 1, B - 1) + gammaln(n + 1) - gammaln(nr + 1).sum() + np.log(n)
    prior_k = sum(log_q(int(er[r]), int(nr[r])) + gammaln(nr[r] + 1) - gammaln(np.bincount(k[b == r]) + 1).sum() for r in range(B))
    return -loglik + prior_e + prior_b + prior_k


def directed_memberships(X, k=15):
    """UMAP's directed fuzzy memberships a_ij (smooth_knn_dist on cosine distances), sparse."""
    import scipy.sparse as sp
    u = X / np.linalg.norm(X, axis=1, keepdims=True)
    d = 1 - u @ u.T; np.fill_diagonal(d, np.inf); n = len(X)
    nn = np.argpartition(d, k, axis=1)[:, :k]
    dn = np.maximum(np.take_along_axis(d, nn, 1), 0)
    rho = np.array([r[r > 0].min() if (r > 0).any() else 0 for r in dn])
    sig = np.empty(n)
    for i in range(n):
        lo, hi, mid = 0.0, np.inf, 1.0
        x = np.maximum(0, dn[i] - rho[i])
        for _ in range(64):
            t = np.exp(-x / mid).sum()
            if abs(t - np.log2(k)) < 1e-5:
                break
            if t > np.log2(k):
                hi = mid; mid = (lo + hi) / 2
            else:
                lo = mid; mid = mid * 2 if hi == np.inf else (lo + hi) / 2
        sig[i] = max(mid, 1e-3 * dn[i].mean(), 1e-12)
    w = np.exp(-np.maximum(0, dn - rho[:, None]) / sig[:, None])
    return sp.csr_matrix((w.ravel(), (np.repeat(np.arange(n), k), nn.ravel())), shape=(n, n))


def symmetrisation(X, y):
    import igraph as ig, random, scipy.sparse as sp
    a = directed_memberships(X.astype(np.float64)); at = a.T.tocsr(); prod = a.multiply(at)
    graphs = [("union a + a' - aa'", sp.triu(a + at - prod, 1).tocoo(), False), ("sum a + a'", sp.triu(a + at, 1).tocoo(), False),
              ("intersection aa'", sp.triu(prod, 1).tocoo(), False), ("directed a (Leicht-Newman)", a.tocoo(), True)]
    for name, W, directed in graphs:
        g = ig.Graph(n=len(X), edges=list(zip(W.row.tolist(), W.col.tolist())), directed=directed, edge_attrs={"weight": W.data.tolist()})
        best = None
        for seed in range(3):
            random.seed(seed)
            p = g.community_leiden(objective_function="modularity", weights="weight", resolution=1.0, n_iterations=-1)
            best = p if best is None or p.q > best.q else best
        print(f"{name}: {score(np.array(best.membership), y)} (Q {best.q:.4f})", flush=True)


def main():
    global FC, WORK
    ap = argparse.ArgumentParser()
    ap.add_argument("what", choices=["scan", "consensus", "mdl", "set", "generate", "symmetrisation", "directed"])
    ap.add_argument("x"); ap.add_argument("y"); ap.add_argument("arg", nargs="?")
    ap.add_argument("--framecut", default=FC); ap.add_argument("--work", default=WORK)
    a = ap.parse_args()
    FC, WORK = a.framecut, a.work
    if a.what == "generate":
        r = np.random.default_rng(0); n, d, k = int(a.arg), 768, 120
        c = np.abs(r.standard_normal((k, d))); lab = r.integers(0, k, n)
        np.save(a.x, (c[lab] + 0.9 * np.abs(r.standard_normal((n, d)))).astype(np.float32))
        np.save(a.y, lab.astype(np.int32))
        return
    X = np.load(a.x); y = np.load(a.y); n = len(X)
    if a.what == "symmetrisation":
        symmetrisation(X, y)
    elif a.what == "directed":
        A = directed_memberships(X.astype(np.float64)).toarray()
        if a.arg == "union":
            mu = A + A.T - A * A.T; k = mu.sum(1); W = mu - np.outer(k, k) / k.sum()
        else:
            m = A.sum(); ko = A.sum(1); ki = A.sum(0)
            W = A + A.T - (np.outer(ko, ki) + np.outer(ki, ko)) / m
        iu = np.triu_indices(n, 1); d = f"{WORK}/complete_{a.arg}"; os.makedirs(d, exist_ok=True)
        with open(d + "/g.txt", "w") as f:
            f.write(f"{n} {len(iu[0])}\n")
            for s0 in range(0, len(iu[0]), 2_000_000):
                r, c = iu[0][s0:s0 + 2_000_000], iu[1][s0:s0 + 2_000_000]
                np.savetxt(f, np.column_stack([r, c, W[r, c]]), fmt="%d %d %.7g")
        subprocess.run([FC, "solve", "--graph", d + "/g.txt", "--raw-costs", "--out", d + "/o"], check=True, capture_output=True)
        os.remove(d + "/g.txt")
        print(a.arg, score(np.load(d + "/o/labels.npy"), y))
    elif a.what == "scan":
        for g in [float(v) for v in a.arg.split(",")]:
            lab, t = cluster(X, f"res{g}", ["--resolution", str(g)])
            np.save(f"{WORK}/res{g}.labels.npy", lab)
            print(g, score(lab, y), f"{t:.1f} s", flush=True)
    elif a.what == "mdl":
        e = knn_edges(X)
        for f in sorted(glob.glob(f"{WORK}/res*.labels.npy")):
            b = np.load(f)
            print(os.path.basename(f)[3:-11], score(b, y), f"DL {description_length(e, b, n):.1f}", flush=True)
        print("one cluster", f"DL {description_length(e, np.zeros(n, int), n):.1f}")
    elif a.what == "consensus":
        full, _ = cluster(X, "full"); print("full", score(full, y), flush=True)
        e = knn_edges(X); rng = np.random.default_rng(0); parts = []
        for r in range(int(a.arg)):
            perm = rng.permutation(n)
            for h, idx in enumerate((np.sort(perm[:n // 2]), np.sort(perm[n // 2:]))):
                lab, t = cluster(X[idx], f"half{r}_{h}")
                print(" half", r, h, score(lab, y[idx]), f"{t:.1f} s", flush=True)
                p = -np.ones(n, int); p[idx] = lab; parts.append(p)
        P = np.array(parts)
        both = (P[:, e[:, 0]] >= 0) & (P[:, e[:, 1]] >= 0)
        same = (both & (P[:, e[:, 0]] == P[:, e[:, 1]])).sum(0); cnt = both.sum(0)
        p = np.where(cnt > 0, same / np.maximum(cnt, 1), 0.5)
        print("edges", len(e), "never in the same half", int((cnt == 0).sum()))
        print("consensus, p - 1/2", score(solve_graph(n, e, p - 0.5, "cons"), y))
        p2 = (same + (full[e[:, 0]] == full[e[:, 1]])) / (cnt + 1)
        print("consensus with the full partition, p - 1/2", score(solve_graph(n, e, p2 - 0.5, "cons2"), y))
        pc = np.clip(p, 0.02, 0.98)
        print("consensus, logit(p)", score(solve_graph(n, e, np.log(pc / (1 - pc)), "cons3"), y))
    else:
        from sklearn.cluster import KMeans
        order = [int(os.path.splitext(os.path.basename(l.strip()))[0]) for l in open(a.x[:-4] + ".names.txt") if l.strip()]
        y = y[np.array(order)]
        for tag, extra in [("auto", []), ("paper heuristic", ["--costs", "paper"]), ("auto, resolution 0.5", ["--resolution", "0.5"])]:
            lab, t = cluster(X, f"{a.arg}_{len(extra)}_{extra[-1] if extra else ''}", extra)
            print(a.arg, tag, score(lab, y), f"{t:.1f} s", flush=True)
        k = len(np.unique(y))
        u = X / np.linalg.norm(X, axis=1, keepdims=True)
        print(a.arg, f"k-means, k = {k}", score(KMeans(k, n_init=10, random_state=0).fit_predict(u), y))


if __name__ == "__main__":
    main()
