#!/usr/bin/env python3
"""Reference clusterings for `framecut bench costs` (issue 16).

Runs the label-using and label-free baselines that FrameCut's cost models are compared with,
on the Fashion-MNIST test set (real EfficientNet-Lite0 embeddings, labels from Debian's
dataset-fashion-mnist) and on small labelled sets that scikit-learn carries (kept aside for
checking that the default generalises: nothing is tuned on them).

Writes into OUT (default bench/costs):
  reference.json            per set: n, d, classes, and per method: needs, clusters, vi (nats), ari
  <set>.embeddings.npy      float32 rows (not for fmnist: that one is read from the shared npz)
  <set>.labels.npy          int32 class per row

Methods: k-means (k = true k, n_init 10), agglomerative (Ward, true k), HDBSCAN (min cluster
size 100 for fmnist, 10 for the small sets), UMAP (10-d, 30 neighbours, cosine) + HDBSCAN
(the BERTopic recipe) and UMAP + k-means (true k). UMAP and HDBSCAN come from PyPI
(umap-learn 0.5.5, numba 0.58.1, llvmlite 0.41.1, pynndescent 0.5.11, hdbscan 0.8.33, tqdm,
installed with `pip install --no-deps --target /tmp/pyref-umap ...`); put that folder on
PYTHONPATH. Without them those rows are skipped and say so. Seeds are fixed (0).

  PYTHONPATH=/tmp/pyref-umap /usr/bin/python3 scripts/reference/costs_reference.py \
      --fmnist ../shared/instances/fmnist_t10k_lite0.npz \
      --fmnist-labels /usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz --out bench/costs
"""
import argparse, gzip, json, os, sys, time
import numpy as np
from sklearn import datasets
from sklearn.cluster import KMeans, AgglomerativeClustering
from sklearn.metrics import adjusted_rand_score
from sklearn.metrics.cluster import contingency_matrix
from sklearn.preprocessing import StandardScaler


def variation_of_information(a, b):
    """VI in nats: H(A|B) + H(B|A)."""
    c = contingency_matrix(a, b).astype(np.float64)
    p = c / c.sum()
    pa, pb = p.sum(1, keepdims=True), p.sum(0, keepdims=True)
    rows, cols = np.nonzero(p)
    q = p[rows, cols]
    return float(-(q * (np.log(q / pa[rows, 0]) + np.log(q / pb[0, cols]))).sum())


def score(labels, truth):
    return {"clusters": int(len(np.unique(labels))), "vi": round(variation_of_information(labels, truth), 4),
            "ari": round(float(adjusted_rand_score(truth, labels)), 4)}


def read_idx_labels(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        raw = f.read()
    if int.from_bytes(raw[0:4], "big") != 0x801:
        sys.exit(f"{path}: not an IDX label file")
    return np.frombuffer(raw, np.uint8, offset=8).astype(np.int32)


def unit_rows(x):
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def run_methods(x, y, min_cluster_size, umap_mod, hdbscan_mod, rows, save):
    """Fills `rows` method by method (cheap ones first), calling save() after each."""
    k = int(len(np.unique(y)))
    u = unit_rows(x.astype(np.float64))
    t = time.time()

    def done(name, needs, labels):
        rows[name] = dict(needs=needs, **score(labels, y))
        print(f"  {name}: {rows[name]} ({time.time() - t:.0f} s)", file=sys.stderr)
        save()

    done(f"k-means, k = {k} (n_init 10)", "the true k", KMeans(k, n_init=10, random_state=0).fit_predict(u))
    if umap_mod is not None:
        z = umap_mod.UMAP(n_components=10, n_neighbors=30, metric="cosine", min_dist=0.0, random_state=0).fit_transform(u)
        done(f"UMAP (10-d, 30 neighbours, cosine) + k-means, k = {k}", "the true k", KMeans(k, n_init=10, random_state=0).fit_predict(z))
        if hdbscan_mod is not None:
            done(f"UMAP (same) + HDBSCAN (min cluster size {min_cluster_size})", "a size parameter",
                 relabel_noise(hdbscan_mod.HDBSCAN(min_cluster_size=min_cluster_size).fit_predict(z)))
    done(f"agglomerative (Ward), k = {k}", "the true k", AgglomerativeClustering(k, linkage="ward").fit_predict(u))
    if hdbscan_mod is not None:
        done(f"HDBSCAN (min cluster size {min_cluster_size})", "a size parameter",
             relabel_noise(hdbscan_mod.HDBSCAN(min_cluster_size=min_cluster_size).fit_predict(u)))


def relabel_noise(lab):
    """HDBSCAN's noise (-1) becomes one singleton cluster per point, as a partition needs."""
    lab = lab.copy()
    noise = np.flatnonzero(lab < 0)
    lab[noise] = lab.max() + 1 + np.arange(len(noise))
    return lab


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--fmnist", default="../shared/instances/fmnist_t10k_lite0.npz")
    ap.add_argument("--fmnist-labels", default="/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz")
    ap.add_argument("--out", default="bench/costs")
    a = ap.parse_args()
    try:
        import umap as umap_mod
    except ImportError:
        umap_mod = None
        print("umap-learn not importable: UMAP rows skipped", file=sys.stderr)
    try:
        import hdbscan as hdbscan_mod
    except ImportError:
        hdbscan_mod = None
        print("hdbscan not importable: HDBSCAN rows skipped", file=sys.stderr)
    os.makedirs(a.out, exist_ok=True)
    sets = {}
    x = np.load(a.fmnist)["embeddings"]
    y = read_idx_labels(a.fmnist_labels)
    np.save(os.path.join(a.out, "fmnist.labels.npy"), y)
    sets["fmnist"] = (x, y, 100, "Fashion-MNIST test set, EfficientNet-Lite0 embeddings (1280-d)")
    d = datasets.load_digits()
    sets["digits"] = (d.data.astype(np.float32), d.target.astype(np.int32), 10, "scikit-learn digits, raw 8x8 pixels (64-d)")
    w = datasets.load_wine()
    sets["wine"] = (StandardScaler().fit_transform(w.data).astype(np.float32), w.target.astype(np.int32), 10, "scikit-learn wine, standardised features (13-d)")
    b = datasets.load_breast_cancer()
    sets["breast-cancer"] = (StandardScaler().fit_transform(b.data).astype(np.float32), b.target.astype(np.int32), 10, "scikit-learn breast cancer, standardised features (30-d)")
    report = {"generator": "scripts/reference/costs_reference.py", "sets": {}}

    def save():
        with open(os.path.join(a.out, "reference.json.tmp"), "w") as f:
            json.dump(report, f, indent=1, sort_keys=True)
            f.write("\n")
        os.replace(os.path.join(a.out, "reference.json.tmp"), os.path.join(a.out, "reference.json"))

    # The small sets first, so a partial run is already usable.
    for name in sorted(sets, key=lambda s: s == "fmnist"):
        x, y, mcs, title = sets[name]
        print(f"{name}: {x.shape}", file=sys.stderr)
        if name != "fmnist":
            np.save(os.path.join(a.out, f"{name}.embeddings.npy"), x.astype(np.float32))
            np.save(os.path.join(a.out, f"{name}.labels.npy"), y.astype(np.int32))
        rows = {}
        report["sets"][name] = {"title": title, "n": int(x.shape[0]), "d": int(x.shape[1]), "classes": int(len(np.unique(y))),
                                "methods": rows}
        run_methods(x, y, mcs, umap_mod, hdbscan_mod, rows, save)


if __name__ == "__main__":
    main()
