#!/usr/bin/python3
"""PyTorch reference fixtures for FrameCutNN's model-parity tests.

Writes
  Tests/FrameCutNNTests/Fixtures/models/<name>/     (reduced-width, full-depth models, seeded
        random weights): weights.safetensors (+ weights.pth for resnet50), input.npy,
        embedding.npy, logits.npy (+ embedding_pool.npy for vgg19_bn), config.json
  Tests/FrameCutNNTests/Fixtures/manifests/<name>.txt   (state_dict key/shape/dtype lists of
        the FULL-size real configurations, num_classes=1000, random init)
  Tests/FrameCutNNTests/Fixtures/models/efficientnet_lite0_real/   (outputs of the REAL
        EfficientNet-Lite0 weights on chelsea.png / coffee.png; needs scripts/fetch_test_data.sh)

Usage (Debian's python, which has torch 1.13 + torchvision 0.14):
  python3 -m pip install --target /tmp/pyvendor --no-deps timm==1.0.31 safetensors==0.8.0
  python3 -m pip download --no-deps -d /tmp/dl efficientnet-lite-pytorch==0.1.0
  python3 -c "import zipfile; zipfile.ZipFile('/tmp/dl/efficientnet_lite_pytorch-0.1.0-py3-none-any.whl').extractall('/tmp/pyvendor')"
  scripts/fetch_test_data.sh
  /usr/bin/python3 scripts/reference/nn_fixtures.py [models|manifests|real ...]   (default: all)
The vendor folder is /tmp/pyvendor or $FRAMECUT_PYVENDOR; test data in $FRAMECUT_TEST_DATA
or <repo>/.cache/test-data.

Width reduction: while a reduced model is built, the __init__ of torch.nn.Conv2d,
torch.nn.BatchNorm2d and torch.nn.Linear are wrapped (see `reduced_width`) so that every
channel count (and `groups` when > 1) is divided by D, except 3 (the image channels) and the
number of classes. Wrapping the classes' __init__ (instead of each module's `nn` symbol) also
catches subclasses (efficientnet's Conv2dStaticSamePadding, timm's BatchNormAct2d) and
constructors bound as default arguments (timm's `norm_layer=nn.BatchNorm2d`). Each reduced
model's state_dict is checked against the full-size model's: same keys in the same order,
same kernel sizes, every channel dim divided by D.
"""
import argparse
import contextlib
import hashlib
import inspect
import io
import json
import os
import sys

sys.path.insert(0, os.environ.get("FRAMECUT_PYVENDOR", "/tmp/pyvendor"))

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIX = os.path.join(REPO, "Tests", "FrameCutNNTests", "Fixtures")
MODELS = os.path.join(FIX, "models")
MANIFESTS = os.path.join(FIX, "manifests")
TEST_DATA = os.environ.get("FRAMECUT_TEST_DATA", os.path.join(REPO, ".cache", "test-data"))
NUM_CLASSES = 10


# ----------------------------------------------------------------------------- width reduction

@contextlib.contextmanager
def reduced_width(D, keep):
    """Divide channel counts by D in every Conv2d / BatchNorm2d / Linear built inside."""
    if D == 1:
        yield
        return

    def dv(c):
        if c in keep:
            return c
        assert c % D == 0, "channel count %d not divisible by %d" % (c, D)
        return c // D

    saved = []

    def wrap(cls, fields):
        orig = cls.__init__
        had = "__init__" in cls.__dict__
        sig = inspect.signature(orig)

        def init(self, *args, **kwargs):
            ba = sig.bind(self, *args, **kwargs)
            for f in fields:
                if f in ba.arguments:
                    ba.arguments[f] = dv(ba.arguments[f])
            if cls is nn.Conv2d and ba.arguments.get("groups", 1) > 1:
                ba.arguments["groups"] = dv(ba.arguments["groups"])
            orig(*ba.args, **ba.kwargs)

        cls.__init__ = init
        saved.append((cls, orig, had))

    wrap(nn.Conv2d, ["in_channels", "out_channels"])
    wrap(nn.BatchNorm2d, ["num_features"])
    wrap(nn.Linear, ["in_features", "out_features"])
    try:
        yield
    finally:
        for cls, orig, had in saved:
            if had:
                cls.__init__ = orig
            else:
                del cls.__init__


