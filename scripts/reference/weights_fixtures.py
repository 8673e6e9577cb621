#!/usr/bin/env python3
"""Writes the weight-file fixtures under Tests/FrameCutIOTests/Fixtures/weights/.

Run with Debian's Python, which has torch 1.13 (`python3-torch`):

    /usr/bin/python3 scripts/reference/weights_fixtures.py [--lite0 PATH_TO/efficientnet-lite0-57934424.pth]

Safetensors files are written by hand from the format specification (8-byte little-endian
header length, JSON header, raw little-endian bytes), so the `safetensors` package is not
needed. The malformed pickles are assembled byte by byte and never unpickled here.
"""
import io
import json
import os
import struct
import sys
import zipfile

import numpy as np
import torch

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "Tests", "FrameCutIOTests", "Fixtures", "weights")

DTYPES = {
    torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16", torch.float64: "F64",
    torch.int64: "I64", torch.int32: "I32", torch.int8: "I8", torch.uint8: "U8", torch.bool: "BOOL",
}


def raw_bytes(t):
    t = t.contiguous()
    if t.dtype == torch.bfloat16:
        return t.view(torch.int16).numpy().tobytes()
    return t.numpy().astype(t.numpy().dtype.newbyteorder("<")).tobytes()


def expected_entry(t):
    entry = {"dtype": DTYPES[t.dtype], "shape": list(t.shape)}
    if t.dtype in (torch.float32, torch.float16, torch.bfloat16, torch.float64):
        f = t.detach().to(torch.float32).contiguous().numpy().reshape(-1)
        entry["bits"] = [int(b) for b in f.view(np.uint32)]
    else:
        entry["ints"] = [int(v) for v in t.detach().to(torch.int64).reshape(-1).tolist()]
    return entry


def base_state_dict():
    g = torch.Generator().manual_seed(7)
    sd = {}
    sd["conv.weight"] = torch.randn(4, 3, 2, 2, generator=g)
    sd["conv.bias"] = torch.randn(4, generator=g)
    sd["bn.num_batches_tracked"] = torch.tensor(17, dtype=torch.int64)
    # 6e-8 and 1e-5 are float16 subnormals; 65504 is the largest finite half.
    sd["half.w"] = torch.tensor([0.0, -0.0, 1.0, -2.5, 65504.0, 6e-8, 1e-5, float("inf"), float("-inf"), float("nan")],
                                dtype=torch.float16)
    sd["bf.w"] = torch.tensor([[1.0, -3.140625, 1e-39], [float("inf"), 3.0e38, -0.0]], dtype=torch.bfloat16)
    sd["dbl.w"] = torch.tensor([0.1, -1e300, 1.0 / 3.0], dtype=torch.float64)
    sd["ids"] = torch.tensor([1, -2, 2147483647], dtype=torch.int32)
    sd["i8"] = torch.tensor([-128, 127], dtype=torch.int8)
    sd["u8"] = torch.tensor([0, 255], dtype=torch.uint8)
    sd["mask"] = torch.tensor([True, False, False, True])
    # A transposed (non-contiguous) view and two views sharing one storage at different offsets.
    sd["view.t"] = torch.arange(15, dtype=torch.float32).reshape(3, 5).t()
    base = torch.arange(10, dtype=torch.float32) * 0.5
    sd["shared.a"] = base[:6]
    sd["shared.b"] = base[2:8].view(2, 3)
    sd["shared.c"] = base.view(2, 5)[:, 1:4]  # offset 1, strides (5, 1), non-contiguous rows
    sd["param.w"] = torch.nn.Parameter(torch.randn(2, 2, generator=g))
    return sd


def write_safetensors(path, tensors, header_override=None, metadata=None):
    header = {}
    blobs = []
    offset = 0
    for key, t in tensors.items():
        b = raw_bytes(t.detach())
        header[key] = {"dtype": DTYPES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    if metadata is not None:
        header["__metadata__"] = metadata
    if header_override is not None:
        header_override(header)
    text = json.dumps(header).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


def write_raw_safetensors(path, header_bytes, payload):
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(header_bytes)))
        f.write(header_bytes)
        f.write(payload)


def pickle_str(s):
    b = s.encode()
    return b"X" + struct.pack("<I", len(b)) + b


