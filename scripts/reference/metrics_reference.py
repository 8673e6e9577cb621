#!/usr/bin/python3
"""Reference values for FrameCut's metrics tests (issue 3).

Writes small fixtures and the values scikit-learn / SciPy / NumPy compute for them to
Tests/FrameCutCoreTests/Fixtures/metrics/*.json. The Swift tests compare to 1e-10.

Run from the repository root with Debian's Python (python3-sklearn, python3-scipy,
python3-numpy):

    /usr/bin/python3 scripts/reference/metrics_reference.py

The output is deterministic (seeded); rerunning it must leave `git status` clean.
"""
import json
import math
import os
import sys

import numpy as np
import scipy
import scipy.stats
import sklearn
from sklearn.metrics import adjusted_rand_score
from sklearn.metrics.cluster import contingency_matrix

OUT = os.path.join("Tests", "FrameCutCoreTests", "Fixtures", "metrics")


def entropy_from_counts(counts, n):
    p = np.asarray(counts, dtype=np.float64) / n
    p = p[p > 0]
    return float(-(p * np.log(p)).sum())


def conditional_entropy(table, n, given_axis):
    """H(X | Y) from a dense contingency table; Y is the axis `given_axis` sums over."""
    table = np.asarray(table, dtype=np.float64)
    marg = table.sum(axis=1 - given_axis)  # marginal of the conditioning labelling
    h = 0.0
    for idx, nij in np.ndenumerate(table):
        if nij == 0:
            continue
        nj = marg[idx[given_axis]]
        h -= nij / n * math.log(nij / nj)
    return h


def labelling_reference(a, b):
    a = np.asarray(a)
    b = np.asarray(b)
    n = len(a)
    table = contingency_matrix(a, b)  # rows: unique(a) sorted, columns: unique(b) sorted
    h_a = entropy_from_counts(table.sum(axis=1), n)
    h_b = entropy_from_counts(table.sum(axis=0), n)
    h_ab = entropy_from_counts(table.ravel(), n)
    h_a_given_b = conditional_entropy(table, n, given_axis=1)
    h_b_given_a = conditional_entropy(table, n, given_axis=0)
    vi = h_a_given_b + h_b_given_a
    return {
        "n": n,
        "contingency": table.tolist(),
        "entropy_a": h_a,
        "entropy_b": h_b,
        "joint_entropy": h_ab,
        "entropy_a_given_b": h_a_given_b,
        "entropy_b_given_a": h_b_given_a,
        "vi": vi,
        "vi_bits": vi / math.log(2),
        "mutual_information": max(0.0, h_a - h_a_given_b),
        "normalized_vi": vi / math.log(n) if n > 1 else 0.0,
        "joint_normalized_vi": vi / h_ab if h_ab > 0 else 0.0,
        "ari": float(adjusted_rand_score(a, b)),
        "purity_a": float(table.max(axis=1).sum() / n),
        "purity_b": float(table.max(axis=0).sum() / n),
    }


def size_statistics(labels):
    _, sizes = np.unique(np.asarray(labels), return_counts=True)
    n = int(sizes.sum())
    return {
        "clusters": int(len(sizes)),
        "min": int(sizes.min()),
        "max": int(sizes.max()),
        "mean": float(sizes.mean()),
        "median": float(np.median(sizes)),
        "quartiles": [float(q) for q in np.quantile(sizes, [0.25, 0.5, 0.75])],
        "singleton_share": float((sizes == 1).sum() / n),
    }


def labelling_cases(rng):
    cases = []

    def add(name, a, b):
        a = [int(x) for x in a]
        b = [int(x) for x in b]
        ref = labelling_reference(a, b)
        ref["stats_a"] = size_statistics(a)
        cases.append({"name": name, "a": a, "b": b, "reference": ref})

    add("random_50_k5_k7", rng.integers(0, 5, 50), rng.integers(0, 7, 50))
    add("random_200_k20_k3", rng.integers(0, 20, 200), rng.integers(0, 3, 200))
    x = rng.integers(0, 30, 1000)
    add("random_1000_k30_k100", x, rng.integers(0, 100, 1000))
    noisy = x.copy()
    flip = rng.random(1000) < 0.1
    noisy[flip] = rng.integers(0, 30, int(flip.sum()))
    add("noisy_copy_1000", x, noisy)
    same = rng.integers(0, 8, 60)
    add("identical_60", same, same)
    perm = rng.permutation(8)
    add("relabelled_60", same, perm[same])
    add("one_cluster_vs_singletons_10", [0] * 10, list(range(10)))
    add("singletons_vs_singletons_7", list(range(7)), list(range(6, -1, -1)))
    add("one_vs_one_5", [3] * 5, [9] * 5)
    add("single_item", [4], [2])
    add("sparse_label_values", [5, 100, -3, 5, 100, -3, 7, 7], [0, 0, 1, 1, 2, 2, 3, 3])
    add("anti_correlated_4", [0, 0, 1, 1], [0, 1, 0, 1])
    add("skewed_sizes_40", [0] * 30 + [1] * 5 + list(range(2, 7)), rng.integers(0, 4, 40))
    return cases


