#!/usr/bin/python3
"""Full-size (224 px; 299 for Inception-ResNet-V2) forward passes of the real architectures, for
FrameCutNN's full-size parity tests (Tests/FrameCutNNTests/FullSizeParityTests.swift).

The reduced-width fixtures of nn_fixtures.py cover every layer at 64 px, but paths that only
trigger on wide, large planes (Winograd F(2x2,3x3) for 3x3 layers with >= 128 channels, cache
blocking of big im2col buffers) need the real sizes. Storing full-size weights is out of the
question (25-143 M values), so the weights are a pure function of (key, index) that the Swift
test recomputes (`CounterWeights` in the test target), and only the outputs are committed:

  value(key, i) = u(splitmix64(fnv1a64(key) + i)),  u(z) = (z >> 40) / 2^24 * 2 - 1  in [-1, 1)
  conv / linear weights (2-D and more): u * sqrt(6 / fan_in)          (He uniform)
  1-D `...running_var`:                 1 + 0.25 * (u + 1)           in [1, 1.5)
  1-D `...weight` (norm scales):        1 + 0.2 * u
  other 1-D (biases, running means):    0.1 * u
  input image (N x 3 x S x S):          2 * u(splitmix64(fnv1a64("input") + i))

Outputs are computed in float64 (model.double()) from the float32-rounded weights and stored as
float32: Tests/FrameCutNNTests/Fixtures/fullsize/<name>.npy (the embedding) + fullsize.json.

Usage (Debian python3 with torch 1.13 + torchvision 0.14, timm and efficientnet-lite-pytorch
in /tmp/pyvendor as nn_fixtures.py explains):
  /usr/bin/python3 scripts/reference/fullsize_fixtures.py [name ...]
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numpy as np  # noqa: E402
import torch  # noqa: E402

import nn_fixtures as nf  # noqa: E402

torch.set_num_threads(2)
OUT = os.path.join(nf.FIX, "fullsize")
MASK = (1 << 64) - 1

# name: builder name in nn_fixtures, input size, how the embedding is taken
SPECS = {
    "resnet50": dict(build="resnet50", size=224, ref="torchvision.models.resnet50"),
    "vgg19_bn": dict(build="vgg19_bn", size=224, ref="torchvision.models.vgg19_bn (fc7)"),
    "inception_resnet_v2": dict(build="inception_resnet_v2", size=299, ref="timm inception_resnet_v2"),
    "efficientnet_lite0": dict(build="efficientnet_lite0", size=224, ref="efficientnet_lite_pytorch efficientnet-lite0"),
}


def fnv1a64(text):
    h = 0xCBF29CE484222325
    for b in text.encode("utf-8"):
        h = ((h ^ b) * 0x100000001B3) & MASK
    return h


def uniform(key, count):
    """u(splitmix64(fnv1a64(key) + i)) for i in 0..<count, float64 in [-1, 1)."""
    with np.errstate(over="ignore"):
        z = np.arange(count, dtype=np.uint64) + np.uint64(fnv1a64(key))
        z = z + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    return (z >> np.uint64(40)).astype(np.float64) / float(1 << 24) * 2 - 1


def counter_value(key, shape):
    count = int(np.prod(shape)) if len(shape) else 1
    u = uniform(key, count)
    if len(shape) >= 2:
        fan_in = int(np.prod(shape[1:]))
        v = u * np.sqrt(6.0 / fan_in)
    elif key.endswith("running_var"):
        v = 1 + 0.25 * (u + 1)
    elif key.endswith("weight"):
        v = 1 + 0.2 * u
    else:
        v = 0.1 * u
    return v.astype(np.float32).reshape(shape)


@torch.no_grad()
def make(name):
    spec = SPECS[name]
    size = spec["size"]
    model = nf.build(spec["build"], 1000, size if name == "efficientnet_lite0" else None).eval()
    sd = model.state_dict()
    for k, v in sd.items():
        if v.is_floating_point():
            v.copy_(torch.from_numpy(counter_value(k, tuple(v.shape))))
    model = model.double()
    x = (2 * uniform("input", 3 * size * size)).reshape(1, 3, size, size)
    x = torch.from_numpy(x.astype(np.float32)).double()
    emb, logits, _ = nf.embed_and_logits(spec["build"], model, x)
    e = emb.numpy()
    os.makedirs(OUT, exist_ok=True)
    nf.save_npy(os.path.join(OUT, name + ".npy"), e)
    print("%-20s %s  std %.4g  max|e| %.4g" % (name, e.shape, e.std(), np.abs(e).max()))
    return dict(reference=spec["ref"], input_size=size, embedding_shape=list(e.shape),
                embedding_std=float(e.std()), embedding_max_abs=float(np.abs(e).max()))


def main():
    names = sys.argv[1:] or list(SPECS)
    path = os.path.join(OUT, "fullsize.json")
    meta = json.load(open(path)) if os.path.exists(path) else {}
    meta.setdefault("models", {})
    for n in names:
        meta["models"][n] = make(n)
    meta["rule"] = __doc__.split("\n\n")[1].strip()
    meta["torch"] = torch.__version__
    with open(path, "w") as f:
        json.dump(meta, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