def evil_pickle():
    # GLOBAL 'os system', MARK, BINUNICODE 'echo pwned', TUPLE, REDUCE, STOP -- os.system('echo pwned').
    return b"\x80\x02cos\nsystem\n(" + pickle_str("echo pwned") + b"tR."


def legacy_header():
    out = b"\x80\x02\x8a\x0a" + bytes.fromhex("6cfc9c46f9206aa85019") + b"."  # magic number
    out += b"\x80\x02M\xe9\x03."  # protocol version 1001
    out += b"\x80\x02}(" + pickle_str("little_endian") + b"\x88u."  # sys_info (abridged)
    return out


def main():
    os.makedirs(OUT, exist_ok=True)
    sd = base_state_dict()
    expected = {k: expected_entry(v) for k, v in sd.items()}

    # safetensors holds contiguous copies (the format has no views).
    plain = {k: v.detach().contiguous().clone() for k, v in sd.items()}
    write_safetensors(os.path.join(OUT, "basic.safetensors"), plain, metadata={"format": "pt"})
    torch.save(sd, os.path.join(OUT, "basic_zip.pt"))
    torch.save(sd, os.path.join(OUT, "basic_legacy.pt"), _use_new_zipfile_serialization=False)

    small = {"fc.weight": sd["conv.weight"].reshape(4, 12)[:, :3].clone(), "fc.bias": sd["conv.bias"].clone()}
    nested = {"epoch": 3, "best_acc1": 71.5, "arch": "tiny",
              "state_dict": {"module." + k: v for k, v in small.items()},
              "optimizer": {"state": {0: {"momentum_buffer": torch.ones(2)}}, "param_groups": [{"lr": 0.1, "params": [0, 1]}]}}
    torch.save(nested, os.path.join(OUT, "nested_zip.pt"))
    torch.save(nested, os.path.join(OUT, "nested_legacy.pt"), _use_new_zipfile_serialization=False)
    for k, v in small.items():
        expected[k] = expected_entry(v)

    # Malformed safetensors.
    two = {"a": torch.arange(4, dtype=torch.float32), "b": torch.arange(2, dtype=torch.float32)}
    write_safetensors(os.path.join(OUT, "overlap.safetensors"), two,
                      header_override=lambda h: h["b"].update(data_offsets=[8, 16]))
    write_safetensors(os.path.join(OUT, "out_of_range.safetensors"), two,
                      header_override=lambda h: h["b"].update(data_offsets=[16, 64]))
    write_safetensors(os.path.join(OUT, "count_mismatch.safetensors"), two,
                      header_override=lambda h: h["a"].update(shape=[5]))
    write_safetensors(os.path.join(OUT, "bad_dtype.safetensors"), two,
                      header_override=lambda h: h["a"].update(dtype="F8_E4M3"))
    write_raw_safetensors(os.path.join(OUT, "bad_json.safetensors"), b'{"a": {"dtype": "F32", "shape": [1], ', b"\0" * 4)

    # A pickle naming os.system, in the zip layout and in the legacy layout (assembled by hand).
    with zipfile.ZipFile(os.path.join(OUT, "evil_zip.pt"), "w", zipfile.ZIP_STORED) as z:
        z.writestr("evil/data.pkl", evil_pickle())
        z.writestr("evil/version", "3\n")
    with open(os.path.join(OUT, "evil_legacy.pt"), "wb") as f:
        f.write(legacy_header() + evil_pickle() + b"\x80\x02]q\x00.")

    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1, sort_keys=True)

    if "--lite0" in sys.argv:
        path = sys.argv[sys.argv.index("--lite0") + 1]
        lite0 = torch.load(path, map_location="cpu")
        ref = {}
        for k, v in lite0.items():
            ref[k] = {"dtype": DTYPES[v.dtype], "shape": list(v.shape), "sum": float(v.double().sum()),
                      "first": [float(x) for x in v.reshape(-1)[:4].double().tolist()]}
        with open(os.path.join(OUT, "lite0_reference.json"), "w") as f:
            json.dump({"keys": list(lite0.keys()), "tensors": ref}, f, sort_keys=True)


if __name__ == "__main__":
    main()
