#!/usr/bin/env python3
"""Generates FrameCut's image fixtures and the PIL / torchvision / Hugging Face reference values.

Writes (all small, committed):
  Tests/FrameCutIOTests/Fixtures/images/*            one file per decoder case
  Tests/FrameCutIOTests/Fixtures/images/pil_rgb.json  PIL's RGB bytes (SHA-256) per file
  Tests/FrameCutIOTests/Fixtures/images/broken/*     the broken-file corpus + expected.json
  Tests/FrameCutNNTests/Fixtures/*                   source images + preprocessing.json

The reference RGB of a file is PIL's `Image.open(p)` with LOAD_TRUNCATED_IMAGES, composited
onto white when it has an alpha channel or a palette with transparency
(`white.paste(im.convert("RGB"), mask=im.convert("RGBA").getchannel("A"))`), else
`im.convert("RGB")`. See scripts/reference/README.md for how to rerun.
"""
import hashlib, io, json, math, os, struct, sys, zlib

import numpy as np
from PIL import Image, ImageDraw, ImageFile, PngImagePlugin

ImageFile.LOAD_TRUNCATED_IMAGES = True
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
IMG = os.path.join(ROOT, "Tests/FrameCutIOTests/Fixtures/images")
BROKEN = os.path.join(IMG, "broken")
NN = os.path.join(ROOT, "Tests/FrameCutNNTests/Fixtures")


