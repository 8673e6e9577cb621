#!/usr/bin/env python3
"""PIL + torchvision reference for `framecut bench decode`: decode, convert to RGB, resize,
centre crop, to tensor, normalise every image of a folder, like a PyTorch pipeline does.

usage: bench_decode.py FOLDER --threads N [--recipe resnet50|clip] [--repeat R]
Prints one JSON line: {"images": n, "seconds": best, "images_per_second": ...}.
Threads: N == 1 runs in this process; N > 1 uses N worker processes (like DataLoader's
num_workers), each with torch.set_num_threads(1).
"""
import argparse, json, os, sys, time
from concurrent.futures import ProcessPoolExecutor

RECIPES = {
    "resnet50": ("bilinear", 232, 224, (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)),
    "vgg19-bn": ("bilinear", 256, 224, (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)),
    "clip-vit-b32": ("bicubic", 224, 224, (0.48145466, 0.4578275, 0.40821073), (0.26862954, 0.26130258, 0.27577711)),
    "dinov2": ("bicubic", 256, 224, (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)),
}
_transform = None


def _init(recipe):
    global _transform
    import torch
    from torchvision import transforms as T
    torch.set_num_threads(1)
    filt, resize, crop, mean, std = RECIPES[recipe]
    mode = T.InterpolationMode.BILINEAR if filt == "bilinear" else T.InterpolationMode.BICUBIC
    _transform = T.Compose([T.Resize(resize, interpolation=mode), T.CenterCrop(crop), T.ToTensor(), T.Normalize(mean, std)])


def _one(path):
    from PIL import Image
    with Image.open(path) as im:
        t = _transform(im.convert("RGB"))
    return float(t[0, 0, 0])


def _chunk(paths):
    return [_one(p) for p in paths]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("folder")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--recipe", default="resnet50", choices=sorted(RECIPES))
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    paths = sorted(os.path.join(a.folder, f) for f in os.listdir(a.folder) if f.lower().endswith((".jpg", ".jpeg")))
    best = float("inf")
    if a.threads == 1:
        _init(a.recipe)
        _chunk(paths[:4])  # warm up
        for _ in range(a.repeat):
            t0 = time.perf_counter(); _chunk(paths); best = min(best, time.perf_counter() - t0)
    else:
        with ProcessPoolExecutor(a.threads, initializer=_init, initargs=(a.recipe,)) as pool:
            list(pool.map(_one, paths[: a.threads * 2]))  # start workers
            for _ in range(a.repeat):
                t0 = time.perf_counter(); list(pool.map(_one, paths, chunksize=8)); best = min(best, time.perf_counter() - t0)
    print(json.dumps({"images": len(paths), "threads": a.threads, "recipe": a.recipe, "seconds": best,
                      "images_per_second": len(paths) / best}))


if __name__ == "__main__":
    main()