def check_reduction(small, full, D, num_classes):
    """Same keys/order; kernel dims equal; channel dims of `full` divided by D."""
    s, f = small.state_dict(), full.state_dict()
    assert list(s) == list(f), "key lists differ"
    for k in s:
        a, b = tuple(s[k].shape), tuple(f[k].shape)
        assert len(a) == len(b), k
        for i, (x, y) in enumerate(zip(a, b)):
            if i >= 2:
                assert x == y, (k, a, b)
            elif y == 1000 and x == num_classes:
                pass
            elif y in (1, 3):
                assert x == y, (k, a, b)
            else:
                assert x * D == y, (k, a, b)


# ----------------------------------------------------------------------------- model builders

def build(name, num_classes, image_size=None):
    if name in ("resnet50", "vgg19_bn"):
        import torchvision
        return getattr(torchvision.models, name)(num_classes=num_classes)
    if name in ("resnet50_timm", "vgg19_bn_timm", "inception_resnet_v2"):
        import timm
        arch = {"resnet50_timm": "resnet50", "vgg19_bn_timm": "vgg19_bn"}.get(name, name)
        return timm.create_model(arch, pretrained=False, num_classes=num_classes)
    if name == "efficientnet_lite0":
        from efficientnet_lite_pytorch import EfficientNet
        kw = {"image_size": image_size} if image_size else {}
        return EfficientNet.from_name("efficientnet-lite0", num_classes=num_classes, **kw)
    raise KeyError(name)


SPECS = {
    # name: divisor, input shape, storage dtype, reference
    "resnet50": dict(D=8, shape=(2, 3, 64, 64), dtype="F16", ref="torchvision.models.resnet50"),
    "resnet50_timm": dict(D=8, shape=(1, 3, 64, 64), dtype="F16", ref="timm resnet50"),
    "vgg19_bn": dict(D=16, shape=(2, 3, 64, 64), dtype="BF16", ref="torchvision.models.vgg19_bn"),
    "vgg19_bn_timm": dict(D=16, shape=(1, 3, 64, 64), dtype="F16", ref="timm vgg19_bn"),
    "inception_resnet_v2": dict(D=8, shape=(1, 3, 139, 139), dtype="F16", ref="timm inception_resnet_v2"),
    "efficientnet_lite0": dict(D=8, shape=(2, 3, 64, 64), dtype="F16",
                               ref="efficientnet_lite_pytorch.EfficientNet.from_name('efficientnet-lite0', image_size=64)"),
}
TORCH_DTYPE = {"F16": torch.float16, "BF16": torch.bfloat16, "F32": torch.float32}


def seed_of(name):
    return int(hashlib.sha256(name.encode()).hexdigest()[:8], 16)


# ----------------------------------------------------------------------------- random weights

@torch.no_grad()
def init_random(model, x):
    """Kaiming-normal conv/linear weights, then one data-dependent pass (LSUV-like) that rescales
    each conv/linear weight so that its output (bias excluded) has unit std on `x`; random but
    non-trivial BN statistics and affine parameters; biases ~ N(0, 0.1)."""
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

    hooks = []

    def hook(m, inp, out):
        b = m.bias.view(1, -1, *([1] * (out.dim() - 2))) if m.bias is not None else 0.0
        std = (out - b).std().item()
        m.weight.mul_(1.0 / std)
        return (out - b) / std + b

    for m in model.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            hooks.append(m.register_forward_hook(hook))
    model(x)
    for h in hooks:
        h.remove()


@torch.no_grad()
def round_to(model, dtype):
    for t in list(model.parameters()) + list(model.buffers()):
        if t.is_floating_point():
            t.copy_(t.to(dtype).to(t.dtype))


# ----------------------------------------------------------------------------- io helpers

def save_npy(path, a):
    np.save(path, np.ascontiguousarray(a, dtype=np.float32))


def dtype_name(t):
    return {torch.float32: "f32", torch.float16: "f16", torch.bfloat16: "bf16", torch.int64: "i64",
            torch.float64: "f64"}[t.dtype]


def save_safetensors(path, sd, dtype):
    from safetensors.torch import save_file
    out = {}
    for k, v in sd.items():
        out[k] = (v.to(dtype) if v.is_floating_point() else v).contiguous()
    save_file(out, path, metadata={"format": "pt"})


