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


# ----------------------------------------------------------------------------- models

W, HEADS, MLP, DEPTH, CLASSES, PROJ = 32, 4, 64, 12, 10, 16
F16 = torch.float16


@torch.no_grad()
def init_params(module, seed):
    """Seeded random parameters by role: tokens and position embeddings ~ N(0, 0.5); layer-norm
    weights ~ U(0.5, 1.5); layer scales ~ U(0.2, 1); matrices ~ N(0, 1/fan_in) (fan_in = the
    input width, rows for OpenAI's `proj`); other biases ~ N(0, 0.1); then rounded to float16."""
    torch.manual_seed(seed)
    for k, v in module.named_parameters():
        leaf = k.split(".")[-1]
        if any(t in k for t in ("cls_token", "class_token", "class_embedding", "pos_embed", "pos_embedding",
                                "positional_embedding", "position_embedding", "mask_token")):
            v.normal_(0.0, 0.5)
        elif leaf in ("gamma", "lambda1"):
            v.uniform_(0.2, 1.0)
        elif k.endswith("proj") and v.dim() == 2 and "." not in k.replace("visual.", ""):
            v.normal_(0.0, v.shape[0] ** -0.5)  # OpenAI CLIP proj: x @ proj
        elif v.dim() >= 2:
            v.normal_(0.0, v[0].numel() ** -0.5)
        elif leaf == "weight":
            v.uniform_(0.5, 1.5)
        elif k == "logit_scale":
            v.fill_(2.0)
        else:
            v.normal_(0.0, 0.1)
        v.copy_(v.to(F16).to(v.dtype))


def save_safetensors(path, sd):
    from safetensors.torch import save_file
    out = {k: (v.to(F16) if v.is_floating_point() else v).contiguous() for k, v in sd.items()}
    save_file(out, path, metadata={"format": "pt"})


def save_npy(path, a):
    np.save(path, np.ascontiguousarray(a.detach().numpy() if torch.is_tensor(a) else a, dtype=np.float32))


def maxdiff(a, b):
    return (a.double() - b.double()).abs().max().item()


def finish(name, cfg, arrays, weights):
    out = os.path.join(MODELS, name)
    os.makedirs(out, exist_ok=True)
    for f, sd in weights.items():
        save_safetensors(os.path.join(out, f), sd)
    for f, a in arrays.items():
        save_npy(os.path.join(out, f), a)
    cfg["files"] = sorted(list(weights) + list(arrays))
    cfg["torch"] = torch.__version__
    with open(os.path.join(out, "config.json"), "w") as fh:
        json.dump(cfg, fh, indent=1)
        fh.write("\n")
    total = sum(os.path.getsize(os.path.join(out, f)) for f in os.listdir(out))
    print("%-16s %s  (%d bytes)" % (name, {k: tuple(v.shape) for k, v in arrays.items()}, total))


def tv_to_timm_vit(sd):
    """torchvision ViT names to timm's (the values are identical)."""
    fixed = {"class_token": "cls_token", "encoder.pos_embedding": "pos_embed", "conv_proj.weight": "patch_embed.proj.weight",
             "conv_proj.bias": "patch_embed.proj.bias", "encoder.ln.weight": "norm.weight", "encoder.ln.bias": "norm.bias",
             "heads.head.weight": "head.weight", "heads.head.bias": "head.bias"}
    inner = {"ln_1": "norm1", "ln_2": "norm2", "self_attention.out_proj": "attn.proj", "mlp.0": "mlp.fc1", "mlp.3": "mlp.fc2"}
    out = {}
    for k, v in sd.items():
        if k in fixed:
            out[fixed[k]] = v
            continue
        i, rest = k[len("encoder.layers.encoder_layer_"):].split(".", 1)
        if rest.startswith("self_attention.in_proj_"):
            rest = "attn.qkv." + rest.rsplit("_", 1)[1]
        else:
            module, kind = rest.rsplit(".", 1)
            rest = inner[module] + "." + kind
        out["blocks.%s.%s" % (i, rest)] = v
    return out


