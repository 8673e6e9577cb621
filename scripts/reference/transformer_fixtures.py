#!/usr/bin/python3
"""PyTorch reference fixtures for FrameCutNN's transformer models (ViT-B/32, CLIP ViT-B/32,
DINOv2 ViT-B/14) and their engine operations.

Writes
  Tests/FrameCutNNTests/Fixtures/transformer_ops.npz   multi-head attention (fused in_proj,
        self-attention, torch nn.MultiheadAttention; separate q/k/v projections with 1 query over
        6 keys and a narrower output, F.multi_head_attention_forward as OpenAI CLIP's
        AttentionPool2d calls it), QuickGELU, and DINOv2-hub bicubic position-embedding
        interpolation (scale factor (g + 0.1) / M, antialias off) and size-based interpolation
  Tests/FrameCutNNTests/Fixtures/models/<name>/   reduced-width (64), full-depth (12 blocks)
        transformers with seeded random weights, one folder per checkpoint naming
  Tests/FrameCutNNTests/Fixtures/manifests/<name>.txt   key/shape/dtype of every full-size naming

Usage: PYTHONPATH=/tmp/pyref /usr/bin/python3 scripts/reference/transformer_fixtures.py [ops|models|manifests ...]
(/tmp/pyref: transformers 4.46.3, timm 0.9.16, open_clip 2.24, safetensors; see README.md).
"""
import argparse
import hashlib
import json
import math
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIX = os.path.join(REPO, "Tests", "FrameCutNNTests", "Fixtures")
MODELS = os.path.join(FIX, "models")
MANIFESTS = os.path.join(FIX, "manifests")


def seed_of(name):
    return int(hashlib.sha256(name.encode()).hexdigest()[:8], 16)


def f32(t):
    return np.ascontiguousarray(t.detach().to(torch.float32).numpy())


def rnd(*shape):
    # float32-representable values; the references compute in float64
    return torch.randn(*shape, dtype=torch.float32).double()


def hub_interpolate(patch_pos, M, grid):
    """DINOv2 hub `interpolate_pos_encoding` for a square grid: bicubic (A = -0.75,
    align_corners False, antialias False) with scale_factor (grid + 0.1) / M, so the output has
    floor(grid + 0.1) = grid cells but samples at (i + 0.5) * M / (grid + 0.1) - 0.5."""
    dim = patch_pos.shape[-1]
    s = float(grid + 0.1) / M
    y = F.interpolate(patch_pos.reshape(1, M, M, dim).permute(0, 3, 1, 2), scale_factor=(s, s), mode="bicubic")
    assert y.shape[-2:] == (grid, grid), y.shape
    return y.permute(0, 2, 3, 1).reshape(1, grid * grid, dim)


def size_interpolate(patch_pos, M, grid, antialias=False):
    """Hugging Face Dinov2 (4.46): bicubic to size (grid, grid), align_corners False."""
    dim = patch_pos.shape[-1]
    y = F.interpolate(patch_pos.reshape(1, M, M, dim).permute(0, 3, 1, 2), size=(grid, grid), mode="bicubic",
                      align_corners=False, antialias=antialias)
    return y.permute(0, 2, 3, 1).reshape(1, grid * grid, dim)


# ----------------------------------------------------------------------------- ops

def make_ops():
    torch.manual_seed(seed_of("transformer_ops"))
    out = {}
    # self-attention, fused in_proj (torch nn.MultiheadAttention, batch_first)
    n, t, d, heads = 2, 7, 16, 4
    mha = nn.MultiheadAttention(d, heads, batch_first=True).double().eval()
    with torch.no_grad():
        for p in mha.parameters():
            p.copy_(rnd(*p.shape) * 0.5)
    x = rnd(n, t, d)
    with torch.no_grad():
        y, _ = mha(x, x, x, need_weights=False)
    out["mha_self.x"] = f32(x)
    out["mha_self.in_proj_weight"] = f32(mha.in_proj_weight)
    out["mha_self.in_proj_bias"] = f32(mha.in_proj_bias)
    out["mha_self.out_proj_weight"] = f32(mha.out_proj.weight)
    out["mha_self.out_proj_bias"] = f32(mha.out_proj.bias)
    out["mha_self.y"] = f32(y)

    # attention pooling as OpenAI CLIP's AttentionPool2d: 1 query (the mean token) over all tokens,
    # separate q/k/v projections, output projection to a different width
    n, tk, d, heads, dout = 2, 6, 16, 2, 8
    kv = rnd(n, tk, d)
    q = kv.mean(dim=1, keepdim=True)
    w = {k: rnd(d, d) * 0.5 for k in ("q", "k", "v")}
    b = {k: rnd(d) * 0.5 for k in ("q", "k", "v")}
    cw, cb = rnd(dout, d) * 0.5, rnd(dout) * 0.5
    y, _ = F.multi_head_attention_forward(
        query=q.transpose(0, 1), key=kv.transpose(0, 1), value=kv.transpose(0, 1), embed_dim_to_check=d, num_heads=heads,
        q_proj_weight=w["q"], k_proj_weight=w["k"], v_proj_weight=w["v"], in_proj_weight=None,
        in_proj_bias=torch.cat([b["q"], b["k"], b["v"]]), bias_k=None, bias_v=None, add_zero_attn=False, dropout_p=0.0,
        out_proj_weight=cw, out_proj_bias=cb, use_separate_proj_weight=True, training=False, need_weights=False)
    out["mha_pool.query"] = f32(q)
    out["mha_pool.kv"] = f32(kv)
    for k in ("q", "k", "v"):
        out["mha_pool.%s_weight" % k] = f32(w[k])
        out["mha_pool.%s_bias" % k] = f32(b[k])
    out["mha_pool.c_weight"] = f32(cw)
    out["mha_pool.c_bias"] = f32(cb)
    out["mha_pool.y"] = f32(y.transpose(0, 1))

    x = rnd(3, 17) * 3
    out["quick_gelu.x"] = f32(x)
    out["quick_gelu.y"] = f32(x * torch.sigmoid(1.702 * x))

    # position-embedding interpolation: M x M grid of `dim` channels to `grid` x `grid`
    for name, M, grid, dim in (("pos_37_16", 37, 16, 3), ("pos_7_4", 7, 4, 2), ("pos_5_9", 5, 9, 2)):
        p = rnd(1, M * M, dim)
        out[name + ".x"] = f32(p)
        out[name + ".hub"] = f32(hub_interpolate(p, M, grid))
        out[name + ".size"] = f32(size_interpolate(p, M, grid))
    path = os.path.join(FIX, "transformer_ops.npz")
    np.savez(path, **out)
    print("wrote %d arrays to %s (%d bytes)" % (len(out), path, os.path.getsize(path)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("what", nargs="*", default=["ops", "models", "manifests"])
    args = ap.parse_args()
    for w in args.what:
        if w == "ops":
            make_ops()
        elif w == "models":
            make_models()
        elif w == "manifests":
            make_manifests()
        else:
            sys.exit("unknown: " + w)


if __name__ == "__main__":
    main()
