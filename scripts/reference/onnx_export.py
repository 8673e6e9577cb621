#!/usr/bin/python3
"""Export the benchmark's reference models to ONNX for the ONNX Runtime column of `framecut bench models`.

Each model is the one scripts/reference/bench_models.py times (its `build`), with the same random
weights: `torch.manual_seed(0)` right before `build(name)`, as a `bench_models.py --models NAME` run
does. Exported with Debian's torch 1.13 `torch.onnx.export`, opset 13, constant folding on, eval(),
float32 input `[batch, 3, size, size]` with a dynamic batch axis (one file serves every batch size).

  /usr/bin/python3 scripts/reference/onnx_export.py --out .cache/onnx [--models resnet50 vgg19_bn ...] [--force]

Writes OUT/NAME.onnx (skipped when it exists, unless --force) and prints one JSON line per model:
  {"model": ..., "path": ..., "input": [1, 3, size, size], "opset": 13, "torch": ...}
Then time it with scripts/reference/bench_onnx.py under a Python that has `onnxruntime`.
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_models import ALL, build  # noqa: E402  (also puts /tmp/pyvendor and /tmp/pyref on sys.path)

import torch  # noqa: E402

OPSET = 13


def export(name, out, force):
    path = os.path.join(out, name + ".onnx")
    if not force and os.path.exists(path):  # reuse it without building the model (VGG19-BN takes seconds)
        size = 299 if name == "inception_resnet_v2" else 224
        return dict(model=name, path=path, input=[1, 3, size, size], opset=OPSET, torch=torch.__version__, reused=True)
    torch.manual_seed(0)
    model, size = build(name)
    model.eval()
    x = torch.randn(1, 3, size, size)
    tmp = path + ".part"
    # Traced with autograd on: under no_grad, torch 1.13's nn.MultiheadAttention (torchvision
    # vit_b_32) takes its fused fast path, aten::_native_multi_head_attention, which opset 13 lacks.
    torch.onnx.export(model, (x,), tmp, opset_version=OPSET, do_constant_folding=True,
                      input_names=["input"], output_names=["output"],
                      dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}})
    os.replace(tmp, path)
    return dict(model=name, path=path, input=[1, 3, size, size], opset=OPSET, torch=torch.__version__)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=".cache/onnx", help="folder for NAME.onnx")
    ap.add_argument("--models", nargs="+", default=ALL, choices=ALL)
    ap.add_argument("--force", action="store_true", help="export again even when the file exists")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    torch.set_num_threads(1)
    for name in args.models:
        print(json.dumps(export(name, args.out, args.force)), flush=True)


if __name__ == "__main__":
    main()