def write_json(path, obj):
    """Top-level keys one per line; a list's items one per line, each item compact."""
    def item(v):
        return json.dumps(v, separators=(",", ":"))
    parts = []
    for k, v in obj.items():
        if isinstance(v, list) and v and isinstance(v[0], (dict, list)):
            body = "[\n" + ",\n".join("  " + item(e) for e in v) + "\n ]"
        elif isinstance(v, dict):
            body = "{\n" + ",\n".join("  %s: %s" % (json.dumps(a), item(b)) for a, b in v.items()) + "\n }"
        else:
            body = item(v)
        parts.append(" %s: %s" % (json.dumps(k), body))
    with open(path, "w") as f:
        f.write("{\n" + ",\n".join(parts) + "\n}\n")


def module_table(model):
    """Every leaf module with the hyper-parameters the Swift side needs to rebuild it."""
    rows = []
    for name, m in model.named_modules():
        r = None
        if isinstance(m, nn.Conv2d):
            r = dict(type="Conv2d", in_ch=m.in_channels, out_ch=m.out_channels, kernel=list(m.kernel_size),
                     stride=list(m.stride), padding=list(m.padding) if not isinstance(m.padding, str) else m.padding,
                     dilation=list(m.dilation), groups=m.groups, bias=m.bias is not None)
            sp = getattr(m, "static_padding", None)
            if isinstance(sp, nn.ZeroPad2d):
                r["static_pad_lrtb"] = list(sp.padding)
            elif sp is not None:
                r["static_pad_lrtb"] = [0, 0, 0, 0]
        elif isinstance(m, nn.BatchNorm2d):
            r = dict(type="BatchNorm2d", ch=m.num_features, eps=m.eps)
        elif isinstance(m, nn.Linear):
            r = dict(type="Linear", in_f=m.in_features, out_f=m.out_features, bias=m.bias is not None)
        elif isinstance(m, (nn.MaxPool2d, nn.AvgPool2d)):
            r = dict(type=type(m).__name__, kernel=m.kernel_size, stride=m.stride, padding=m.padding,
                     ceil_mode=m.ceil_mode)
            if isinstance(m, nn.AvgPool2d):
                r["count_include_pad"] = m.count_include_pad
        elif isinstance(m, (nn.AdaptiveAvgPool2d, nn.AdaptiveMaxPool2d)):
            r = dict(type=type(m).__name__, output_size=m.output_size)
        elif isinstance(m, (nn.ReLU, nn.ReLU6, nn.Dropout, nn.Identity, nn.Flatten)):
            continue
        elif hasattr(m, "scale") and isinstance(getattr(m, "scale"), float):
            r = dict(type=type(m).__name__, scale=m.scale)
        if r is not None:
            r["name"] = name
            rows.append(r)
    return rows


def key_list(sd, dtype):
    return [[k, list(v.shape), dtype.lower() if v.is_floating_point() else dtype_name(v)] for k, v in sd.items()]


# ----------------------------------------------------------------------------- fixtures

def embed_and_logits(name, model, x):
    """Returns (embedding, logits, extra) in float64; checks the embedding against the head."""
    extra = {}
    with torch.no_grad():
        logits = model(x)
        if name == "resnet50":
            m = model
            h = m.layer4(m.layer3(m.layer2(m.layer1(m.maxpool(m.relu(m.bn1(m.conv1(x))))))))
            emb = torch.flatten(m.avgpool(h), 1)
            assert torch.allclose(m.fc(emb), logits)
        elif name == "vgg19_bn":
            pool = torch.flatten(model.avgpool(model.features(x)), 1)
            emb = model.classifier[:6](pool)  # fc6, ReLU, Dropout, fc7, ReLU, Dropout
            assert torch.allclose(model.classifier[6](emb), logits)
            extra["embedding_pool"] = pool
        elif name in ("resnet50_timm", "vgg19_bn_timm", "inception_resnet_v2"):
            feats = model.forward_features(x)
            emb = model.forward_head(feats, pre_logits=True)
            fc = model.get_classifier()
            assert torch.allclose(fc(emb), logits)
        elif name == "efficientnet_lite0":
            emb = torch.flatten(model._avg_pooling(model.extract_features(x)), 1)
            assert torch.allclose(model._fc(emb), logits)
        else:
            raise KeyError(name)
    return emb, logits, extra


