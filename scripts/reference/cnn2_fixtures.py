#!/usr/bin/python3
"""Reference fixtures for FrameCut's ConvNeXt V2 Tiny and CLIP RN-50 (issue 10, convolutional part).

Writes
  Tests/FrameCutNNTests/Fixtures/models/<name>/   reduced-width, FULL-depth models with seeded random
        weights (random norm affines, batch-norm statistics and GRN gamma/beta, so nothing is an
        identity): weights.safetensors (F16), input.npy, embedding.npy, logits.npy (ConvNeXt), config.json
        convnextv2_tiny       Hugging Face ConvNextV2ForImageClassification, widths / 12
        convnextv2_tiny_timm  the same numbers under timm convnextv2_tiny names (its own embedding:
                              timm's head.norm eps is 1e-6, HF's final layernorm eps 1e-12)
        clip_rn50             open_clip ModifiedResNet (OpenAI CLIP RN50 image tower), width / 16,
                              under OpenAI/open_clip names (visual.*) plus a few text-tower tensors
                              that the loader must ignore
        clip_rn50_timm        the same numbers under timm resnet50_clip names (timm's own converter)
  Tests/FrameCutNNTests/Fixtures/manifests/<name>.txt   key/shape/dtype of the FULL-size models:
        hf_convnextv2_tiny, timm_convnextv2_tiny, openclip_rn50 (visual.* of open_clip RN50),
        timm_resnet50_clip

Usage (Debian python3 with torch 1.13; transformers 4.46.3, timm 0.9.16, open_clip 2.24,
safetensors in /tmp/pyref; timm 1.0.15 in /tmp/pyref-timm1 for resnet50_clip, which timm 0.9 lacks):
  python3 -m pip install --target /tmp/pyref-timm1 --no-deps timm==1.0.15
  PYTHONPATH=/tmp/pyref /usr/bin/python3 scripts/reference/cnn2_fixtures.py [convnext|clip|manifests ...]
The timm 1.0 folder is $FRAMECUT_PYREF_TIMM1 (default /tmp/pyref-timm1); it is imported only in a
subprocess-free second phase: the CLIP part loads timm 1.0 after the Hugging Face/open_clip parts.
"""
import argparse
import importlib
import os
import sys

import numpy as np
import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import nn_fixtures as nf  # noqa: E402  (shared helpers: seeds, rounding, file writers, LSUV init)

torch.set_num_threads(1)
NUM_CLASSES = 10
TIMM1 = os.environ.get("FRAMECUT_PYREF_TIMM1", "/tmp/pyref-timm1")


def allclose_report(a, b):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return dict(max_abs=float(np.abs(a - b).max()), allclose_1e_4=bool(np.allclose(a, b, rtol=1e-4, atol=1e-4)))


def write_fixture(name, sd, dtype, x, emb, logits, cfg):
    out = os.path.join(nf.MODELS, name)
    os.makedirs(out, exist_ok=True)
    nf.save_safetensors(os.path.join(out, "weights.safetensors"), sd, nf.TORCH_DTYPE[dtype])
    nf.save_npy(os.path.join(out, "input.npy"), x.numpy())
    nf.save_npy(os.path.join(out, "embedding.npy"), emb.numpy())
    files = ["weights.safetensors", "input.npy", "embedding.npy"]
    if logits is not None:
        nf.save_npy(os.path.join(out, "logits.npy"), logits.numpy())
        files.append("logits.npy")
    cfg = dict(cfg, name=name, torch=torch.__version__, files=files, input_shape=list(x.shape),
               input_layout="NCHW float32, seeded N(0,1)", weights_dtype=dtype,
               reference_precision="weights rounded to %s, outputs computed in float64 from those values, stored float32" % dtype,
               embedding_shape=list(emb.shape), embedding_std=emb.std().item(),
               weight_keys=nf.key_list(sd, dtype))
    if logits is not None:
        cfg.update(logits_shape=list(logits.shape), logits_std=logits.std().item())
    nf.write_json(os.path.join(out, "config.json"), cfg)
    size = sum(os.path.getsize(os.path.join(out, f)) for f in os.listdir(out))
    print("%-22s emb %s std %.3f  %d bytes" % (name, tuple(emb.shape), emb.std().item(), size))


