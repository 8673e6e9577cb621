#!/usr/bin/env python3
"""Writes the NumPy fixtures FrameCut's npy/npz reader is tested against.

Run from the repository root:  python3 scripts/reference/npy_fixtures.py
Needs only numpy (Debian: python3-numpy). Output: Tests/FrameCutIOTests/Fixtures/npy/.
"""
import json
import os
import numpy as np

out = os.path.join("Tests", "FrameCutIOTests", "Fixtures", "npy")
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(20261129)
expected = {}

arrays = {
    "f32_2d": rng.standard_normal((3, 4)).astype(np.float32),
    "f64_1d": rng.standard_normal(5),
    "i32_1d": np.array([0, -1, 2147483647, -2147483648, 7], dtype=np.int32),
    "i64_2d": np.array([[1, -2], [3, 9007199254740993]], dtype=np.int64),
    "f32_3d": np.arange(24, dtype=np.float32).reshape(2, 3, 4),
    "f32_empty": np.zeros((0, 3), dtype=np.float32),
    "f64_scalar": np.array(2.5),
}
for name, a in arrays.items():
    np.save(os.path.join(out, name + ".npy"), a)
    expected[name] = {"shape": list(a.shape), "dtype": a.dtype.str, "values": a.ravel().tolist()}

# Header versions 2.0 and 3.0 (format module, explicit version).
from numpy.lib import format as npformat
a = arrays["f32_2d"]
for version in [(2, 0), (3, 0)]:
    with open(os.path.join(out, f"f32_2d_v{version[0]}.npy"), "wb") as f:
        npformat.write_array(f, a, version=version)

# Things the reader must refuse with a clear reason.
np.save(os.path.join(out, "fortran.npy"), np.asfortranarray(rng.standard_normal((3, 2)).astype(np.float32)))
np.save(os.path.join(out, "object.npy"), np.array([{"a": 1}, None], dtype=object), allow_pickle=True)
np.save(os.path.join(out, "bigendian.npy"), np.arange(4, dtype=">f4"))
np.save(os.path.join(out, "uint8.npy"), np.arange(4, dtype=np.uint8))
with open(os.path.join(out, "f32_2d.npy"), "rb") as f:
    data = f.read()
with open(os.path.join(out, "truncated.npy"), "wb") as f:
    f.write(data[:-5])

# Archives, stored and deflated.
np.savez(os.path.join(out, "stored.npz"), embeddings=arrays["f32_2d"], labels=arrays["i32_1d"])
np.savez_compressed(os.path.join(out, "deflated.npz"), embeddings=arrays["f32_2d"], labels=arrays["i32_1d"])

with open(os.path.join(out, "expected.json"), "w") as f:
    json.dump(expected, f, indent=1, sort_keys=True)
print("wrote", out)
