#!/usr/bin/env python3
"""Writes the images of `make demo` (Python standard library only, no numpy or PIL).

  make_demo_images.py --count 2000 --out DIR --labels LABELS.csv [--photos P1 P2 ...]

- The first COUNT images of the Fashion-MNIST test set (Debian package dataset-fashion-mnist:
  /usr/share/datasets/fashion-mnist/t10k-{images-idx3,labels-idx1}-ubyte.gz, IDX format) as
  28x28 8-bit grayscale PNG files DIR/fashion/NNNNN.png.
- Each photo given with --photos copied to DIR/photos/ (real photos from scikit-image's wheel,
  fetched by scripts/fetch_test_data.sh).
- LABELS.csv (name,class; names relative to DIR): the Fashion-MNIST class names, and "photo"
  for the photos. Written outside DIR: FrameCut never writes into an image folder, and the
  labels are not images.

Deterministic: the same inputs give byte-identical files. Existing files are replaced.
"""
import argparse
import gzip
import os
import shutil
import struct
import sys
import zlib

CLASSES = ["t-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "ankle-boot"]
SOURCE = "/usr/share/datasets/fashion-mnist"


def idx(path, magic):
    with gzip.open(path, "rb") as f:
        data = f.read()
    if len(data) < 8 or struct.unpack(">I", data[:4])[0] != magic:
        sys.exit(f"make_demo_images: {path}: not an IDX file with magic {magic:#x}")
    return data


def png_gray(width, height, pixels):
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
    raw = b"".join(b"\x00" + pixels[y * width:(y + 1) * width] for y in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def write_atomic(path, data):
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--out", required=True)
    parser.add_argument("--labels", required=True)
    parser.add_argument("--photos", nargs="*", default=[])
    parser.add_argument("--source", default=SOURCE)
    args = parser.parse_args()

    images_path = os.path.join(args.source, "t10k-images-idx3-ubyte.gz")
    labels_path = os.path.join(args.source, "t10k-labels-idx1-ubyte.gz")
    for p in (images_path, labels_path):
        if not os.path.exists(p):
            sys.exit(f"make_demo_images: {p} missing (install the Debian package dataset-fashion-mnist: scripts/setup.sh)")
    images = idx(images_path, 0x803)
    labels = idx(labels_path, 0x801)
    n, rows, cols = struct.unpack(">III", images[4:16])
    if (rows, cols) != (28, 28) or len(images) != 16 + n * rows * cols or len(labels) != 8 + n:
        sys.exit(f"make_demo_images: {images_path}: unexpected size")
    if not 1 <= args.count <= n:
        sys.exit(f"make_demo_images: --count must be in 1...{n}")

    labels_dir = os.path.dirname(os.path.abspath(args.labels))
    out = os.path.abspath(args.out)
    if labels_dir == out or labels_dir.startswith(out + os.sep):
        sys.exit("make_demo_images: --labels must be outside --out")
    os.makedirs(os.path.join(args.out, "fashion"), exist_ok=True)
    lines = ["name,class"]
    for i in range(args.count):
        name = f"fashion/{i:05d}.png"
        pixels = images[16 + i * 784:16 + (i + 1) * 784]
        write_atomic(os.path.join(args.out, name), png_gray(28, 28, pixels))
        lines.append(f"{name},{CLASSES[labels[8 + i]]}")
    if args.photos:
        os.makedirs(os.path.join(args.out, "photos"), exist_ok=True)
    for photo in args.photos:
        name = "photos/" + os.path.basename(photo)
        shutil.copyfile(photo, os.path.join(args.out, name))
        lines.append(f"{name},photo")
    os.makedirs(labels_dir, exist_ok=True)
    write_atomic(args.labels, ("\n".join(lines) + "\n").encode())
    print(f"make_demo_images: {args.count} Fashion-MNIST test images and {len(args.photos)} photos in {args.out}, labels in {args.labels}")


if __name__ == "__main__":
    main()