@torch.no_grad()
def randomize_norms(model):
    """Random affine parameters for every LayerNorm-like module and GRN (not identities)."""
    for name, p in model.named_parameters():
        leaf = name.rsplit(".", 1)
        if ("layernorm" in name or ".norm" in name or name.startswith("stem.1") or "downsampling_layer.0" in name
                or "downsample.0" in name) and p.dim() == 1:
            (p.uniform_(0.5, 1.5) if leaf[-1] == "weight" else p.normal_(0.0, 0.1))
        elif "grn" in name:
            (p.normal_(0.0, 0.5) if leaf[-1] == "weight" else p.normal_(0.0, 0.1))


@torch.no_grad()
def init_random(model, x):
    """nn_fixtures.init_random (Kaiming-normal conv/linear weights, biases N(0, 0.1), random BN
    statistics and affines, then an LSUV-like pass that rescales each conv/linear weight to unit
    output std on `x`), with the Linear bias broadcast over the LAST dimension (ConvNeXt applies
    its Linear layers channels-last)."""
    for m in model.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            fan_in = m.weight[0].numel()
            m.weight.normal_(0.0, (2.0 / fan_in) ** 0.5)
            if m.bias is not None:
                m.bias.normal_(0.0, 0.1)
        elif isinstance(m, nn.BatchNorm2d):
            m.running_mean.normal_(0.0, 0.1)
            m.running_var.uniform_(0.5, 1.5)
            m.weight.uniform_(0.5, 1.5)
            m.bias.normal_(0.0, 0.1)

    def hook(m, inp, out):
        if m.bias is None:
            b = 0.0
        elif isinstance(m, nn.Linear):
            b = m.bias
        else:
            b = m.bias.view(1, -1, *([1] * (out.dim() - 2)))
        std = (out - b).std().item()
        m.weight.mul_(1.0 / std)
        return (out - b) / std + b

    hooks = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
    model(x)
    for h in hooks:
        h.remove()


# ----------------------------------------------------------------------------- ConvNeXt V2

CONVNEXT_D = 12
DEPTHS = [3, 3, 9, 3]
DIMS = [96, 192, 384, 768]


def hf_convnext(dims, num_classes):
    from transformers import ConvNextV2Config, ConvNextV2ForImageClassification
    return ConvNextV2ForImageClassification(ConvNextV2Config(depths=DEPTHS, hidden_sizes=dims, num_labels=num_classes)).eval()


def timm_convnext(dims, num_classes):
    import timm
    return timm.create_model("convnextv2_tiny", pretrained=False, dims=dims, num_classes=num_classes).eval()


def hf_to_timm_key(k):
    """FrameCut's own mapping of HF ConvNextV2ForImageClassification keys to timm's (checked by a strict load)."""
    import re
    heads = {"convnextv2.layernorm.weight": "head.norm.weight", "convnextv2.layernorm.bias": "head.norm.bias",
             "classifier.weight": "head.fc.weight", "classifier.bias": "head.fc.bias"}
    if k in heads:
        return heads[k]
    k = k.replace("convnextv2.embeddings.patch_embeddings", "stem.0").replace("convnextv2.embeddings.layernorm", "stem.1")
    k = re.sub(r"convnextv2\.encoder\.stages\.(\d+)\.downsampling_layer\.", r"stages.\1.downsample.", k)
    k = re.sub(r"convnextv2\.encoder\.stages\.(\d+)\.layers\.", r"stages.\1.blocks.", k)
    for a, b in ((".dwconv.", ".conv_dw."), (".layernorm.", ".norm."), (".pwconv1.", ".mlp.fc1."), (".grn.", ".mlp.grn."),
                 (".pwconv2.", ".mlp.fc2.")):
        k = k.replace(a, b)
    return k


