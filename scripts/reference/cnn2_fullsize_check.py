#!/usr/bin/python3
"""Compare `framecut embed` output for convnextv2-tiny or clip-rn50 with the reference code run on the
same full-size checkpoint and images (the reference's own preprocessing). A manual check, not a test:
it needs the checkpoint. With no --weights it writes a random full-size checkpoint first (HF
ConvNextV2ForImageClassification with perturbed layer norms and GRN, or a whole open_clip RN50 incl.
the text tower) to FILE.

  framecut embed IMAGES --model convnextv2-tiny --weights W --out emb.npy
  PYTHONPATH=/tmp/pyref /usr/bin/python3 scripts/reference/cnn2_fullsize_check.py convnextv2-tiny W IMAGES emb.npy
  PYTHONPATH=/tmp/pyref /usr/bin/python3 scripts/reference/cnn2_fullsize_check.py clip-rn50 --random W   # write W

Checkpoints: facebook/convnextv2-tiny-1k-224 (model.safetensors, HF names) and
timm/resnet50_clip.openai (open_clip_pytorch_model.bin, OpenAI names). Prints the largest
absolute and relative differences and numpy.allclose(rtol=atol=1e-4).
"""
import argparse
import os

import numpy as np
import torch

torch.set_num_threads(1)


def load_weights(path):
    if path.endswith(".safetensors"):
        from safetensors.torch import load_file
        return {k: v.float() for k, v in load_file(path).items()}
    sd = torch.load(path, map_location="cpu")
    return {k: v.float() if v.is_floating_point() else v for k, v in sd.items()}


def convnext_model():
    from transformers import ConvNextV2Config, ConvNextV2ForImageClassification
    return ConvNextV2ForImageClassification(ConvNextV2Config(depths=[3, 3, 9, 3], hidden_sizes=[96, 192, 384, 768],
                                                             num_labels=1000)).eval()


def clip_model():
    import open_clip
    model, _, preprocess = open_clip.create_model_and_transforms("RN50", pretrained=None)
    return model.eval(), preprocess


def write_random(model_id, path):
    from safetensors.torch import save_file
    torch.manual_seed(0)
    if model_id == "convnextv2-tiny":
        m = convnext_model()
        with torch.no_grad():
            for n, p in m.named_parameters():
                if "grn" in n or "layernorm" in n:
                    p.add_(torch.randn_like(p) * 0.3)
    else:
        m, _ = clip_model()
    save_file({k: v.half().contiguous() for k, v in m.state_dict().items()}, path)
    print("wrote", path)


def reference(model_id, weights, images):
    from PIL import Image
    sd = load_weights(weights)
    if model_id == "convnextv2-tiny":
        from transformers import ConvNextImageProcessor
        m = convnext_model()
        m.load_state_dict(sd, strict=False)  # a checkpoint without the classifier loads too
        proc = ConvNextImageProcessor(size={"shortest_edge": 224}, crop_pct=224 / 256, resample=3,
                                      image_mean=[0.485, 0.456, 0.406], image_std=[0.229, 0.224, 0.225])
        x = proc([Image.open(p).convert("RGB") for p in images], return_tensors="pt")["pixel_values"]
        with torch.no_grad():
            return m.convnextv2(x).pooler_output.numpy()
    m, preprocess = clip_model()
    m.load_state_dict(sd, strict=True)
    x = torch.stack([preprocess(Image.open(p)) for p in images])
    with torch.no_grad():
        return m.encode_image(x).numpy()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model", choices=["convnextv2-tiny", "clip-rn50"])
    ap.add_argument("weights")
    ap.add_argument("folder", nargs="?")
    ap.add_argument("embeddings", nargs="?", help="framecut embed output (.npy; its .names.txt beside it)")
    ap.add_argument("--random", action="store_true", help="write a random full-size checkpoint to WEIGHTS and stop")
    args = ap.parse_args()
    if args.random:
        write_random(args.model, args.weights)
        return
    names = open(os.path.splitext(args.embeddings)[0] + ".names.txt").read().split("\n")
    names = [n for n in names if n]
    ours = np.load(args.embeddings)
    ref = reference(args.model, args.weights, [os.path.join(args.folder, n) for n in names])
    d = np.abs(ours - ref)
    print("%d images, %s: max abs %.3g, max rel %.3g, allclose(1e-4) %s"
          % (len(names), args.model, d.max(), d.max() / np.abs(ref).max(), np.allclose(ours, ref, rtol=1e-4, atol=1e-4)))


if __name__ == "__main__":
    main()