@torch.no_grad()
def make_vit():
    """torchvision VisionTransformer (vit_b_32's code) and timm vit_base_patch32_224 at width 32."""
    import torchvision
    import timm
    name = "vit_b32"
    torch.manual_seed(seed_of(name))
    x = torch.randn(2, 3, 64, 64)
    tv = torchvision.models.VisionTransformer(image_size=64, patch_size=16, num_layers=DEPTH, num_heads=HEADS, hidden_dim=W,
                                              mlp_dim=MLP, num_classes=CLASSES).eval()
    init_params(tv, seed_of(name) + 1)
    sd = {k: v.clone() for k, v in tv.state_dict().items()}
    tv = tv.double()
    xd = x.double()
    h = tv._process_input(xd)
    h = tv.encoder(torch.cat([tv.class_token.expand(xd.shape[0], -1, -1), h], dim=1))
    emb = h[:, 0]
    logits = tv.heads(emb)
    assert maxdiff(tv(xd), logits) < 1e-12
    tm = timm.create_model("vit_base_patch32_224", pretrained=False, img_size=64, patch_size=16, embed_dim=W, depth=DEPTH,
                           num_heads=HEADS, mlp_ratio=MLP / W, num_classes=CLASSES).eval()
    tsd = tv_to_timm_vit(sd)
    tm.load_state_dict(tsd, strict=True)
    tm = tm.double()
    temb = tm.forward_head(tm.forward_features(xd), pre_logits=True)
    d_timm = max(maxdiff(temb, emb), maxdiff(tm(xd), logits))
    assert d_timm < 1e-10, d_timm
    # The released IMAGENET1K_V1 .pth has the legacy MLPBlock names (torchvision renames them on load).
    legacy = {k.replace(".mlp.0.", ".mlp.linear_1.").replace(".mlp.3.", ".mlp.linear_2."): v for k, v in sd.items()}
    m2 = torchvision.models.VisionTransformer(image_size=64, patch_size=16, num_layers=DEPTH, num_heads=HEADS, hidden_dim=W,
                                              mlp_dim=MLP, num_classes=CLASSES)
    m2.load_state_dict(legacy, strict=True)
    cfg = dict(name=name, reference="torchvision.models.VisionTransformer (vit_b_32's class) and timm vit_base_patch32_224",
               seed=seed_of(name), image_size=64, patch=16, width=W, depth=DEPTH, heads=HEADS, mlp=MLP, classes=CLASSES,
               layer_norm_eps=1e-6, activation="exact GELU",
               weights="F16 values; weights_torchvision.safetensors uses the released .pth's legacy names (mlp.linear_1/2), "
                       "weights_timm.safetensors timm's names (same values)",
               embedding="encoder output (after encoder.ln) at the class token, %d-d; logits = heads.head(embedding)" % W,
               timm_vs_torchvision_max_abs_diff=d_timm,
               reference_precision="float64 forward from the float16-rounded weights, stored float32")
    finish(name, cfg, {"input.npy": x, "embedding.npy": emb, "logits.npy": logits},
           {"weights_torchvision.safetensors": legacy, "weights_timm.safetensors": tsd})


def openai_to_hf_clip(sd):
    """open_clip / OpenAI `visual.*` names to Hugging Face CLIPModel's vision tower."""
    out = {}
    for k, v in sd.items():
        if not k.startswith("visual."):
            continue
        k = k[len("visual."):]
        if k == "class_embedding":
            out["vision_model.embeddings.class_embedding"] = v
        elif k == "conv1.weight":
            out["vision_model.embeddings.patch_embedding.weight"] = v
        elif k == "positional_embedding":
            out["vision_model.embeddings.position_embedding.weight"] = v
        elif k.startswith("ln_pre."):
            out["vision_model.pre_layrnorm." + k.split(".")[-1]] = v
        elif k.startswith("ln_post."):
            out["vision_model.post_layernorm." + k.split(".")[-1]] = v
        elif k == "proj":
            out["visual_projection.weight"] = v.t().contiguous()
        else:
            _, _, i, rest = k.split(".", 3)  # transformer.resblocks.N.rest
            p = "vision_model.encoder.layers.%s." % i
            if rest.startswith("attn.in_proj_"):
                kind = "weight" if rest.endswith("weight") else "bias"
                for role, part in zip(("q", "k", "v"), v.chunk(3, dim=0)):
                    out[p + "self_attn.%s_proj.%s" % (role, kind)] = part.contiguous()
            else:
                rest = (rest.replace("attn.out_proj", "self_attn.out_proj").replace("ln_1", "layer_norm1")
                        .replace("ln_2", "layer_norm2").replace("mlp.c_fc", "mlp.fc1").replace("mlp.c_proj", "mlp.fc2"))
                out[p + rest] = v
    return out


