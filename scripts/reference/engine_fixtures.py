#!/usr/bin/env python3
"""Reference outputs of single engine operations (PyTorch CPU, float64 then stored as float32).

Writes Tests/FrameCutNNTests/Fixtures/engine_ops.npz: for case NAME the arrays NAME.x (input),
NAME.w / NAME.b (parameters where the op has them) and NAME.y (torch output). The case list and
the op parameters are mirrored in Tests/FrameCutNNTests/EngineOpsTests.swift.

Run with Debian's python3-torch: /usr/bin/python3 scripts/reference/engine_fixtures.py
"""
import os
import numpy as np
import torch
import torch.nn.functional as F

torch.manual_seed(0)
torch.set_num_threads(1)
out = {}


def f32(t):
    return t.detach().to(torch.float32).numpy()


def rnd(*shape):
    # values exactly representable in float32; the reference computes in float64
    return torch.randn(*shape, dtype=torch.float32).double()


def tf_same_pad(x, k, s):
    h, w = x.shape[-2:]
    def split(size):
        o = (size + s - 1) // s
        total = max((o - 1) * s + k - size, 0)
        return total // 2, total - total // 2
    t, b = split(h)
    l, r = split(w)
    return F.pad(x, (l, r, t, b))


# conv cases: name, N, Cin, Cout, H, W, k, stride, pad, groups, bias, same
convs = [
    ("conv3x3", 2, 5, 7, 9, 11, 3, 1, 1, 1, True, False),
    ("conv3x3s2", 1, 4, 6, 10, 9, 3, 2, 1, 1, False, False),
    ("conv7x7s2", 1, 3, 8, 23, 17, 7, 2, 3, 1, False, False),
    ("conv1x1", 3, 16, 12, 5, 6, 1, 1, 0, 1, True, False),
    ("conv1x1s2", 1, 8, 4, 7, 7, 1, 2, 0, 1, False, False),
    ("conv1x3", 1, 4, 5, 6, 8, (1, 3), 1, (0, 1), 1, True, False),
    ("conv3x1", 2, 4, 5, 6, 8, (3, 1), 1, (1, 0), 1, True, False),
    ("grouped", 1, 8, 12, 6, 6, 3, 1, 1, 4, True, False),
    ("depthwise3", 2, 6, 6, 9, 8, 3, 1, 1, 6, False, False),
    ("depthwise5s2same", 1, 6, 6, 12, 11, 5, 2, 0, 6, False, True),
    ("depthwise3s2same", 1, 5, 5, 8, 8, 3, 2, 0, 5, True, True),
    ("conv3x3s2same", 1, 3, 4, 11, 10, 3, 2, 0, 1, False, True),
    ("conv3x3nopad", 1, 3, 4, 8, 8, 3, 1, 0, 1, True, False),
]
for name, n, cin, cout, h, w, k, s, p, g, bias, same in convs:
    kk = k if isinstance(k, tuple) else (k, k)
    x = rnd(n, cin, h, w)
    wt = rnd(cout, cin // g, *kk)
    b = rnd(cout) if bias else None
    xin = tf_same_pad(x, kk[0], s) if same else x
    y = F.conv2d(xin, wt, b, stride=s, padding=0 if same else p, groups=g)
    out[name + ".x"] = f32(x)
    out[name + ".w"] = f32(wt)
    if bias:
        out[name + ".b"] = f32(b)
    out[name + ".y"] = f32(y)

# conv + batch norm (eval) + relu6
x = rnd(1, 4, 6, 6); wt = rnd(5, 4, 3, 3)
gamma = torch.rand(5).double() + 0.5; beta = rnd(5); mean = rnd(5) * 0.1; var = torch.rand(5).double() + 0.5
y = F.relu6(F.batch_norm(F.conv2d(x, wt, None, padding=1), mean, var, gamma, beta, False, 0.0, 1e-3))
for key, v in [("x", x), ("w", wt), ("gamma", gamma), ("beta", beta), ("mean", mean), ("var", var), ("y", y)]:
    out["convbn." + key] = f32(v)

# pooling
x = rnd(2, 3, 9, 10)
out["pool.x"] = f32(x)
out["maxpool3s2p1.y"] = f32(F.max_pool2d(x, 3, 2, 1))
out["maxpool3s2.y"] = f32(F.max_pool2d(x, 3, 2, 0))
out["avgpool3s1p1_excl.y"] = f32(F.avg_pool2d(x, 3, 1, 1, count_include_pad=False))
out["avgpool3s1p1_incl.y"] = f32(F.avg_pool2d(x, 3, 1, 1, count_include_pad=True))
out["avgpool2s2.y"] = f32(F.avg_pool2d(x, 2, 2))
out["adaptive7.y"] = f32(F.adaptive_avg_pool2d(x, 7))
out["adaptive4x3.y"] = f32(F.adaptive_avg_pool2d(x, (4, 3)))
x2 = rnd(1, 2, 2, 3)
out["adaptive_up.x"] = f32(x2)
out["adaptive_up.y"] = f32(F.adaptive_avg_pool2d(x2, 7))
out["global.y"] = f32(F.adaptive_avg_pool2d(x, 1).flatten(1))

# pointwise and row ops
x = rnd(3, 17) * 3
out["act.x"] = f32(x)
out["relu.y"] = f32(F.relu(x))
out["relu6.y"] = f32(F.relu6(x))
out["gelu.y"] = f32(F.gelu(x))
out["gelu_tanh.y"] = f32(F.gelu(x, approximate="tanh"))
out["silu.y"] = f32(F.silu(x))
out["sigmoid.y"] = f32(torch.sigmoid(x))
out["softmax.y"] = f32(F.softmax(x, dim=-1))
lw = rnd(17); lb = rnd(17)
out["layernorm.w"] = f32(lw); out["layernorm.b"] = f32(lb)
out["layernorm.y"] = f32(F.layer_norm(x, (17,), lw, lb, 1e-6))
lin_w = rnd(9, 17); lin_b = rnd(9)
out["linear.w"] = f32(lin_w); out["linear.b"] = f32(lin_b)
out["linear.y"] = f32(F.linear(x, lin_w, lin_b))

path = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "FrameCutNNTests", "Fixtures", "engine_ops.npz")
np.savez(path, **out)
print(f"wrote {len(out)} arrays to {os.path.normpath(path)} ({os.path.getsize(path)} bytes)")