def kde_cases(rng):
    cases = []
    data = rng.normal(0.3, 0.1, 100)
    grid = np.linspace(data.min() - 0.2, data.max() + 0.2, 25)
    kde = scipy.stats.gaussian_kde(data)
    cases.append({"name": "normal_100", "values": data.tolist(), "weights": None,
                  "x": grid.tolist(), "density": kde(grid).tolist(),
                  "factor": float(kde.factor), "covariance": float(kde.covariance[0, 0]),
                  "neff": float(kde.neff)})
    data = np.concatenate([rng.normal(-0.5, 0.05, 30), rng.normal(0.6, 0.2, 70)])
    w = rng.random(100) + 0.1
    grid = np.linspace(-1, 1, 31)
    kde = scipy.stats.gaussian_kde(data, weights=w)
    cases.append({"name": "bimodal_weighted_100", "values": data.tolist(), "weights": w.tolist(),
                  "x": grid.tolist(), "density": kde(grid).tolist(),
                  "factor": float(kde.factor), "covariance": float(kde.covariance[0, 0]),
                  "neff": float(kde.neff)})
    data = np.array([0.0, 1.0, 1.0, 3.0])
    grid = np.array([-1.0, 0.0, 0.5, 1.0, 2.0, 4.0])
    kde = scipy.stats.gaussian_kde(data)
    cases.append({"name": "tiny_4", "values": data.tolist(), "weights": None,
                  "x": grid.tolist(), "density": kde(grid).tolist(),
                  "factor": float(kde.factor), "covariance": float(kde.covariance[0, 0]),
                  "neff": float(kde.neff)})
    return cases


def similarity_case(rng):
    n, d = 40, 8
    # A shared direction plus noise: a "cone" with mean cosine well above 0.
    x = (rng.normal(0, 1, (n, d)) + 1.5 * rng.normal(0, 1, d)).astype(np.float32)
    x64 = x.astype(np.float64)
    xn = x64 / np.linalg.norm(x64, axis=1, keepdims=True)
    s = xn @ xn.T
    iu = np.triu_indices(n, k=1)
    s = np.clip(s[iu], -1.0, 1.0)
    lo, hi = float(s.min()), float(s.max())
    p = (s - lo) / (hi - lo)
    bins = 20
    kde = scipy.stats.gaussian_kde(s)
    grid = np.linspace(lo, hi, 16)
    levels = [0.001, 0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99, 0.999]
    mu = float(p.mean())
    return {
        "n": n, "d": d,
        "embeddings": [float(v) for v in x.ravel()],  # float32 values, exact in float64
        "pairs": int(len(s)),
        "min": lo, "max": hi, "mean": float(s.mean()), "std": float(s.std()),
        "quantile_levels": levels,
        "quantiles": [float(q) for q in np.quantile(s, levels)],
        "raw_histogram_bins": bins,
        "raw_histogram": np.histogram(s, bins=bins, range=(-1.0, 1.0))[0].tolist(),
        "normalized_histogram": np.histogram(p, bins=bins, range=(0.0, 1.0))[0].tolist(),
        "mu": mu,
        "normalized_std": float(p.std()),
        "share_above": {str(t): float((s > t).mean()) for t in (0.5, 0.8, 0.9)},
        "kde_x": grid.tolist(),
        "kde_density": kde(grid).tolist(),
        "kde_bandwidth": float(math.sqrt(kde.covariance[0, 0])),
        "cal_heuristic": 0.94 - 0.98 * mu,
        "similarities": s.tolist(),
    }


def histogram_cases(rng):
    cases = []
    v = rng.normal(0, 1, 500)
    cases.append({"name": "normal_500_auto_range", "values": v.tolist(), "bins": 17, "range": None,
                  "counts": np.histogram(v, bins=17)[0].tolist(),
                  "edges": np.histogram(v, bins=17)[1].tolist()})
    v = np.round(rng.random(300) * 10) / 10  # many values exactly on edges
    cases.append({"name": "edges_300", "values": v.tolist(), "bins": 10, "range": [0.0, 1.0],
                  "counts": np.histogram(v, bins=10, range=(0.0, 1.0))[0].tolist(),
                  "edges": np.histogram(v, bins=10, range=(0.0, 1.0))[1].tolist()})
    v = np.array([2.5, 2.5, 2.5])
    cases.append({"name": "constant_3", "values": v.tolist(), "bins": 4, "range": None,
                  "counts": np.histogram(v, bins=4)[0].tolist(),
                  "edges": np.histogram(v, bins=4)[1].tolist()})
    return cases


def write(name, payload):
    path = os.path.join(OUT, name)
    with open(path, "w") as f:
        json.dump(payload, f, indent=1, sort_keys=True)
        f.write("\n")
    print(f"wrote {path}", file=sys.stderr)


def main():
    if not os.path.isdir(OUT):
        os.makedirs(OUT)
    versions = {"numpy": np.__version__, "scipy": scipy.__version__, "sklearn": sklearn.__version__}
    rng = np.random.default_rng(20250101)
    write("labellings.json", {"generator": "scripts/reference/metrics_reference.py", "versions": versions,
                              "cases": labelling_cases(rng)})
    write("kde.json", {"generator": "scripts/reference/metrics_reference.py", "versions": versions,
                       "cases": kde_cases(rng)})
    write("histograms.json", {"generator": "scripts/reference/metrics_reference.py", "versions": versions,
                              "cases": histogram_cases(rng)})
    write("similarity.json", {"generator": "scripts/reference/metrics_reference.py", "versions": versions,
                              "case": similarity_case(rng)})


if __name__ == "__main__":
    main()