@torch.no_grad()
def make_clip():
    """open_clip CLIP (OpenAI names, QuickGELU), timm vit_base_patch32_clip_quickgelu_224 and HF CLIPModel at width 32."""
    import open_clip.model as oc
    import timm
    from timm.models.vision_transformer import _convert_openai_clip
    import transformers
    name = "clip_vit_b32"
    torch.manual_seed(seed_of(name))
    x = torch.randn(2, 3, 64, 64)
    vcfg = oc.CLIPVisionCfg(layers=DEPTH, width=W, head_width=W // HEADS, mlp_ratio=MLP / W, patch_size=16, image_size=64)
    tcfg = oc.CLIPTextCfg(context_length=8, vocab_size=64, width=16, heads=2, layers=1)
    model = oc.CLIP(embed_dim=PROJ, vision_cfg=vcfg, text_cfg=tcfg, quick_gelu=True).eval()
    init_params(model, seed_of(name) + 1)
    sd = {k: v.clone() for k, v in model.state_dict().items()}
    xd = x.double()
    emb = model.double().encode_image(xd)
    # timm, converted by timm's own _convert_openai_clip
    tm = timm.create_model("vit_base_patch32_clip_quickgelu_224", pretrained=False, img_size=64, patch_size=16, embed_dim=W,
                           depth=DEPTH, num_heads=HEADS, mlp_ratio=MLP / W, num_classes=PROJ).eval()
    tsd = _convert_openai_clip(sd, tm)
    tm.load_state_dict(tsd, strict=True)
    d_timm = maxdiff(tm.double()(xd), emb)
    # Hugging Face CLIPModel (vision tower + projection from the same values, text tower its own random init)
    hcfg = transformers.CLIPConfig(
        text_config=dict(hidden_size=16, intermediate_size=32, num_hidden_layers=1, num_attention_heads=2,
                         max_position_embeddings=8, vocab_size=64),
        vision_config=dict(hidden_size=W, intermediate_size=MLP, num_hidden_layers=DEPTH, num_attention_heads=HEADS,
                           image_size=64, patch_size=16, hidden_act="quick_gelu", layer_norm_eps=1e-5),
        projection_dim=PROJ)
    hf = transformers.CLIPModel(hcfg).eval()
    init_params(hf.text_model, seed_of(name) + 2)
    hsd = hf.state_dict()
    hsd.update(openai_to_hf_clip(sd))
    hf.load_state_dict(hsd, strict=True)
    hf = hf.double()
    d_hf = maxdiff(hf.get_image_features(pixel_values=xd), emb)
    assert d_timm < 1e-10 and d_hf < 1e-10, (d_timm, d_hf)
    hsd = dict(hf.float().state_dict())
    # Hub files of openai/clip-vit-base-patch32 carry the position_ids buffers; FrameCut ignores them.
    hsd["vision_model.embeddings.position_ids"] = torch.arange(17).unsqueeze(0)
    hsd["text_model.embeddings.position_ids"] = torch.arange(8).unsqueeze(0)
    cfg = dict(name=name, reference="open_clip 2.24 CLIP(quick_gelu=True).encode_image; timm vit_base_patch32_clip_quickgelu_224 "
                                    "(checkpoint converted by timm's _convert_openai_clip); transformers CLIPModel.get_image_features",
               seed=seed_of(name), image_size=64, patch=16, width=W, depth=DEPTH, heads=HEADS, mlp=MLP, projection=PROJ,
               layer_norm_eps=1e-5, activation="QuickGELU x*sigmoid(1.702x)",
               weights="F16 values; weights_openai.safetensors: a whole open_clip CLIP state_dict (visual.* + a 1-layer "
                       "text tower); weights_timm.safetensors: timm names (head.weight = proj^T, head.bias = 0); "
                       "weights_hf.safetensors: a whole CLIPModel (vision_model.*, visual_projection, text_model.*, "
                       "text_projection, logit_scale, position_ids buffers)",
               embedding="ln_post(class token) @ proj, %d-d (the projected image feature)" % PROJ,
               timm_max_abs_diff=d_timm, hf_max_abs_diff=d_hf,
               reference_precision="float64 forward from the float16-rounded weights, stored float32")
    finish(name, cfg, {"input.npy": x, "embedding.npy": emb},
           {"weights_openai.safetensors": sd, "weights_timm.safetensors": tsd, "weights_hf.safetensors": hsd})


class HubBlock(nn.Module):
    """dinov2/layers/block.py Block (ffn Mlp, LayerScale, no drop path) with attention.py Attention."""
    def __init__(self, dim, heads, mlp):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=1e-6)
        self.attn = nn.Module()
        self.attn.qkv = nn.Linear(dim, 3 * dim)
        self.attn.proj = nn.Linear(dim, dim)
        self.ls1 = nn.Module()
        self.ls1.gamma = nn.Parameter(torch.ones(dim))
        self.norm2 = nn.LayerNorm(dim, eps=1e-6)
        self.mlp = nn.Module()
        self.mlp.fc1 = nn.Linear(dim, mlp)
        self.mlp.fc2 = nn.Linear(mlp, dim)
        self.ls2 = nn.Module()
        self.ls2.gamma = nn.Parameter(torch.ones(dim))
        self.heads = heads

    def attention(self, x):
        B, N, C = x.shape
        qkv = self.attn.qkv(x).reshape(B, N, 3, self.heads, C // self.heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0] * (C // self.heads) ** -0.5, qkv[1], qkv[2]
        attn = (q @ k.transpose(-2, -1)).softmax(dim=-1)
        return self.attn.proj((attn @ v).transpose(1, 2).reshape(B, N, C))

    def forward(self, x):
        x = x + self.attention(self.norm1(x)) * self.ls1.gamma
        return x + self.mlp.fc2(F.gelu(self.mlp.fc1(self.norm2(x)))) * self.ls2.gamma


class HubDinoV2(nn.Module):
    """dinov2/models/vision_transformer.py DinoVisionTransformer as hub `dinov2_vitb14` builds it
    (block_chunks=0, init_values=1.0, ffn mlp, no registers, interpolate_offset 0.1, antialias off),
    with get_intermediate_layers(n=4, return_class_token=True, norm=True) and
    hub/classifiers.py _LinearClassifierWrapper(layers=4)'s linear input."""
    def __init__(self, img_size, patch, dim, depth, heads, mlp):
        super().__init__()
        self.patch_size = patch
        self.patch_embed = nn.Module()
        self.patch_embed.proj = nn.Conv2d(3, dim, patch, patch)
        grid = img_size // patch
        self.cls_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.pos_embed = nn.Parameter(torch.zeros(1, grid * grid + 1, dim))
        self.blocks = nn.ModuleList([HubBlock(dim, heads, mlp) for _ in range(depth)])
        self.norm = nn.LayerNorm(dim, eps=1e-6)
        self.mask_token = nn.Parameter(torch.zeros(1, dim))

    def interpolate_pos_encoding(self, x, w, h):
        npatch = x.shape[1] - 1
        N = self.pos_embed.shape[1] - 1
        if npatch == N and w == h:
            return self.pos_embed
        M = int(math.sqrt(N))
        patch_pos = hub_interpolate(self.pos_embed[:, 1:], M, w // self.patch_size)
        return torch.cat((self.pos_embed[:, :1], patch_pos), dim=1)

    def prepare_tokens(self, x):
        B, nc, w, h = x.shape
        t = self.patch_embed.proj(x).flatten(2).transpose(1, 2)
        t = torch.cat((self.cls_token.expand(B, -1, -1), t), dim=1)
        return t + self.interpolate_pos_encoding(t, w, h)

    def linear4_and_cls(self, x):
        x = self.prepare_tokens(x)
        outs = []
        for i, blk in enumerate(self.blocks):
            x = blk(x)
            if i >= len(self.blocks) - 4:
                outs.append(self.norm(x))
        layers = [(o[:, 1:], o[:, 0]) for o in outs]
        linear = torch.cat([layers[0][1], layers[1][1], layers[2][1], layers[3][1], layers[3][0].mean(dim=1)], dim=1)
        return linear, self.norm(x)[:, 0]


def hub_to_hf_dinov2(sd):
    out = {}
    for k, v in sd.items():
        if k in ("cls_token", "mask_token"):
            out["embeddings." + k] = v
        elif k == "pos_embed":
            out["embeddings.position_embeddings"] = v
        elif k.startswith("patch_embed.proj."):
            out["embeddings.patch_embeddings.projection." + k.split(".")[-1]] = v
        elif k.startswith("norm."):
            out["layernorm." + k.split(".")[-1]] = v
        else:
            _, i, rest = k.split(".", 2)
            p = "encoder.layer.%s." % i
            if rest.startswith("attn.qkv."):
                kind = rest.split(".")[-1]
                for role, part in zip(("query", "key", "value"), v.chunk(3, dim=0)):
                    out[p + "attention.attention.%s.%s" % (role, kind)] = part.contiguous()
            else:
                rest = (rest.replace("attn.proj", "attention.output.dense").replace("ls1.gamma", "layer_scale1.lambda1")
                        .replace("ls2.gamma", "layer_scale2.lambda1"))
                out[p + rest] = v
    # HF's state_dict order
    return out


@torch.no_grad()
def make_dinov2():
    import timm
    import transformers
    from timm.models.vision_transformer import _convert_dinov2
    name = "dinov2_vitb14"
    img_size, patch = 84, 14  # a 6x6 position grid, run at 56 px (4x4): resampled as the hub does 37x37 -> 16x16
    torch.manual_seed(seed_of(name))
    x = torch.randn(2, 3, 56, 56)
    hub = HubDinoV2(img_size, patch, W, DEPTH, HEADS, MLP).eval()
    init_params(hub, seed_of(name) + 1)
    sd = {k: v.clone() for k, v in hub.state_dict().items()}
    hub = hub.double()
    xd = x.double()
    linear4, cls = hub.linear4_and_cls(xd)
    x_native = torch.randn(1, 3, img_size, img_size, dtype=torch.float64)
    lin_native, cls_native = hub.linear4_and_cls(x_native)
    # HF Dinov2Model, same values
    hcfg = transformers.Dinov2Config(hidden_size=W, num_hidden_layers=DEPTH, num_attention_heads=HEADS, mlp_ratio=MLP // W,
                                     image_size=img_size, patch_size=patch, layerscale_value=1.0)
    hf = transformers.Dinov2Model(hcfg).eval()
    hsd = hub_to_hf_dinov2(sd)
    hf.load_state_dict(hsd, strict=True)
    hf = hf.double()
    hsd = {k: hsd[k] for k in hf.state_dict()}
    d_hf_native = maxdiff(hf(pixel_values=x_native).pooler_output, cls_native)
    d_hf_56 = maxdiff(hf(pixel_values=xd).pooler_output, cls)
    # timm vit_base_patch14_dinov2, same values (timm's filter drops mask_token)
    tm = timm.create_model("vit_base_patch14_dinov2", pretrained=False, img_size=img_size, patch_size=patch, embed_dim=W,
                           depth=DEPTH, num_heads=HEADS, mlp_ratio=MLP / W, init_values=1.0, num_classes=0,
                           dynamic_img_size=True).eval()
    tsd = _convert_dinov2(dict(sd), tm)
    tm.load_state_dict(tsd, strict=True)
    tm = tm.double()
    d_timm_native = maxdiff(tm(x_native), cls_native)
    d_timm_56 = maxdiff(tm(xd), cls)
    assert d_hf_native < 1e-10 and d_timm_native < 1e-10, (d_hf_native, d_timm_native)
    cfg = dict(name=name, reference="plain-PyTorch port of the DINOv2 hub DinoVisionTransformer (dinov2_vitb14: init_values 1.0, "
                                    "block_chunks 0, interpolate_offset 0.1, interpolate_antialias False) and "
                                    "_LinearClassifierWrapper(layers=4) (see HubDinoV2 in transformer_fixtures.py)",
               seed=seed_of(name), image_size=img_size, input_size=56, patch=patch, width=W, depth=DEPTH, heads=HEADS, mlp=MLP,
               layer_norm_eps=1e-6, activation="exact GELU", layer_scale="per-channel gamma (ls1, ls2)",
               position_resampling="hub: F.interpolate(bicubic, scale_factor=(g + 0.1) / M, antialias False), "
                                   "6x6 -> 4x4 here (37x37 -> 16x16 for the real model at 224 px)",
               weights="F16 values; weights_hub.safetensors (hub names, mask_token included), weights_hf.safetensors "
                       "(Dinov2Model names, q/k/v split, layer_scale*.lambda1), weights_timm.safetensors (timm names, "
                       "no mask_token); the same values in each",
               embedding_linear4="cat(normed CLS of blocks 8..11, mean of normed patch tokens of block 11), %d-d" % (5 * W),
               embedding_cls="norm(last block)[:, 0], %d-d" % W,
               hf_vs_hub_at_native_size_max_abs_diff=d_hf_native, timm_vs_hub_at_native_size_max_abs_diff=d_timm_native,
               hf_vs_hub_cls_at_56px_max_abs_diff=d_hf_56, timm_vs_hub_cls_at_56px_max_abs_diff=d_timm_56,
               note="HF Dinov2 resamples to size=(g, g) (no 0.1 offset) and timm (dynamic_img_size) with its own "
                    "resample_abs_pos_embed, so at 56 px their outputs differ from the hub's by the amounts above; "
                    "FrameCut follows the hub for every naming, as the paper ran the hub model",
               reference_precision="float64 forward from the float16-rounded weights, stored float32")
    finish(name, cfg, {"input.npy": x, "embedding_linear4.npy": linear4, "embedding_cls.npy": cls},
           {"weights_hub.safetensors": sd, "weights_hf.safetensors": hsd, "weights_timm.safetensors": tsd})


def make_models():
    make_vit()
    make_clip()
    make_dinov2()


# ----------------------------------------------------------------------------- manifests

def write_manifest(fname, sd):
    def dt(v):
        return {torch.float32: "f32", torch.float16: "f16", torch.int64: "i64"}[v.dtype]
    os.makedirs(MANIFESTS, exist_ok=True)
    with open(os.path.join(MANIFESTS, fname), "w") as f:
        f.write("".join("%s\t%s\t%s\n" % (k, ",".join(str(d) for d in v.shape), dt(v)) for k, v in sd.items()))
    print("manifest %-32s %d entries" % (fname, len(sd)))


@torch.no_grad()
def make_manifests():
    import torchvision
    import timm
    import transformers
    import open_clip
    write_manifest("torchvision_vit_b32.txt", torchvision.models.vit_b_32().state_dict())
    write_manifest("timm_vit_b32.txt", timm.create_model("vit_base_patch32_224", pretrained=False).state_dict())
    clip = open_clip.create_model("ViT-B-32", pretrained=None)
    write_manifest("openai_clip_vit_b32.txt", clip.state_dict())
    write_manifest("timm_clip_vit_b32.txt", timm.create_model("vit_base_patch32_clip_224", pretrained=False, num_classes=512).state_dict())
    hf = transformers.CLIPModel(transformers.CLIPConfig(projection_dim=512, vision_config=dict(patch_size=32)))
    write_manifest("hf_clip_vit_b32.txt", hf.state_dict())
    hub = HubDinoV2(518, 14, 768, 12, 12, 3072)
    write_manifest("hub_dinov2_vitb14.txt", hub.state_dict())
    write_manifest("hf_dinov2_base.txt", transformers.Dinov2Model(transformers.Dinov2Config(image_size=518, patch_size=14)).state_dict())
    write_manifest("timm_dinov2_vitb14.txt", timm.create_model("vit_base_patch14_dinov2", pretrained=False, num_classes=0).state_dict())


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