def make_convnext():
    name = "convnextv2_tiny"
    dims = [d // CONVNEXT_D for d in DIMS]
    torch.manual_seed(nf.seed_of(name))
    x = torch.randn(2, 3, 64, 64)
    model = hf_convnext(dims, NUM_CLASSES)
    torch.manual_seed(nf.seed_of(name) + 1)
    randomize_norms(model)
    init_random(model, x)
    nf.round_to(model, torch.float16)
    sd = {k: v.detach().clone() for k, v in model.state_dict().items()}
    m64 = model.double()
    with torch.no_grad():
        out = m64.convnextv2(x.double())
        emb = out.pooler_output
        logits = m64.classifier(emb)
        assert torch.allclose(logits, m64(x.double()).logits)
        # pooler_output = final LayerNorm (eps 1e-12) of the spatial mean of the last stage
        manual = m64.convnextv2.layernorm(out.last_hidden_state.mean([-2, -1]))
        assert torch.equal(manual, emb)
    common = dict(divisor=CONVNEXT_D, depths=DEPTHS, dims=dims, num_classes=NUM_CLASSES,
                  block="dwconv 7x7 p3 (bias) -> LayerNorm(C, eps 1e-6) channels-last -> Linear C->4C -> GELU(erf) -> "
                        "GRN(4C): x + bias + weight * x * (||x||_spatial / (mean_c ||x|| + 1e-6)) -> Linear 4C->C -> + input",
                  stem="Conv2d 3->%d 4x4 s4 (bias) -> LayerNorm channels-first eps 1e-6" % dims[0],
                  downsample="LayerNorm channels-first eps 1e-6 -> Conv2d 2x2 s2 (bias), stages 1..3",
                  random_init="conv/linear Kaiming-normal then LSUV-rescaled to unit output std; layer norm weights U(0.5,1.5), "
                              "biases N(0,0.1); GRN weight N(0,0.5), bias N(0,0.1); biases N(0,0.1)")
    write_fixture(name, sd, "F16", x, emb.float(), logits.float(), dict(
        common, reference="transformers %s ConvNextV2ForImageClassification(ConvNextV2Config(depths=%s, hidden_sizes=%s, "
                          "num_labels=%d))" % (importlib.import_module("transformers").__version__, DEPTHS, dims, NUM_CLASSES),
        embedding="convnextv2(x).pooler_output = layernorm(eps 1e-12)(last_hidden_state.mean([-2,-1])), %d-d" % dims[-1],
        final_layernorm_eps=1e-12))

    # timm: the same numbers under timm's names; its own embedding (head.norm eps 1e-6)
    tname = "convnextv2_tiny_timm"
    tm = timm_convnext(dims, NUM_CLASSES)
    tsd = {hf_to_timm_key(k): v for k, v in sd.items()}
    tsd = {k: (v.reshape(-1) if ".grn." in k else v) for k, v in tsd.items()}  # HF GRN [1,1,1,C] -> timm [C]
    assert list(tsd) == list(tm.state_dict()), "timm key order differs"
    tm.load_state_dict(tsd, strict=True)
    tm = tm.double()
    with torch.no_grad():
        feats = tm.forward_features(x.double())
        temb = tm.forward_head(feats, pre_logits=True)
        tlogits = tm.get_classifier()(temb)
        assert torch.allclose(tlogits, tm(x.double()))
        trunk = (feats - out.last_hidden_state).abs().max().item()
        # HF's channels-first layer norm (stem, downsampling) computes in float32 even in a float64
        # model (`x = x.float()`), so the two float64 forwards differ at float32 rounding level.
        scale = out.last_hidden_state.abs().max().item()
        print("  timm vs HF last stage: max abs diff %.3g (max |value| %.3g)" % (trunk, scale))
        assert trunk < 1e-5 * scale, "timm trunk differs from HF's"
    diff = allclose_report(temb.numpy(), emb.numpy())
    print("  HF pooler_output vs timm pre_logits (eps 1e-12 vs 1e-6):", diff)
    write_fixture(tname, tsd, "F16", x, temb.float(), tlogits.float(), dict(
        common, reference="timm %s convnextv2_tiny(dims=%s, num_classes=%d)" % (importlib.import_module("timm").__version__,
                                                                              dims, NUM_CLASSES),
        embedding="forward_head(pre_logits=True): head.norm (LayerNorm2d eps 1e-6) of the global average pool, %d-d" % dims[-1],
        hf_vs_timm_embedding=diff, final_layernorm_eps=1e-6,
        weights_note="the convnextv2_tiny fixture's numbers, keys mapped HF -> timm and GRN reshaped [1,1,1,C] -> [C]"))


# ----------------------------------------------------------------------------- CLIP RN-50

CLIP_D = 16
LAYERS = [3, 4, 6, 3]


def openclip_rn50(width, output_dim, heads, image_size):
    from open_clip.modified_resnet import ModifiedResNet
    return ModifiedResNet(layers=LAYERS, output_dim=output_dim, heads=heads, image_size=image_size, width=width).eval()


def timm_rn50_clip(width, output_dim, image_size):
    """timm 1.0 ByobNet resnet50_clip; reduced widths through its own model config (stem_chs and the
    block widths scaled by width/64; timm derives the attention pool's heads as embed_dim / 64).
    Bottleneck mid widths are `make_divisible(c * 0.25)` (multiples of 8): all are at full size; for
    the reduced model make_divisible is the identity while it is built."""
    import timm
    from dataclasses import replace
    import timm.models.byobnet as byobnet
    assert int(timm.__version__.split(".")[0]) >= 1, "resnet50_clip needs timm >= 1.0 (%s)" % TIMM1
    base = byobnet.model_cfgs["resnet50_clip"]
    cfg = replace(base, blocks=tuple(replace(b, c=b.c * width // 64) for b in base.blocks),
                  stem_chs=tuple(c * width // 64 for c in base.stem_chs))
    saved = byobnet.make_divisible
    if width != 64:
        byobnet.make_divisible = lambda v, *args, **kwargs: int(v)
    try:
        return byobnet.ByobNet(cfg, num_classes=output_dim, img_size=image_size).eval()
    finally:
        byobnet.make_divisible = saved


def text_tower_stub(seed):
    """A few tensors named as a whole CLIP checkpoint's text tower (which the loader must ignore);
    a top-level `positional_embedding` too, the text one, not the attention pool's."""
    g = torch.Generator().manual_seed(seed)
    shapes = {"positional_embedding": (4, 16), "text_projection": (16, 8), "logit_scale": (),
              "token_embedding.weight": (10, 16), "ln_final.weight": (16,), "ln_final.bias": (16,),
              "transformer.resblocks.0.attn.in_proj_weight": (48, 16)}
    return {k: torch.randn(v, generator=g) for k, v in shapes.items()}


def make_clip():
    from timm.models.byobnet import _convert_openai_clip
    import open_clip.version
    OPEN_CLIP_VERSION = open_clip.version.__version__
    name = "clip_rn50"
    width, out_dim, heads, size = 64 // CLIP_D, 1024 // CLIP_D, 2, 64
    torch.manual_seed(nf.seed_of(name))
    x = torch.randn(2, 3, size, size)
    model = openclip_rn50(width, out_dim, heads, size)
    torch.manual_seed(nf.seed_of(name) + 1)
    init_random(model, x)  # the attention pool's projections are called functionally: Kaiming-normal, no LSUV
    nf.round_to(model, torch.float16)
    visual = {"visual." + k: v.detach().clone() for k, v in model.state_dict().items()}
    sd = dict(visual, **{k: v.half().float() for k, v in text_tower_stub(nf.seed_of(name) + 2).items()})
    m64 = model.double()
    with torch.no_grad():
        emb = m64(x.double())
        # the references' attention pool uses every token as a query and keeps the first row: the
        # same as the mean token's query alone
        f = m64.layer4(m64.layer3(m64.layer2(m64.layer1(m64.stem(x.double())))))
        ap = m64.attnpool
        t = f.flatten(2).permute(2, 0, 1)
        t = torch.cat([t.mean(0, keepdim=True), t], 0) + ap.positional_embedding[:, None, :]
        one, _ = torch.nn.functional.multi_head_attention_forward(
            query=t[:1], key=t, value=t, embed_dim_to_check=t.shape[-1], num_heads=ap.num_heads,
            q_proj_weight=ap.q_proj.weight, k_proj_weight=ap.k_proj.weight, v_proj_weight=ap.v_proj.weight,
            in_proj_weight=None, in_proj_bias=torch.cat([ap.q_proj.bias, ap.k_proj.bias, ap.v_proj.bias]),
            bias_k=None, bias_v=None, add_zero_attn=False, dropout_p=0., out_proj_weight=ap.c_proj.weight,
            out_proj_bias=ap.c_proj.bias, use_separate_proj_weight=True, training=False, need_weights=False)
        assert torch.allclose(one[0], emb, rtol=0, atol=1e-12)
    common = dict(divisor=CLIP_D, layers=LAYERS, width=width, heads=heads, head_dim=width * 32 // heads, output_dim=out_dim,
                  image_size=size, attnpool_tokens=(size // 32) ** 2 + 1,
                  stem="conv1 3x3 s2 p1 -> bn1 -> ReLU -> conv2 3x3 p1 -> bn2 -> ReLU -> conv3 3x3 p1 -> bn3 -> ReLU -> AvgPool2d(2)",
                  block="Bottleneck: conv1 1x1 -> bn1 -> ReLU -> conv2 3x3 p1 -> bn2 -> ReLU -> AvgPool2d(stride) -> conv3 1x1 -> bn3, "
                        "+ identity or downsample (AvgPool2d(stride) -> conv 1x1 s1 -> bn: keys downsample.0/.1) -> ReLU",
                  attnpool="tokens = [mean over HxW; HxW positions] + positional_embedding; MHA (separate q/k/v, in_proj_bias = "
                           "cat(q,k,v biases), scale 1/sqrt(head_dim)) -> c_proj; output row 0 (the mean token)",
                  random_init="conv Kaiming-normal then LSUV-rescaled to unit output std; BN running mean N(0,0.1), var U(0.5,1.5), "
                              "weight U(0.5,1.5), bias N(0,0.1); attnpool q/k/v/c_proj Kaiming-normal, biases N(0,0.1); "
                              "positional_embedding randn/sqrt(C) (the constructor's)")
    write_fixture(name, sd, "F16", x, emb.float(), None, dict(
        common, reference="open_clip %s open_clip.modified_resnet.ModifiedResNet(layers=%s, output_dim=%d, heads=%d, "
                          "image_size=%d, width=%d)" % (OPEN_CLIP_VERSION, LAYERS, out_dim, heads, size, width),
        embedding="ModifiedResNet(x): the attention pool's c_proj output (CLIP's projected image feature), %d-d" % out_dim,
        text_tower_keys=sorted(k for k in sd if not k.startswith("visual.")),
        text_tower_note="stand-ins for a whole CLIP checkpoint's text-tower tensors: the loader must ignore them"))

    import timm
    tname = "clip_rn50_timm"
    tm = timm_rn50_clip(width, out_dim, size)
    tsd = _convert_openai_clip(sd, tm)  # timm's own OpenAI -> timm converter (drops the text tower)
    assert list(tsd) != list(tm.state_dict()) and set(tsd) == set(tm.state_dict())
    tsd = {k: tsd[k] for k in tm.state_dict()}  # timm's state_dict order (shortcut first)
    tm.load_state_dict(tsd, strict=True)
    tm = tm.double()
    assert tm.head.num_heads == heads
    with torch.no_grad():
        temb = tm(x.double())
    diff = allclose_report(temb.numpy(), emb.numpy())
    print("  open_clip vs timm resnet50_clip:", diff)
    assert diff["max_abs"] < 1e-10
    write_fixture(tname, tsd, "F16", x, temb.float(), None, dict(
        common, reference="timm %s ByobNet(resnet50_clip config, block widths and stem_chs x %d/64, num_classes=%d, img_size=%d)"
                          % (timm.__version__, width, out_dim, size),
        embedding="model(x): head (AttentionPool2d, qkv_separate, pool 'token') incl. head.proj, the projected %d-d feature" % out_dim,
        open_clip_vs_timm=diff,
        weights_note="the clip_rn50 fixture's numbers converted by timm.models.byobnet._convert_openai_clip, in timm's order"))


# ----------------------------------------------------------------------------- manifests

def make_manifests(which):
    if "clip" in which:
        torch.manual_seed(0)
        nf.write_manifest("openclip_rn50.txt", {"visual." + k: v for k, v in openclip_rn50(64, 1024, 32, 224).state_dict().items()})
        nf.write_manifest("timm_resnet50_clip.txt", timm_rn50_clip(64, 1024, 224).state_dict())
        print("manifests openclip_rn50, timm_resnet50_clip")
    if "convnext" in which:
        torch.manual_seed(0)
        nf.write_manifest("hf_convnextv2_tiny.txt", hf_convnext(DIMS, 1000).state_dict())
        nf.write_manifest("timm_convnextv2_tiny.txt", timm_convnext(DIMS, 1000).state_dict())
        print("manifests hf_convnextv2_tiny, timm_convnextv2_tiny")


PARTS = {"convnext": make_convnext, "clip": make_clip,
         "manifests-convnext": lambda: make_manifests(["convnext"]), "manifests-clip": lambda: make_manifests(["clip"])}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("what", nargs="*", default=["convnext", "clip", "manifests"],
                    help="convnext | clip | manifests (= manifests-convnext manifests-clip)")
    args = ap.parse_args()
    parts = [p for w in args.what for p in (["manifests-convnext", "manifests-clip"] if w == "manifests" else [w])]
    for p in parts:
        if p not in PARTS:
            sys.exit("unknown: " + p)
    if len(parts) > 1:
        # timm 0.9 (ConvNeXt V2) and timm 1.0 (resnet50_clip) cannot share a process: one per part
        import subprocess
        for p in parts:
            subprocess.run([sys.executable, os.path.abspath(__file__), p], check=True)
        return
    if "clip" in parts[0]:
        sys.path.insert(0, TIMM1)
    PARTS[parts[0]]()


if __name__ == "__main__":
    main()