def synthetic(w, h, seed=0):
    """A deterministic colourful test picture: gradients, shapes, a little noise."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    r = 127 + 120 * np.sin(x / (w / 6.0) + seed)
    g = 127 + 120 * np.cos(y / (h / 5.0) - seed)
    b = 255 * (x + y) / (w + h)
    a = np.stack([r, g, b], -1) + rng.normal(0, 6, (h, w, 3))
    im = Image.fromarray(np.clip(a, 0, 255).astype(np.uint8), "RGB")
    d = ImageDraw.Draw(im)
    d.ellipse([w * 0.2, h * 0.2, w * 0.6, h * 0.7], fill=(250, 240, 20))
    d.rectangle([w * 0.55, h * 0.1, w * 0.9, h * 0.45], fill=(20, 30, 200))
    d.line([0, h - 1, w - 1, 0], fill=(0, 0, 0), width=max(1, w // 40))
    return im


def reference_rgb(path):
    im = Image.open(path)
    im.load()
    alpha = im.mode in ("RGBA", "LA", "PA", "RGBa", "La") or (im.mode == "P" and "transparency" in im.info)
    if alpha:
        rgba = im.convert("RGBA")
        out = Image.new("RGB", im.size, (255, 255, 255))
        out.paste(rgba.convert("RGB"), mask=rgba.getchannel("A"))
        return out, im.mode
    return im.convert("RGB"), im.mode


def sha(b):
    return hashlib.sha256(b).hexdigest()


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def write_png(path, arr, color_type, bit_depth, palette=None, trns=None, interlace=False):
    """A minimal PNG writer for cases PIL cannot save (16-bit colour, low bit depths, Adam7).
    arr: (h, w) or (h, w, c) of sample values."""
    arr = np.asarray(arr)
    h, w = arr.shape[:2]
    ch = 1 if arr.ndim == 2 else arr.shape[2]

    def raw_rows(a):
        hh, ww = a.shape[:2]
        out = b""
        for row in a.reshape(hh, ww * ch):
            if bit_depth == 16:
                data = row.astype(">u2").tobytes()
            elif bit_depth == 8:
                data = row.astype(np.uint8).tobytes()
            else:
                per = 8 // bit_depth
                vals = list(row) + [0] * (-len(row) % per)
                data = bytes(
                    sum(int(vals[i + j]) << (8 - bit_depth * (j + 1)) for j in range(per))
                    for i in range(0, len(vals), per))
            out += b"\x00" + data
        return out

    if interlace:
        passes = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
        raw = b""
        for x0, y0, dx, dy in passes:
            sub = arr[y0::dy, x0::dx]
            if sub.shape[0] and sub.shape[1]:
                raw += raw_rows(sub)
    else:
        raw = raw_rows(arr)
    ihdr = struct.pack(">IIBBBBB", w, h, bit_depth, color_type, 0, 0, 1 if interlace else 0)
    body = b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr)
    if palette is not None:
        body += png_chunk(b"PLTE", bytes(np.asarray(palette, np.uint8).reshape(-1)))
    if trns is not None:
        body += png_chunk(b"tRNS", trns)
    body += png_chunk(b"IDAT", zlib.compress(raw, 9)) + png_chunk(b"IEND", b"")
    if hasattr(path, "write"):
        path.write(body)
        return
    with open(path, "wb") as f:
        f.write(body)


def write_bmp_rle(idx, palette, rle4):
    """A bottom-up RLE8/RLE4 bitmap mixing encoded runs and absolute runs."""
    h, w = idx.shape
    out = bytearray()
    for row in idx[::-1]:
        x = 0
        while x < w:
            run = 1
            while x + run < w and run < 255 and row[x + run] == row[x]:
                run += 1
            if run >= 3 or w - x < 3:
                v = int(row[x])
                out += bytes([run, (v << 4 | v) if rle4 else v])
                x += run
            else:
                n = min(w - x, 8)  # >= 3 here: absolute mode needs 3 or more
                vals = [int(v) for v in row[x:x + n]]
                if rle4:
                    n -= n % 2
                    vals = vals[:n]
                    data = bytes(vals[i] << 4 | vals[i + 1] for i in range(0, n, 2))
                else:
                    data = bytes(vals)
                out += bytes([0, n]) + data
                if len(data) % 2:
                    out += b"\x00"
                x += n
        out += b"\x00\x00"
    out += b"\x00\x01"
    entries = len(palette) // 3
    pal = b"".join(bytes([palette[3 * i + 2], palette[3 * i + 1], palette[3 * i], 0]) for i in range(entries))
    off = 14 + 40 + len(pal)
    dib = struct.pack("<IiiHHIIiiII", 40, w, h, 1, 4 if rle4 else 8, 2 if rle4 else 1, len(out), 2835, 2835, entries, 0)
    return b"BM" + struct.pack("<IHHI", off + len(out), 0, 0, off) + dib + pal + bytes(out)


def write_bmp_bitfields(rgb, alpha, bpp, masks):
    """A top-down BI_BITFIELDS bitmap (V3 masks after a 40-byte header)."""
    h, w = rgb.shape[:2]
    rows = bytearray()
    stride = (w * bpp + 31) // 32 * 4
    for y in range(h):
        row = bytearray()
        for x in range(w):
            v = 0
            chans = list(rgb[y, x]) + ([alpha[y, x]] if alpha is not None else [])
            for c, m in zip(chans, masks):
                if not m:
                    continue
                shift = (m & -m).bit_length() - 1
                maxv = m >> shift
                v |= (int(c) * maxv // 255) << shift
            row += v.to_bytes(bpp // 8, "little")
        rows += row + b"\x00" * (stride - len(row))
    nmask = len(masks)
    # Three masks follow a 40-byte header; four sit inside a 108-byte BITMAPV4HEADER.
    size = 40 if nmask == 3 else 108
    dib = struct.pack("<IiiHHIIiiII", size, w, -h, 1, bpp, 3, len(rows), 2835, 2835, 0, 0)
    dib += b"".join(struct.pack("<I", m) for m in masks)
    dib += b"\x00" * (14 + size - 14 - len(dib) + (0 if nmask == 3 else 0)) if nmask == 4 else b""
    off = 14 + len(dib)
    return b"BM" + struct.pack("<IHHI", off + len(rows), 0, 0, off) + dib + bytes(rows)


def turbojpeg_ycck(cmyk):
    """A YCCK JPEG (what Photoshop writes for CMYK) through libturbojpeg's tjCompress2, which
    stores TJPF_CMYK input as YCCK. PIL cannot write YCCK itself."""
    import ctypes
    tj = ctypes.CDLL("libturbojpeg.so.0")
    tj.tjInitCompress.restype = ctypes.c_void_p
    handle = ctypes.c_void_p(tj.tjInitCompress())
    h, w = cmyk.shape[:2]
    # PIL's CMYK is ink amounts; Adobe JPEGs store inverted values (PIL reads them as "CMYK;I").
    src = np.ascontiguousarray(255 - cmyk, dtype=np.uint8)
    out = ctypes.POINTER(ctypes.c_ubyte)()
    size = ctypes.c_ulong(0)
    TJPF_CMYK, TJSAMP_420 = 11, 2
    rc = tj.tjCompress2(handle, src.ctypes.data_as(ctypes.c_void_p), w, 0, h, TJPF_CMYK,
                        ctypes.byref(out), ctypes.byref(size), TJSAMP_420, 90, 0)
    assert rc == 0, "tjCompress2 failed"
    data = ctypes.string_at(out, size.value)
    tj.tjFree(out)
    tj.tjDestroy(handle)
    return data


def make_decoder_fixtures():
    os.makedirs(IMG, exist_ok=True)
    w, h = 61, 45
    base = synthetic(w, h, 1)
    rgb = np.asarray(base)
    rng = np.random.default_rng(7)
    alpha = np.clip(np.mgrid[0:h, 0:w][1] * 255 / (w - 1), 0, 255).astype(np.uint8)
    alpha[: h // 3] = 255
    alpha[-3:] = 0
    files = []

    def add(name, save):
        p = os.path.join(IMG, name)
        save(p)
        files.append(name)

    # JPEG
    add("jpeg_baseline_420.jpg", lambda p: base.save(p, quality=85))
    add("jpeg_444.jpg", lambda p: base.save(p, quality=90, subsampling=0))
    add("jpeg_422.jpg", lambda p: base.save(p, quality=80, subsampling=1))
    add("jpeg_progressive.jpg", lambda p: base.save(p, quality=85, progressive=True))
    add("jpeg_gray.jpg", lambda p: base.convert("L").save(p, quality=85))
    add("jpeg_cmyk.jpg", lambda p: base.convert("CMYK").save(p, quality=90))
    add("jpeg_restart.jpg", lambda p: base.save(p, quality=85, optimize=True))
    add("jpeg_ycck.jpg", lambda p: open(p, "wb").write(turbojpeg_ycck(np.asarray(base.convert("CMYK")))))
    # PNG through PIL
    add("png_rgb8.png", lambda p: base.save(p))
    rgba = base.copy(); rgba.putalpha(Image.fromarray(alpha))
    add("png_rgba8.png", lambda p: rgba.save(p))
    add("png_gray8.png", lambda p: base.convert("L").save(p))
    la = base.convert("L").convert("LA"); la.putalpha(Image.fromarray(alpha))
    add("png_la8.png", lambda p: la.save(p))
    pal = base.quantize(colors=64)
    add("png_palette8.png", lambda p: pal.save(p))
    palt = base.quantize(colors=16)
    t = bytes([0, 128] + [255] * 14)
    add("png_palette_trns.png", lambda p: palt.save(p, transparency=t))
    add("png_gray1.png", lambda p: base.convert("1").save(p))
    add("png_rgb_trns_key.png", lambda p: base.save(p, transparency=tuple(int(v) for v in rgb[0, 0])))
    # PNG through the minimal writer
    rgb16 = rgb.astype(np.uint16) * 257 + rng.integers(0, 256, rgb.shape).astype(np.uint16)
    add("png_rgb16.png", lambda p: write_png(p, rgb16, 2, 16))
    rgba16 = np.concatenate([rgb16, (alpha.astype(np.uint16) * 257)[..., None]], -1)
    add("png_rgba16.png", lambda p: write_png(p, rgba16, 6, 16))
    gray16 = (np.mgrid[0:h, 0:w][1] * 7).astype(np.uint16)  # 0..420: PIL clips at 255
    add("png_gray16.png", lambda p: write_png(p, gray16, 0, 16))
    la16 = np.stack([gray16 * 150, alpha.astype(np.uint16) * 257], -1)
    add("png_la16.png", lambda p: write_png(p, la16, 4, 16))
    g2 = (np.asarray(base.convert("L")) // 64).astype(np.uint8)
    add("png_gray2.png", lambda p: write_png(p, g2, 0, 2))
    g4 = (np.asarray(base.convert("L")) // 16).astype(np.uint8)
    add("png_gray4.png", lambda p: write_png(p, g4, 0, 4))
    pal4 = np.asarray(base.quantize(colors=16))
    palette = np.asarray(base.quantize(colors=16).getpalette()[:48])
    add("png_palette4.png", lambda p: write_png(p, pal4, 3, 4, palette=palette))
    add("png_interlaced.png", lambda p: write_png(p, rgb, 2, 8, interlace=True))
    add("png_interlaced_rgba16.png", lambda p: write_png(p, rgba16, 6, 16, interlace=True))
    # WebP
    add("webp_lossy.webp", lambda p: base.save(p, quality=80))
    add("webp_lossless.webp", lambda p: base.save(p, lossless=True))
    add("webp_alpha.webp", lambda p: rgba.save(p, quality=80))
    # GIF
    add("gif_palette.gif", lambda p: base.quantize(colors=32).save(p, interlace=False))
    gt = base.quantize(colors=32)
    gt_arr = np.asarray(gt).copy(); gt_arr[:5, :] = 31
    gt2 = Image.fromarray(gt_arr, "P"); gt2.putpalette(gt.getpalette())
    add("gif_transparent.gif", lambda p: gt2.save(p, transparency=31))
    add("gif_interlaced.gif", lambda p: base.quantize(colors=32).save(p, interlace=True))
    frames = [synthetic(w, h, s).quantize(colors=32) for s in (21, 22, 23)]
    add("gif_animated.gif", lambda p: frames[0].save(p, save_all=True, append_images=frames[1:], duration=100, loop=0))
    # BMP
    add("bmp_rgb24.bmp", lambda p: base.save(p))
    add("bmp_palette8.bmp", lambda p: base.quantize(colors=100).save(p))
    add("bmp_gray8.bmp", lambda p: base.convert("L").save(p))
    add("bmp_mono1.bmp", lambda p: base.convert("1").save(p))
    add("bmp_rgba32.bmp", lambda p: rgba.save(p))
    idx = np.asarray(base.quantize(colors=16))
    pal16 = base.quantize(colors=16).getpalette()[:48]
    add("bmp_rle8.bmp", lambda p: open(p, "wb").write(write_bmp_rle(idx, pal16, rle4=False)))
    add("bmp_rle4.bmp", lambda p: open(p, "wb").write(write_bmp_rle(idx, pal16, rle4=True)))
    add("bmp_565.bmp", lambda p: open(p, "wb").write(write_bmp_bitfields(rgb, None, 16, (0xF800, 0x07E0, 0x001F))))
    add("bmp_argb32.bmp", lambda p: open(p, "wb").write(
        write_bmp_bitfields(rgb, alpha, 32, (0xFF0000, 0xFF00, 0xFF, 0xFF000000))))
    # Truncated files (PIL's LOAD_TRUNCATED_IMAGES semantics)
    big = synthetic(160, 120, 3)
    buf = io.BytesIO(); big.save(buf, "PNG"); data = buf.getvalue()
    add("truncated_png.png", lambda p: open(p, "wb").write(data[: len(data) * 6 // 10]))
    buf = io.BytesIO(); synthetic(80, 60, 5).save(buf, "BMP"); data = buf.getvalue()
    add("truncated_bmp.bmp", lambda p: open(p, "wb").write(data[: len(data) * 6 // 10]))
    buf = io.BytesIO(); big.save(buf, "JPEG", quality=85); data = buf.getvalue()
    add("truncated_jpeg.jpg", lambda p: open(p, "wb").write(data[: len(data) * 6 // 10]))
    buf = io.BytesIO(); big.save(buf, "JPEG", quality=85, progressive=True); data = buf.getvalue()
    add("truncated_progressive.jpg", lambda p: open(p, "wb").write(data[: len(data) * 6 // 10]))
    small = synthetic(80, 60, 4)
    buf = io.BytesIO(); write_png(buf, np.asarray(small), 2, 8, interlace=True); data = buf.getvalue()
    add("truncated_interlaced.png", lambda p: open(p, "wb").write(data[: len(data) * 6 // 10]))
    buf = io.BytesIO(); big.quantize(colors=64).save(buf, "GIF", interlace=False); data = buf.getvalue()
    add("truncated_gif.gif", lambda p: open(p, "wb").write(data[: len(data) * 6 // 10]))
    buf = io.BytesIO(); big.quantize(colors=64).save(buf, "GIF"); data = buf.getvalue()
    add("truncated_interlaced_gif.gif", lambda p: open(p, "wb").write(data[: len(data) * 6 // 10]))

    manifest = {}
    for name in files:
        out, mode = reference_rgb(os.path.join(IMG, name))
        b = out.tobytes()
        manifest[name] = {"width": out.size[0], "height": out.size[1], "mode": mode, "sha256": sha(b),
                          "mean": round(float(np.asarray(out).mean()), 4)}
    with open(os.path.join(IMG, "pil_rgb.json"), "w") as f:
        json.dump(manifest, f, indent=1, sort_keys=True)
    return manifest


def make_broken_corpus():
    os.makedirs(BROKEN, exist_ok=True)
    expected = {}

    def put(name, data, kind):
        with open(os.path.join(BROKEN, name), "wb") as f:
            f.write(data)
        expected[name] = kind

    put("zero_bytes.jpg", b"", "empty")
    put("random_bytes.png", np.random.default_rng(5).integers(0, 256, 4096, dtype=np.uint8).tobytes(), "unrecognized")
    put("text_file.jpg", b"This is not an image, just some text that happens to be named .jpg\n" * 4, "unrecognized")
    # A valid 64 kB-ish PNG header declaring 100000 x 100000 pixels (10 gigapixels).
    ihdr = struct.pack(">IIBBBBB", 100000, 100000, 8, 2, 0, 0, 0)
    put("huge_declared.png", b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) +
        png_chunk(b"IDAT", zlib.compress(b"\x00" * 1000)) + png_chunk(b"IEND", b""), "too-many-pixels")
    # JPEG SOF declaring 65000 x 65000.
    buf = io.BytesIO(); synthetic(16, 16).save(buf, "JPEG"); j = bytearray(buf.getvalue())
    i = j.find(b"\xff\xc0"); j[i + 5:i + 9] = struct.pack(">HH", 65000, 65000)
    put("huge_declared.jpg", bytes(j), "too-many-pixels")
    buf = io.BytesIO(); synthetic(40, 30).save(buf, "JPEG"); j = buf.getvalue()
    put("truncated_header.jpg", j[:80], "corrupt")
    buf = io.BytesIO(); synthetic(40, 30).save(buf, "PNG"); pdata = buf.getvalue()
    put("truncated_header.png", pdata[:20], "corrupt")
    put("png_bad_idat.png", pdata[:33] + png_chunk(b"IDAT", b"garbage not zlib") + png_chunk(b"IEND", b""), "corrupt")
    put("gif_header_only.gif", b"GIF89a\x10\x00\x10\x00\x00\x00\x00;", "corrupt")
    put("webp_truncated.webp", (lambda b: b[: len(b) // 2])(_webp_bytes()), "corrupt")
    put("bmp_jpeg_compression.bmp", _bmp_jpeg_compression(), "unsupported")
    put("jpeg_soi_only.jpg", b"\xff\xd8\xff\xd9", "corrupt")
    # Animated WebP: PIL shows the first frame; FrameCut reports it as unsupported.
    buf = io.BytesIO()
    synthetic(32, 24, 1).save(buf, "WEBP", save_all=True, append_images=[synthetic(32, 24, 2)], duration=100, quality=70)
    put("webp_animated.webp", buf.getvalue(), "unsupported")
    with open(os.path.join(BROKEN, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1, sort_keys=True)


def _webp_bytes():
    buf = io.BytesIO(); synthetic(64, 48).save(buf, "WEBP", quality=80); return buf.getvalue()


def _bmp_jpeg_compression():
    w, h = 8, 8
    pixels = b"\xff\xd8\xff\xd9"  # BI_JPEG: neither PIL nor FrameCut decodes it
    palette = b""
    off = 14 + 40
    dib = struct.pack("<IiiHHIIiiII", 40, w, h, 1, 24, 4, len(pixels), 2835, 2835, 0, 0)
    return b"BM" + struct.pack("<IHHI", off + len(pixels), 0, 0, off) + dib + palette + pixels


# ----------------------------------------------------------------------------------- preprocessing

CLIP_MEAN, CLIP_STD = (0.48145466, 0.4578275, 0.40821073), (0.26862954, 0.26130258, 0.27577711)
IMAGENET_MEAN, IMAGENET_STD = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)


def recipes():
    """name -> (callable PIL RGB image -> CHW float32 numpy, mean, std)."""
    import torch
    from torchvision import transforms as T
    from torchvision.models import ResNet50_Weights, ViT_B_32_Weights, VGG19_BN_Weights
    torch.set_num_threads(1)
    BICUBIC, BILINEAR = T.InterpolationMode.BICUBIC, T.InterpolationMode.BILINEAR

    def tv(t):
        return lambda im: t(im).numpy()

    # OpenAI CLIP clip.py _transform(n_px): Resize(n_px, BICUBIC), CenterCrop(n_px), ToTensor, Normalize.
    clip = T.Compose([T.Resize(224, interpolation=BICUBIC), T.CenterCrop(224), T.ToTensor(), T.Normalize(CLIP_MEAN, CLIP_STD)])
    # DINOv2 make_classification_eval_transform: Resize(256, BICUBIC), CenterCrop(224), ImageNet mean/std.
    dino = T.Compose([T.Resize(256, interpolation=BICUBIC), T.CenterCrop(224), T.ToTensor(), T.Normalize(IMAGENET_MEAN, IMAGENET_STD)])
    # EfficientNet-Lite0 (TF reference, timm tf_efficientnet_lite0): bicubic 256, crop 224, (x*255-127)/128.
    lite_t = T.Compose([T.Resize(256, interpolation=BICUBIC), T.CenterCrop(224), T.ToTensor()])
    out = {
        "clip-rn50": (tv(clip), CLIP_MEAN, CLIP_STD),
        "clip-vit-b32": (tv(clip), CLIP_MEAN, CLIP_STD),
        "dinov2": (tv(dino), IMAGENET_MEAN, IMAGENET_STD),
        "resnet50": (tv(ResNet50_Weights.IMAGENET1K_V2.transforms()), IMAGENET_MEAN, IMAGENET_STD),
        "vit-b32": (tv(ViT_B_32_Weights.IMAGENET1K_V1.transforms()), IMAGENET_MEAN, IMAGENET_STD),
        "vgg19-bn": (tv(VGG19_BN_Weights.IMAGENET1K_V1.transforms()), IMAGENET_MEAN, IMAGENET_STD),
        "efficientnet-lite0": (lambda im: ((lite_t(im) * 255 - 127) / 128).numpy(), (127 / 255,) * 3, (128 / 255,) * 3),
    }
    try:
        from transformers import ConvNextImageProcessor
        from transformers.image_utils import PILImageResampling
        # transformers' convert_convnextv2_to_pytorch.convert_preprocessor for the *-224 checkpoints.
        hf = ConvNextImageProcessor(size=224, crop_pct=224 / 256, image_mean=list(IMAGENET_MEAN),
                                    image_std=list(IMAGENET_STD), resample=PILImageResampling.BICUBIC)
        out["convnextv2-tiny"] = (lambda im: hf(im, return_tensors="np")["pixel_values"][0], IMAGENET_MEAN, IMAGENET_STD)
    except ImportError as e:
        print("transformers missing, skipping convnextv2:", e, file=sys.stderr)
    try:
        import timm
        from timm.data import resolve_data_config, create_transform
        model = timm.create_model("inception_resnet_v2", pretrained=False)
        cfg = resolve_data_config({}, model=model)
        t = create_transform(**cfg)
        print("timm inception_resnet_v2:", cfg, t, file=sys.stderr)
        out["inception-resnet-v2"] = (tv(t), cfg["mean"], cfg["std"])
    except ImportError as e:
        print("timm missing, skipping inception_resnet_v2:", e, file=sys.stderr)
    return out


def make_preprocessing_fixtures():
    os.makedirs(NN, exist_ok=True)
    sources = {
        "photo_500x375.jpg": lambda p: synthetic(500, 375, 11).save(p, quality=75),
        "portrait_301x433.jpg": lambda p: synthetic(301, 433, 12).save(p, quality=80),
        "small_97x61.png": lambda p: synthetic(97, 61, 13).save(p),
    }
    for name, save in sources.items():
        save(os.path.join(NN, name))
    result = {}
    rng = np.random.default_rng(2024)
    for rname, (fn, mean, std) in recipes().items():
        per = {}
        for name in sources:
            im, _ = reference_rgb(os.path.join(NN, name))
            t = np.asarray(fn(im), dtype=np.float32)
            c, h, w = t.shape
            # The uint8 crop the tensor came from (exact: PIL's resize output), channels last.
            u8 = np.rint((t * np.asarray(std, np.float32)[:, None, None] + np.asarray(mean, np.float32)[:, None, None]) * 255)
            u8 = np.clip(u8, 0, 255).astype(np.uint8).transpose(1, 2, 0)
            idx = rng.integers(0, c * h * w, 96)
            per[name] = {
                "shape": [c, h, w],
                "crop_sha256": sha(u8.tobytes()),
                "channel_sums": [float(t[i].astype(np.float64).sum()) for i in range(c)],
                "samples": [[int(i), float(t.reshape(-1)[i])] for i in idx],
            }
        result[rname] = per
        print(rname, "ok", file=sys.stderr)
    with open(os.path.join(NN, "preprocessing.json"), "w") as f:
        json.dump(result, f, separators=(",", ":"), sort_keys=True)


if __name__ == "__main__":
    what = sys.argv[1:] or ["decode", "broken", "preprocess"]
    if "decode" in what:
        make_decoder_fixtures()
    if "broken" in what:
        make_broken_corpus()
    if "preprocess" in what:
        make_preprocessing_fixtures()
