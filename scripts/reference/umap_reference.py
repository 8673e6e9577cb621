#!/usr/bin/env python3
"""Reference numbers for FrameCut's UMAP (Sources/FrameCutCore/Embedding2D).

Writes Tests/FrameCutReportTests/Fixtures/:
  digits_1797x64.u8   scikit-learn's digits data set, 1797 rows x 64 uint8 values (0..16), row-major
  digits_spectral_1797x2.f32  umap-learn's spectral_layout of its fuzzy graph of digits (pruned for
                      200 epochs), float32 little-endian, row-major
  umap_reference.json umap-learn's trustworthiness on it (k = 5 and 15, several seeds, spectral
                      and PCA initialisation, euclidean metric, n_neighbors 15, min_dist 0.1),
                      the a/b curve parameters for a few (spread, min_dist) pairs, the
                      trustworthiness of a plain 2-D PCA projection as a floor, and scikit-learn's
                      trustworthiness of a fixed linear projection (checks FrameCut's implementation),
                      and the two smallest non-trivial eigenvalues of the pruned graph's normalised
                      Laplacian (spectral_eigenvalues).

Reference stack: Debian python3-sklearn 1.2 and umap-learn 0.5.5 with pynndescent, numba 0.58,
llvmlite installed by
  python3 -m pip install --target /tmp/pyref-umap umap-learn==0.5.5 pynndescent numba llvmlite
and run as
  PYTHONPATH=/tmp/pyref-umap /usr/bin/python3 scripts/reference/umap_reference.py
"""
import json
import os
import numpy as np
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.manifold import trustworthiness
import umap
from umap.umap_ import find_ab_params

out = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "FrameCutReportTests", "Fixtures")
os.makedirs(out, exist_ok=True)
X = load_digits().data.astype(np.uint8)
assert X.shape == (1797, 64)
X.tofile(os.path.join(out, "digits_1797x64.u8"))
Xf = X.astype(np.float32)

result = {"data": "sklearn digits 1797x64", "umap_learn": umap.__version__, "n_neighbors": 15, "min_dist": 0.1,
          "metric": "euclidean", "runs": [], "ab": []}
for init in ["spectral", "pca"]:
    for seed in [0, 1, 2]:
        Y = umap.UMAP(n_neighbors=15, min_dist=0.1, init=init, random_state=seed).fit_transform(Xf)
        result["runs"].append({"init": init, "seed": seed,
                               "trustworthiness_5": float(trustworthiness(Xf, Y, n_neighbors=5)),
                               "trustworthiness_15": float(trustworthiness(Xf, Y, n_neighbors=15))})
P = PCA(n_components=2, random_state=0).fit_transform(Xf)
result["pca_trustworthiness_5"] = float(trustworthiness(Xf, P, n_neighbors=5))
result["pca_trustworthiness_15"] = float(trustworthiness(Xf, P, n_neighbors=15))
# A fixed linear projection (the same formula in the Swift test) to check the trustworthiness
# implementation itself against scikit-learn's.
i = np.arange(64, dtype=np.float64)
R = np.stack([np.sin(i + 1), np.cos(2 * i + 1)], axis=1)
L = X.astype(np.float64) @ R
result["projection_trustworthiness_5"] = float(trustworthiness(X.astype(np.float64), L, n_neighbors=5))
result["projection_trustworthiness_15"] = float(trustworthiness(X.astype(np.float64), L, n_neighbors=15))
# The spectral initialisation itself: umap-learn's spectral_layout of its own fuzzy graph of
# digits, pruned as simplicial_set_embedding does for 200 epochs (edges below max/200 dropped),
# and the two smallest non-trivial eigenvalues of that graph's normalised Laplacian.
import scipy.sparse
from umap.spectral import spectral_layout
fitted = umap.UMAP(n_neighbors=15, min_dist=0.1, random_state=0, n_epochs=200).fit(Xf)
G = fitted.graph_.tocoo().copy()
G.data[G.data < G.data.max() / 200.0] = 0.0
G.eliminate_zeros()
S = spectral_layout(Xf, G, 2, np.random.RandomState(0), metric="euclidean")
np.asarray(S, dtype="<f4").tofile(os.path.join(out, "digits_spectral_1797x2.f32"))
deg = np.asarray(G.sum(axis=0)).ravel()
Dm = scipy.sparse.diags(1.0 / np.sqrt(deg))
Lap = (scipy.sparse.identity(G.shape[0]) - Dm @ G @ Dm).toarray()
result["spectral_eigenvalues"] = [float(v) for v in np.linalg.eigvalsh(Lap)[1:3]]
result["spectral_components"] = int(scipy.sparse.csgraph.connected_components(G)[0])
for spread, min_dist in [(1.0, 0.1), (1.0, 0.0), (1.0, 0.5), (2.0, 0.25)]:
    a, b = find_ab_params(spread, min_dist)
    result["ab"].append({"spread": spread, "min_dist": min_dist, "a": float(a), "b": float(b)})
for key in ["trustworthiness_5", "trustworthiness_15"]:
    result["mean_" + key] = float(np.mean([r[key] for r in result["runs"]]))
with open(os.path.join(out, "umap_reference.json"), "w") as f:
    json.dump(result, f, indent=1, sort_keys=True)
    f.write("\n")
print(json.dumps(result, indent=1, sort_keys=True))
