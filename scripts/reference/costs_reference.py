#!/usr/bin/env python3
"""Reference clusterings for `framecut bench costs` (issue 16).

Runs the label-using and label-free baselines that FrameCut's cost models are compared with,
on the Fashion-MNIST test set (real EfficientNet-Lite0 embeddings, labels from Debian's
dataset-fashion-mnist) and on small labelled sets that scikit-learn and scikit-image carry (kept
aside for checking that the default generalises: nothing is tuned on them). Two of them are image
sets embedded by FrameCut itself with the real EfficientNet-Lite0 weights (`framecut embed`, the
model's own preprocessing: bicubic upscale of the short side to 256, centre crop 224):
  digits-lite0   scikit-learn's 1797 8x8 digits (gray 0..16 scaled to 0..255), 10 classes
  lfw-lite0      scikit-image's lfw_subset: 100 faces then 100 non-faces (25x25 gray), 2 classes
These two need --framecut and --lite0-weights (scripts/fetch_test_data.sh fetches the weights);
lfw-lite0 also needs scikit-image's data: an importable skimage or --skimage-wheel (the
scikit-image 0.22.0 wheel, e.g. `pip download --no-deps scikit-image==0.22.0`). Missing inputs
skip the set with a message.

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
      --fmnist-labels /usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz --out bench/costs \
      --framecut .build/release/framecut --lite0-weights .cache/test-data/efficientnet-lite0-57934424.pth \
      --skimage-wheel scikit_image-0.22.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl
"""
import argparse, gzip, io, json, os, subprocess, sys, time, zipfile
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


def lfw_subset(wheel):
    """scikit-image's lfw_subset (200 x 25 x 25 in [0, 1]; 100 faces, then 100 non-faces), or None."""
    if wheel:
        with zipfile.ZipFile(wheel) as z:
            return np.load(io.BytesIO(z.read("skimage/data/lfw_subset.npy")))
    try:
        from skimage import data
        return data.lfw_subset()
    except ImportError:
        return None


def lite0_embeddings(framecut, weights, images, labels, folder):
    """Writes the gray images (uint8) as PNGs into folder/images, embeds them with `framecut embed`
    (EfficientNet-Lite0, real weights) and returns (embeddings, labels) in the names file's order."""
    from PIL import Image
    img = os.path.join(folder, "images")
    os.makedirs(img, exist_ok=True)
    for i, im in enumerate(images):
        Image.fromarray(im).save(os.path.join(img, f"{i:05d}.png"))
    out = os.path.join(folder, "lite0.npy")
    subprocess.run([framecut, "embed", img, "--model", "efficientnet-lite0", "--weights", weights, "--out", out,
                    "--store", os.path.join(folder, "store.sqlite"), "--quiet"], check=True)
    with open(out[:-4] + ".names.txt") as f:
        order = [int(os.path.splitext(os.path.basename(line.strip()))[0]) for line in f if line.strip()]
    x = np.load(out)
    if len(order) != len(images) or x.shape[0] != len(images):
        sys.exit(f"{out}: {x.shape[0]} rows for {len(images)} images")
    return x.astype(np.float32), labels[np.array(order)].astype(np.int32)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--fmnist", default="../shared/instances/fmnist_t10k_lite0.npz")
    ap.add_argument("--fmnist-labels", default="/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz")
    ap.add_argument("--out", default="bench/costs")
    ap.add_argument("--framecut", help="framecut binary, for the two image sets embedded by EfficientNet-Lite0")
    ap.add_argument("--lite0-weights", help="efficientnet-lite0-57934424.pth (scripts/fetch_test_data.sh)")
    ap.add_argument("--skimage-wheel", help="scikit-image 0.22.0 wheel holding skimage/data/lfw_subset.npy")
    ap.add_argument("--only", help="only these sets (comma separated), keeping the others of an existing reference.json")
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
    if a.framecut and a.lite0_weights:
        g = (d.images * 255 / 16).round().astype(np.uint8)
        x, yy = lite0_embeddings(a.framecut, a.lite0_weights, g, d.target, os.path.join(a.out, "digits-lite0"))
        sets["digits-lite0"] = (x, yy, 10, "scikit-learn digits, 8x8 upscaled to 224, EfficientNet-Lite0 embeddings (1280-d)")
        faces = lfw_subset(a.skimage_wheel)
        if faces is None:
            print("scikit-image data not found (no skimage, no --skimage-wheel): lfw-lite0 skipped", file=sys.stderr)
        else:
            g = (np.clip(faces, 0, 1) * 255).round().astype(np.uint8)
            x, yy = lite0_embeddings(a.framecut, a.lite0_weights, g, (np.arange(len(g)) >= len(g) // 2).astype(np.int32),
                                     os.path.join(a.out, "lfw-lite0"))
            sets["lfw-lite0"] = (x, yy, 10, "scikit-image lfw_subset, 100 faces + 100 non-faces, 25x25 upscaled, EfficientNet-Lite0 embeddings (1280-d)")
    else:
        print("no --framecut / --lite0-weights: the image sets digits-lite0 and lfw-lite0 are skipped", file=sys.stderr)
    report = {"generator": "scripts/reference/costs_reference.py", "sets": {}}
    only = set(a.only.split(",")) if a.only else None
    if only is not None and os.path.exists(os.path.join(a.out, "reference.json")):
        with open(os.path.join(a.out, "reference.json")) as f:
            report["sets"] = {k: v for k, v in json.load(f)["sets"].items() if k not in only}

    def save():
        with open(os.path.join(a.out, "reference.json.tmp"), "w") as f:
            json.dump(report, f, indent=1, sort_keys=True)
            f.write("\n")
        os.replace(os.path.join(a.out, "reference.json.tmp"), os.path.join(a.out, "reference.json"))

    # The small sets first, so a partial run is already usable.
    for name in sorted(sets, key=lambda s: s == "fmnist"):
        if only is not None and name not in only:
            continue
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
