#!/usr/bin/env python3
"""Exports a set of classification models to TorchScript with a zoo.json manifest.

Run by `edgejoule zoo build`; usable alone:  python3 zoo/export.py --set demo --out DIR

Weights are deterministic (seeded random initialisation): pretrained weights cannot be downloaded
on the machines this runs on, and latency and energy depend on the architecture, not on the
weight values. Accuracy is therefore never measured on these models; the manifest carries the
accuracy torchvision *declares* for the architecture's default pretrained weights, with its
source, so every figure says where it comes from.

The build is cached by content: a model whose file still hashes to what the manifest recorded,
exported by the same torch/torchvision/exporter version, is not exported again.
"""
import argparse
import hashlib
import json
import os
import sys
import tempfile
import time

EXPORTER_VERSION = 1
SEED = 0

# name -> family. Chosen to span ~60x in cost on one CPU core.
SETS = {
    "demo": [
        ("mobilenet_v3_small", "mobilenet_v3"),
        ("squeezenet1_1", "squeezenet"),
        ("resnet18", "resnet"),
        ("efficientnet_b0", "efficientnet"),
        ("resnet50", "resnet"),
        ("convnext_tiny", "convnext"),
    ],
    # Two small project-defined networks for the test suite: seconds to export and profile.
    "tiny": [
        ("tiny_cnn", "test"),
        ("tiny_mlp", "test"),
    ],
}


def log(message):
    print(f"zoo: {message}", file=sys.stderr, flush=True)


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def tiny_model(name, torch):
    nn = torch.nn
    if name == "tiny_cnn":
        model = nn.Sequential(
            nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(),
            nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(16, 10))
        return model, [1, 3, 32, 32], None
    if name == "tiny_mlp":
        model = nn.Sequential(nn.Flatten(), nn.Linear(28 * 28, 64), nn.ReLU(), nn.Linear(64, 10))
        return model, [1, 1, 28, 28], None
    raise KeyError(name)


def torchvision_model(name, torch, torchvision):
    from torchvision.models import get_model, get_model_weights
    model = get_model(name, weights=None)
    weights = get_model_weights(name).DEFAULT
    transforms = weights.transforms()
    crop = int(transforms.crop_size[0])
    meta = {
        "preprocess": {
            "resize": int(transforms.resize_size[0]),
            "crop": crop,
            "interpolation": str(transforms.interpolation.value),
            "mean": [float(x) for x in transforms.mean],
            "std": [float(x) for x in transforms.std],
        },
        "accuracy": None,
    }
    metrics = weights.meta.get("_metrics", {}).get("ImageNet-1K")
    if metrics:
        meta["accuracy"] = {
            "dataset": "imagenet-1k",
            "top1": float(metrics["acc@1"]),
            "top5": float(metrics["acc@5"]),
            "source": f"declared:torchvision-{torchvision.__version__.split('+')[0]}:{weights}",
        }
    return model, [1, 3, crop, crop], meta


def export_one(name, family, out_dir, torch, torchvision):
    torch.manual_seed(SEED)
    if family == "test":
        model, shape, meta = tiny_model(name, torch)
    else:
        model, shape, meta = torchvision_model(name, torch, torchvision)
    model.eval()
    example = torch.rand(shape)
    with torch.no_grad():
        traced = torch.jit.trace(model, example, check_trace=False)
    file_name = f"{name}.pt"
    final = os.path.join(out_dir, file_name)
    fd, tmp = tempfile.mkstemp(dir=out_dir, prefix=f".{name}.", suffix=".pt.tmp")
    os.close(fd)
    try:
        torch.jit.save(traced, tmp)
        os.replace(tmp, final)  # atomic: an interrupted build never leaves a half-written model
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    entry = {
        "name": name,
        "family": family,
        "files": {"torchscript": file_name},
        "sha256": {"torchscript": sha256_file(final)},
        "input_shape": shape,
        "params": int(sum(p.numel() for p in model.parameters())),
        "weights": f"deterministic random initialisation (torch.manual_seed({SEED}))",
    }
    if meta:
        entry["preprocess"] = meta["preprocess"]
        if meta["accuracy"]:
            entry["accuracy"] = meta["accuracy"]
    return entry


def write_manifest(path, manifest):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    os.replace(tmp, path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--set", default="demo", choices=sorted(SETS))
    parser.add_argument("--out", required=True)
    parser.add_argument("--force", action="store_true", help="export again even when cached")
    args = parser.parse_args()

    import torch
    import torchvision
    torch.set_num_threads(os.cpu_count() or 1)

    os.makedirs(args.out, exist_ok=True)
    manifest_path = os.path.join(args.out, "zoo.json")
    created_with = {
        "torch": torch.__version__,
        "torchvision": torchvision.__version__,
        "exporter_version": EXPORTER_VERSION,
    }
    previous = {}
    if os.path.exists(manifest_path):
        try:
            with open(manifest_path) as f:
                old = json.load(f)
            if old.get("created_with") == created_with:
                previous = {m["name"]: m for m in old.get("models", [])}
        except (OSError, ValueError, KeyError, TypeError):
            log(f"ignoring unreadable manifest {manifest_path}; exporting everything again")

    wanted = SETS[args.set]
    manifest = {"format_version": 1, "set": args.set, "created_with": created_with, "models": []}
    for index, (name, family) in enumerate(wanted, 1):
        cached = previous.get(name)
        if cached and not args.force:
            path = os.path.join(args.out, cached["files"]["torchscript"])
            if os.path.exists(path) and sha256_file(path) == cached.get("sha256", {}).get("torchscript"):
                log(f"[{index}/{len(wanted)}] {name}: cached")
                manifest["models"].append(cached)
                continue
        start = time.monotonic()
        entry = export_one(name, family, args.out, torch, torchvision)
        size_mb = os.path.getsize(os.path.join(args.out, entry["files"]["torchscript"])) / 1e6
        log(f"[{index}/{len(wanted)}] {name}: exported ({entry['params'] / 1e6:.2f} M params, "
            f"{size_mb:.1f} MB, {time.monotonic() - start:.1f} s)")
        manifest["models"].append(entry)
        write_manifest(manifest_path, manifest)  # progress survives an interruption
    write_manifest(manifest_path, manifest)
    log(f"manifest: {manifest_path} ({len(manifest['models'])} models)")


if __name__ == "__main__":
    main()