def effnet_block_table(model, D):
    rows = []
    for i, b in enumerate(model._blocks):
        a = b._block_args
        row = dict(index=i, in_ch=a.input_filters // D, out_ch=a.output_filters // D,
                   expanded_ch=a.input_filters * a.expand_ratio // D, in_ch_full=a.input_filters, out_ch_full=a.output_filters,
                   expand_ratio=a.expand_ratio,
                   kernel=a.kernel_size, stride=_stride(a), se_ratio=a.se_ratio, has_se=b.has_se,
                   skip=bool(a.id_skip and _stride(a) == 1 and a.input_filters == a.output_filters),
                   depthwise_static_pad_lrtb=list(b._depthwise_conv.static_padding.padding)
                   if isinstance(b._depthwise_conv.static_padding, nn.ZeroPad2d) else [0, 0, 0, 0])
        rows.append(row)
    return rows


def _stride(a):
    return a.stride if isinstance(a.stride, int) else a.stride[0]


def effnet_real_stage_table(model):
    # recover stages from the built blocks (block args of the model object are the unscaled ones)
    stages = []
    for b in model._blocks:
        a = b._block_args
        if stages and _stride(a) == 1 and a.input_filters == stages[-1]["out"] and a.kernel_size == stages[-1]["kernel"] \
                and a.expand_ratio == stages[-1]["expand_ratio"] and a.output_filters == stages[-1]["out"]:
            stages[-1]["repeats"] += 1
        else:
            stages.append(dict(inp=a.input_filters, out=a.output_filters, expand_ratio=a.expand_ratio,
                               kernel=a.kernel_size, stride=_stride(a), repeats=1, se_ratio=a.se_ratio))
    return stages


SAME_RULE = ("TF 'SAME', static: for a conv with kernel k, stride s on an input of size i (the size this layer sees "
             "when the network input is image_size x image_size): o = ceil(i/s); pad = max((o-1)*s + k - i, 0); "
             "pad_left/top = pad // 2, pad_right/bottom = pad - pad // 2 (the extra pixel goes right/bottom); "
             "zero padding, then an unpadded conv. The pads are fixed at construction from image_size "
             "(Conv2dStaticSamePadding) and are ONLY right for that input size; 1x1 convs get no padding.")


