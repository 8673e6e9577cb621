#!/usr/bin/python3
"""Time the PyTorch reference models on the CPU, the baseline FrameCut's Swift engine is compared to.

Full-size models, random weights, eval(), torch.no_grad(), float32 NCHW (channels-first),
224 px input (299 for inception_resnet_v2; vit_b32 is torchvision vit_b_32, clip_vit_b32
timm vit_base_patch32_clip_quickgelu_224 with its 512-d projection head, dinov2_vitb14 the hub
backbone port of transformer_fixtures.py returning the 3840-d linear4 features), 2 warm-up runs, median of --runs timed runs.
Prints one JSON object per line:
  {"model": ..., "batch": ..., "threads": ..., "ms_per_image": ..., "ms_per_batch": ..., ...}

  /usr/bin/python3 scripts/reference/bench_models.py --threads 1 [--batch 1 16] [--runs 5]
      [--models resnet50 resnet50_timm vgg19_bn vgg19_bn_timm inception_resnet_v2 efficientnet_lite0
                convnextv2_tiny convnextv2_tiny_timm clip_rn50 vit_b32 clip_vit_b32 dinov2_vitb14]

timm and efficientnet_lite_pytorch come from /tmp/pyvendor or $FRAMECUT_PYVENDOR (see
nn_fixtures.py); transformers (ConvNeXt V2) and open_clip (CLIP RN-50) from /tmp/pyref or
$FRAMECUT_PYREF (see cnn2_fixtures.py). convnextv2_tiny is Hugging Face ConvNextV2Model (its
pooler_output, no classifier); clip_rn50 is open_clip's ModifiedResNet, the RN50 image tower
(projected 1024-d output). Run it on an otherwise idle machine.
"""
import argparse
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.environ.get("FRAMECUT_PYVENDOR", "/tmp/pyvendor"))
sys.path.append(os.environ.get("FRAMECUT_PYREF", "/tmp/pyref"))

# Debian's torch does its matrix products (nn.Linear, matmul) in OpenBLAS, whose thread count
# torch.set_num_threads does not set: without this, "--threads 1" ran every transformer GEMM on
# all cores. OpenBLAS reads the variable when torch loads it, so set it before the import.
if "--threads" in sys.argv[:-1]:
    os.environ["OPENBLAS_NUM_THREADS"] = sys.argv[sys.argv.index("--threads") + 1]

import torch

ALL = ["resnet50", "resnet50_timm", "vgg19_bn", "vgg19_bn_timm", "inception_resnet_v2", "efficientnet_lite0",
       "convnextv2_tiny", "convnextv2_tiny_timm", "clip_rn50", "vit_b32", "clip_vit_b32", "dinov2_vitb14"]


class DinoV2Linear4(torch.nn.Module):
    """The DINOv2 hub dinov2_vitb14 backbone (plain-PyTorch port in transformer_fixtures.py, 518 px
    positions resampled every forward as the hub does) returning the dinov2_vitb14_lc linear input."""
    def __init__(self):
        super().__init__()
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        from transformer_fixtures import HubDinoV2
        self.backbone = HubDinoV2(518, 14, 768, 12, 12, 3072)

    def forward(self, x):
        return self.backbone.linear4_and_cls(x)[0]


def build(name):
    if name in ("resnet50", "vgg19_bn"):
        import torchvision
        return getattr(torchvision.models, name)(), 224
    if name in ("resnet50_timm", "vgg19_bn_timm", "inception_resnet_v2"):
        import timm
        arch = {"resnet50_timm": "resnet50", "vgg19_bn_timm": "vgg19_bn"}.get(name, name)
        return timm.create_model(arch, pretrained=False), 299 if name == "inception_resnet_v2" else 224
    if name == "efficientnet_lite0":
        from efficientnet_lite_pytorch import EfficientNet
        return EfficientNet.from_name("efficientnet-lite0"), 224  # static SAME pads for 224
    if name == "convnextv2_tiny":
        from transformers import ConvNextV2Config, ConvNextV2Model
        return ConvNextV2Model(ConvNextV2Config(depths=[3, 3, 9, 3], hidden_sizes=[96, 192, 384, 768])), 224
    if name == "convnextv2_tiny_timm":
        import timm
        return timm.create_model("convnextv2_tiny", pretrained=False, num_classes=0), 224
    if name == "clip_rn50":
        from open_clip.modified_resnet import ModifiedResNet
        return ModifiedResNet(layers=[3, 4, 6, 3], output_dim=1024, heads=32, image_size=224, width=64), 224
    if name == "vit_b32":
        import torchvision
        return torchvision.models.vit_b_32(), 224
    if name == "clip_vit_b32":
        # OpenAI CLIP ViT-B/32 image tower incl. projection: timm's QuickGELU variant computes the same
        import timm
        return timm.create_model("vit_base_patch32_clip_quickgelu_224", pretrained=False, num_classes=512), 224
    if name == "dinov2_vitb14":
        return DinoV2Linear4(), 224
    raise KeyError(name)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, required=True)
    ap.add_argument("--batch", type=int, nargs="+", default=[1, 16])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--cpu-time", action="store_true", help="time.process_time (CPU time) instead of wall time")
    ap.add_argument("--models", nargs="+", default=ALL, choices=ALL)
    args = ap.parse_args()
    clock = time.process_time if args.cpu_time else time.perf_counter
    assert args.runs >= 5 or os.environ.get("FRAMECUT_BENCH_ALLOW_FEW_RUNS"), "use --runs >= 5"
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    for name in args.models:
        model, size = build(name)
        model.eval()
        for b in args.batch:
            x = torch.randn(b, 3, size, size)
            with torch.no_grad():
                for _ in range(args.warmup):
                    model(x)
                times = []
                for _ in range(args.runs):
                    t0 = clock()
                    model(x)
                    times.append(clock() - t0)
            med = statistics.median(times)
            print(json.dumps(dict(model=name, batch=b, threads=args.threads, ms_per_image=1000 * med / b,
                                  ms_per_batch=1000 * med, runs=args.runs, clock="cpu" if args.cpu_time else "wall", input=[b, 3, size, size],
                                  torch=torch.__version__)), flush=True)
        del model


if __name__ == "__main__":
    main()