def make_model_fixture(name, verbose=False):
    spec = SPECS[name]
    D, shape, sdtype = spec["D"], spec["shape"], spec["dtype"]
    tdt = TORCH_DTYPE[sdtype]
    out = os.path.join(MODELS, name)
    os.makedirs(out, exist_ok=True)
    image_size = shape[-1] if name == "efficientnet_lite0" else None

    torch.manual_seed(seed_of(name))
    x = torch.randn(*shape)
    with reduced_width(D, keep={3, NUM_CLASSES}):
        model = build(name, NUM_CLASSES, image_size)
    model.eval()
    full = build(name, 1000, image_size)
    check_reduction(model, full, D, NUM_CLASSES)
    if verbose:
        print(model)
    del full

    torch.manual_seed(seed_of(name) + 1)
    init_random(model, x)
    round_to(model, tdt)
    sd32 = {k: v.detach().clone() for k, v in model.state_dict().items()}

    model = model.double()
    emb, logits, extra = embed_and_logits(name, model, x.double())
    emb_std, log_std = emb.std().item(), logits.std().item()
    print("%-22s emb %s std %.3f  logits %s std %.3f" % (name, tuple(emb.shape), emb_std, tuple(logits.shape), log_std))
    assert 0.05 < emb_std < 20 and 0.05 < log_std < 20, "activations exploded or vanished"

    save_safetensors(os.path.join(out, "weights.safetensors"), sd32, tdt)
    files = ["weights.safetensors"]
    if name == "resnet50":
        buf = io.BytesIO()
        torch.save(sd32, buf)  # zip format, float32 values == the F16 ones
        open(os.path.join(out, "weights.pth"), "wb").write(buf.getvalue())
        files.append("weights.pth")
    save_npy(os.path.join(out, "input.npy"), x.numpy())
    save_npy(os.path.join(out, "embedding.npy"), emb.numpy())
    save_npy(os.path.join(out, "logits.npy"), logits.numpy())
    for k, v in extra.items():
        save_npy(os.path.join(out, k + ".npy"), v.numpy())
    files += ["input.npy", "embedding.npy", "logits.npy"] + [k + ".npy" for k in extra]

    bn_eps = sorted({m.eps for m in model.modules() if isinstance(m, nn.BatchNorm2d)})
    cfg = dict(
        name=name, reference=spec["ref"], torch=torch.__version__, seed=seed_of(name),
        divisor=D, divisor_rule="every channel count of the real model divided by D (groups too for depthwise), "
                                "except the 3 image channels and num_classes",
        num_classes=NUM_CLASSES, input_shape=list(shape), input_layout="NCHW float32, seeded N(0,1)",
        weights_dtype=sdtype, files=files,
        reference_precision="weights rounded to %s, outputs computed in float64 from those values, stored float32" % sdtype,
        bn_eps=bn_eps[0] if len(bn_eps) == 1 else bn_eps,
        embedding_shape=list(emb.shape), logits_shape=list(logits.shape),
        embedding_std=emb_std, logits_std=log_std,
    )
    if name in ("resnet50", "resnet50_timm"):
        cfg.update(activation="ReLU", stem=dict(conv="7x7 s2 p3, 3->%d" % (64 // D), bn=True, relu=True,
                                               maxpool="3x3 s2 p1"),
                   layers=[3, 4, 6, 3], planes=[64 // D, 128 // D, 256 // D, 512 // D], expansion=4,
                   block="Bottleneck: conv1 1x1 -> bn1 -> relu -> conv2 3x3 (stride here, v1.5) -> bn2 -> relu -> "
                         "conv3 1x1 -> bn3, + identity or downsample (conv 1x1 stride s, bn: keys downsample.0/.1) -> relu",
                   embedding="global average pool of layer4 output (%d-d), input of fc" % (2048 // D))
    elif name in ("vgg19_bn", "vgg19_bn_timm"):
        cfgl = [64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M", 512, 512, 512, 512, "M"]
        cfg.update(activation="ReLU", features=[c if c == "M" else c // D for c in cfgl],
                   features_layout="per number: Conv2d 3x3 p1 (bias) -> BatchNorm2d -> ReLU (3 indices in features.*); "
                                   "M: MaxPool2d 2x2 s2 (1 index)")
        if name == "vgg19_bn":
            cfg.update(classifier=["Linear %d->%d" % (512 // D * 49, 4096 // D), "ReLU", "Dropout",
                                   "Linear %d->%d" % (4096 // D, 4096 // D), "ReLU", "Dropout",
                                   "Linear %d->%d" % (4096 // D, NUM_CLASSES)],
                       avgpool="AdaptiveAvgPool2d(7): features end at 2x2 for a 64 px input, so this upsamples "
                               "(each 7x7 output bin averages input rows floor(i*2/7)..ceil((i+1)*2/7)-1)",
                       embedding="fc7: classifier[:6] output (after the 2nd ReLU; Dropout is identity in eval), %d-d" % (4096 // D),
                       embedding_pool="flattened avgpool output (C,7,7 row-major), %d-d" % (512 // D * 49))
        else:
            cfg.update(pre_logits="ConvMlp: if H or W < 7: adaptive_avg_pool2d to (max(7,H), max(7,W)); "
                                  "fc1 Conv2d %d->%d 7x7 (bias, no padding) -> ReLU -> Dropout -> fc2 Conv2d %d->%d 1x1 (bias) -> ReLU"
                                  % (512 // D, 4096 // D, 4096 // D, 4096 // D),
                       head="ClassifierHead: global avg pool + flatten, then head.fc Linear %d->%d" % (4096 // D, NUM_CLASSES),
                       embedding="forward_head(pre_logits=True): pre_logits output (N,%d,1,1 here) global-avg-pooled "
                                 "and flattened, %d-d" % (4096 // D, 4096 // D))
    elif name == "inception_resnet_v2":
        cfg.update(activation="ReLU", repeats=dict(repeat=10, repeat_1=20, repeat_2=9),
                   block_scales=dict(block35=0.17, block17=0.10, block8=0.20, final_block8="scale 1.0, no ReLU"),
                   channels=dict(stem=[32 // D, 32 // D, 64 // D, 80 // D, 192 // D], mixed_5b=320 // D,
                                 mixed_6a=1088 // D, mixed_7a=2080 // D, conv2d_7b=1536 // D),
                   note="BasicConv2d = Conv2d(bias=False) -> BatchNorm2d(eps=0.001) -> ReLU; mixed_5b branch3 "
                        "AvgPool2d(3, s1, p1, count_include_pad=False); see modules for every layer",
                   embedding="forward_head(pre_logits=True): global avg pool of conv2d_7b output, %d-d" % (1536 // D))
    elif name == "efficientnet_lite0":
        gp = model._global_params
        cfg.update(activation="ReLU6 (relu_fn='relu6'), after bn0 of stem, each expand/depthwise BN, and bn1 of head; "
                              "none after a block's project BN",
                   image_size=gp.image_size, same_padding=SAME_RULE,
                   batch_norm=dict(eps=gp.batch_norm_epsilon, tf_momentum=gp.batch_norm_momentum,
                                   torch_momentum=1 - gp.batch_norm_momentum),
                   se="none (lite has use_se=False; block strings carry no se ratio, has_se is False in every block)",
                   stem="Conv2d 3->%d 3x3 s2 (SAME) no bias -> bn0 -> ReLU6 (stem/head not width-scaled in lite: 32, 1280 before /D)" % (32 // D),
                   head="conv_head 1x1 %d->%d no bias -> bn1 -> ReLU6 -> AdaptiveAvgPool2d(1) -> Dropout -> _fc" % (320 // D, 1280 // D),
                   block="MBConv: [expand_conv 1x1 -> bn0 -> ReLU6 if expand_ratio != 1] -> depthwise kxk stride s (SAME) "
                         "-> bn1 -> ReLU6 -> project 1x1 -> bn2; + input if stride 1 and in == out (drop_connect off in eval)",
                   stages_full_size_channels=effnet_real_stage_table(model),
                   stages_note="channel counts of the real lite0 (stage 0 input forced to 32 by fix_head_stem, "
                               "repeats unscaled); this fixture divides every one by divisor",
                   blocks=effnet_block_table(model, D),
                   embedding="AdaptiveAvgPool2d(1) of the head output, flattened (before dropout/_fc), %d-d" % (1280 // D))
    # self-check: a fresh reduced model loaded from the written file reproduces the outputs; the
    # float32 forward's deviation from the float64 reference tells the Swift side what to expect
    from safetensors.torch import load_file
    with reduced_width(D, keep={3, NUM_CLASSES}):
        m2 = build(name, NUM_CLASSES, image_size)
    loaded = load_file(os.path.join(out, "weights.safetensors"))
    m2.load_state_dict({k: v.float() if v.is_floating_point() else v for k, v in loaded.items()}, strict=True)
    if name == "resnet50":
        p = torch.load(os.path.join(out, "weights.pth"))
        assert all(torch.equal(p[k], loaded[k].to(p[k].dtype)) for k in p)
    m2.eval()
    e64, l64, _ = embed_and_logits(name, m2.double(), x.double())
    assert torch.equal(l64, logits) and torch.equal(e64, emb)
    e32, l32, _ = embed_and_logits(name, m2.float(), x)
    cfg["float32_forward_max_abs_diff"] = dict(embedding=(e32.double() - emb).abs().max().item(),
                                               logits=(l32.double() - logits).abs().max().item())
    cfg["modules"] = module_table(model)
    cfg["weight_keys"] = key_list(sd32, sdtype)
    write_json(os.path.join(out, "config.json"), cfg)


# ----------------------------------------------------------------------------- manifests

def manifest_lines(sd):
    lines = []
    for k, v in sd.items():
        lines.append("%s\t%s\t%s" % (k, ",".join(str(d) for d in v.shape), dtype_name(v)))
    return lines


def write_manifest(fname, sd):
    os.makedirs(MANIFESTS, exist_ok=True)
    with open(os.path.join(MANIFESTS, fname), "w") as f:
        f.write("\n".join(manifest_lines(sd)) + "\n")


def make_manifests():
    pairs = [("torchvision_resnet50.txt", "resnet50"), ("timm_resnet50.txt", "resnet50_timm"),
             ("torchvision_vgg19_bn.txt", "vgg19_bn"), ("timm_vgg19_bn.txt", "vgg19_bn_timm"),
             ("timm_inception_resnet_v2.txt", "inception_resnet_v2")]
    sds = {}
    for fname, name in pairs:
        torch.manual_seed(0)
        sd = build(name, 1000).state_dict()
        sds[name] = {k: (tuple(v.shape), v.dtype) for k, v in sd.items()}
        write_manifest(fname, sd)
        print("manifest %-30s %d entries" % (fname, len(sd)))
    a, b = sds["resnet50"], sds["resnet50_timm"]
    print("resnet50 torchvision vs timm: keys equal:", list(a) == list(b), " shapes equal:", a == b)
    a, b = sds["vgg19_bn"], sds["vgg19_bn_timm"]
    print("vgg19_bn torchvision-only keys:", [k for k in a if k not in b])
    print("vgg19_bn timm-only keys:", [(k, b[k][0]) for k in b if k not in a])
    print("vgg19_bn common keys with different shapes:", [k for k in a if k in b and a[k] != b[k]])

    # efficientnet-lite0: the real file's keys, compared with the reference code's state_dict()
    pth = os.path.join(TEST_DATA, "efficientnet-lite0-57934424.pth")
    real = torch.load(pth, map_location="cpu")
    write_manifest("efficientnet_lite0.txt", real)
    ref = build("efficientnet_lite0", 1000).state_dict()
    print("manifest efficientnet_lite0.txt            %d entries (reference code: %d)" % (len(real), len(ref)))
    print("  only in real file:", [k for k in real if k not in ref])
    print("  only in reference state_dict:", [k for k in ref if k not in real])
    print("  same order:", [k for k in real if k in ref] == [k for k in ref if k in real])
    print("  shape/dtype differences:", [(k, tuple(real[k].shape), real[k].dtype, tuple(ref[k].shape), ref[k].dtype)
                                         for k in real if k in ref and (real[k].shape != ref[k].shape or real[k].dtype != ref[k].dtype)])


# ----------------------------------------------------------------------------- real efficientnet-lite0

NORMS = {
    "tf_lite_127_128": dict(desc="(x*255 - 127) / 128 with x = pixel/255 (TF EfficientNet-Lite MEAN_RGB=127, STDDEV_RGB=128)",
                            mean=[127 / 255] * 3, std=[128 / 255] * 3),
    "imagenet": dict(desc="(x - mean) / std, mean (0.485,0.456,0.406), std (0.229,0.224,0.225) (the package README's)",
                     mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225]),
}


def preprocess(path, norm):
    """PIL: RGB, shorter side -> 256 (longer = int(256*long/short)), bicubic; centre crop 224
    (top = int(round((h-224)/2)), left likewise); /255; (x - mean)/std."""
    from PIL import Image
    img = Image.open(path).convert("RGB")
    w, h = img.size
    if w <= h:
        nw, nh = 256, int(256 * h / w)
    else:
        nw, nh = int(256 * w / h), 256
    img = img.resize((nw, nh), Image.BICUBIC)
    top, left = int(round((nh - 224) / 2.0)), int(round((nw - 224) / 2.0))
    img = img.crop((left, top, left + 224, top + 224))
    a = np.asarray(img, dtype=np.float64) / 255.0  # HWC
    mean, std = np.array(NORMS[norm]["mean"]), np.array(NORMS[norm]["std"])
    a = (a - mean) / std
    return a.transpose(2, 0, 1).astype(np.float32), (w, h, nw, nh, top, left)


def check_against_torchvision(path, norm, mine):
    import torchvision.transforms as T
    from PIL import Image
    t = T.Compose([T.Resize(256, interpolation=T.InterpolationMode.BICUBIC), T.CenterCrop(224), T.ToTensor(),
                   T.Normalize(NORMS[norm]["mean"], NORMS[norm]["std"])])
    ref = t(Image.open(path).convert("RGB")).numpy()
    return float(np.abs(ref - mine).max())


def make_real():
    from efficientnet_lite_pytorch import EfficientNet
    pth = os.path.join(TEST_DATA, "efficientnet-lite0-57934424.pth")
    if not os.path.exists(pth):
        sys.exit("missing %s: run scripts/fetch_test_data.sh" % pth)
    model = EfficientNet.from_name("efficientnet-lite0", num_classes=1000)  # image_size 224 (static SAME pads)
    model.load_state_dict(torch.load(pth, map_location="cpu"), strict=True)
    model.eval().double()
    out = os.path.join(MODELS, "efficientnet_lite0_real")
    os.makedirs(out, exist_ok=True)
    images = ["chelsea.png", "coffee.png"]

    def run(x):
        with torch.no_grad():
            feats = model.extract_features(x)
            emb = torch.flatten(model._avg_pooling(feats), 1)
            logits = model._fc(emb)
            assert torch.allclose(logits, model(x))
        return emb, logits

    results, prep = {}, {}
    for norm in NORMS:
        xs = []
        for im in images:
            x, geo = preprocess(os.path.join(TEST_DATA, im), norm)
            dev = check_against_torchvision(os.path.join(TEST_DATA, im), norm, x)
            assert dev < 1e-5, dev
            xs.append(x)
            prep.setdefault(norm, {})[im] = dict(
                source_size_wh=list(geo[:2]), resized_wh=list(geo[2:4]), crop_top_left=[geo[4], geo[5]],
                first10_channel0_row0=[float(v) for v in x[0, 0, :10]],
                sum_per_channel=[float(x[c].astype(np.float64).sum()) for c in range(3)],
                max_abs_diff_vs_torchvision_transforms=dev)
        emb, logits = run(torch.from_numpy(np.stack(xs)).double())
        prob = torch.softmax(logits, 1)
        top = torch.topk(prob, 5, 1)
        results[norm] = dict(emb=emb, logits=logits, top5={im: [[int(i), float(p)] for i, p in zip(top.indices[j], top.values[j])]
                                                            for j, im in enumerate(images)})
        print("normalisation %-16s" % norm, {im: v for im, v in results[norm]["top5"].items()})

    def is_right(r):
        return r["top5"]["chelsea.png"][0][0] in range(281, 286) and r["top5"]["coffee.png"][0][0] == 967

    right = [n for n in NORMS if is_right(results[n])]
    print("normalisations giving cat/espresso top-1:", right)
    chosen = "tf_lite_127_128" if "tf_lite_127_128" in right else (right[0] if right else "tf_lite_127_128")
    r = results[chosen]
    save_npy(os.path.join(out, "logits.npy"), r["logits"].numpy())
    save_npy(os.path.join(out, "embedding.npy"), r["emb"].numpy())
    with open(os.path.join(out, "top5.json"), "w") as f:
        json.dump(dict(images=images, normalisation=chosen,
                       top5={n: results[n]["top5"] for n in NORMS},
                       note="[class index, softmax probability] per image; logits.npy/embedding.npy use '%s'" % chosen),
                  f, indent=1)
        f.write("\n")
    with open(os.path.join(out, "preprocess.json"), "w") as f:
        json.dump(dict(
            recipe=["PIL Image.open(...).convert('RGB')",
                    "resize so the shorter side is 256: (w,h) -> (256, int(256*h/w)) if w <= h else (int(256*w/h), 256), "
                    "PIL Image.BICUBIC (= torchvision Resize(256, BICUBIC) on a PIL image)",
                    "centre crop 224: top = int(round((H-224)/2)), left = int(round((W-224)/2))",
                    "to float: pixel/255, CHW",
                    "normalise: " + NORMS[chosen]["desc"]],
            normalisation=chosen, mean=NORMS[chosen]["mean"], std=NORMS[chosen]["std"],
            weights="efficientnet-lite0-57934424.pth (scripts/fetch_test_data.sh), EfficientNet.from_name('efficientnet-lite0') "
                    "image_size=224 so the static SAME pads are those of a 224 input",
            tensors={im: prep[chosen][im] for im in images},
            other_normalisations={n: prep[n] for n in NORMS if n != chosen},
            reference_precision="weights float32 from the file, forward in float64, stored float32"),
            f, indent=1)
        f.write("\n")

    # random input
    torch.manual_seed(seed_of("efficientnet_lite0_real"))
    x = torch.randn(1, 3, 224, 224)
    if x.numel() * 4 + 128 <= 700 * 1024:
        emb, logits = run(x.double())
        save_npy(os.path.join(out, "input_random.npy"), x.numpy())
        save_npy(os.path.join(out, "logits_random.npy"), logits.numpy())
        save_npy(os.path.join(out, "embedding_random.npy"), emb.numpy())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("what", nargs="*", default=["models", "manifests", "real"],
                    help="models | manifests | real | a model fixture name")
    ap.add_argument("--print-model", action="store_true")
    args = ap.parse_args()
    for w in args.what:
        if w == "models":
            for n in SPECS:
                make_model_fixture(n, args.print_model)
        elif w in SPECS:
            make_model_fixture(w, args.print_model)
        elif w == "manifests":
            make_manifests()
        elif w == "real":
            make_real()
        else:
            sys.exit("unknown: " + w)


if __name__ == "__main__":
    main()
