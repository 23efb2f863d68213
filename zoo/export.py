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
import shutil
import sys
import tempfile
import time

EXPORTER_VERSION = 5
SEED = 0
# Formats exported from the model itself, in this process (torch), and the ones made afterwards
# from the ONNX export in the project's .venv: format -> (script, the modules it needs, what
# quantises, its file's other files' suffixes, the temporary files' prefix).
TORCH_FORMATS = ("torchscript", "onnx", "torchscript_int8")
VENV_QUANTIZERS = {
    "openvino_int8": ("quantize_openvino.py", ("openvino", "nncf"), "NNCF", (".bin",), ".ov-int8-jobs."),
    "onnx_int8": ("quantize_onnxruntime.py", ("onnxruntime", "onnx"), "onnxruntime.quantization", (),
                  ".ort-int8-jobs."),
}
VENV_FORMATS = tuple(VENV_QUANTIZERS)
NOT_APPLICABLE = ("int8 file of random weights: the architecture's declared accuracy is for its pretrained "
                  "fp32 weights and does not carry over")

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
    # Every torchvision classification architecture, filled in from torchvision itself.
    "imagenet": None,
    # Trained here on Debian's dataset-fashion-mnist, accuracy measured on its test set.
    "fmnist": "fmnist",
    # A small subset for the demo: three models, about a minute of training.
    "fmnist-small": ["fmnist_mlp_s", "fmnist_cnn_xs", "fmnist_cnn_s"],
    # For the test suite, trained on part of the training set (--train-limit).
    "fmnist-test": ["fmnist_mlp_xs", "fmnist_cnn_xs"],
    # The GPU sweep: eight architectures spanning the cost range.
    "gpu-sweep": [
        ("mobilenet_v3_small", "mobilenet_v3"),
        ("shufflenet_v2_x1_0", "shufflenet_v2"),
        ("efficientnet_b0", "efficientnet"),
        ("resnet18", "resnet"),
        ("resnet50", "resnet"),
        ("convnext_tiny", "convnext"),
        ("vit_b_16", "vit"),
        ("regnet_y_16gf", "regnet_y"),
    ],
    # The engine cross-check test: small torchvision models covering each ONNX fix for OpenCV
    # (batch-norm Identity constants, mobilenet_v2's opset 10, shufflenet_v2's opset 9).
    "crosscheck": [
        ("squeezenet1_1", "squeezenet"),
        ("resnet18", "resnet"),
        ("mobilenet_v2", "mobilenet_v2"),
        ("shufflenet_v2_x0_5", "shufflenet_v2"),
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
    """A model file's identity; an OpenVINO IR's (.xml) covers its .bin too, .xml first, as
    edgejoule computes it."""
    h = hashlib.sha256()
    for part in ((path, path[:-4] + ".bin") if path.endswith(".xml") else (path,)):
        with open(part, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
    return h.hexdigest()


def family_of(name):
    """resnet50 -> resnet, wide_resnet50_2 -> wide_resnet, efficientnet_v2_s -> efficientnet_v2."""
    for prefix in ("wide_resnet", "resnext", "efficientnet_v2", "efficientnet", "mobilenet_v2",
                   "mobilenet_v3", "shufflenet_v2", "regnet_x", "regnet_y", "swin_v2", "swin",
                   "vit", "maxvit", "convnext", "densenet", "squeezenet", "mnasnet", "vgg",
                   "resnet", "inception", "googlenet", "alexnet"):
        if name.startswith(prefix):
            return prefix
    return name


def imagenet_set(torchvision):
    from torchvision.models import list_models
    return [(name, family_of(name)) for name in sorted(list_models(module=torchvision.models))]


def declared_params(name, family):
    """Parameter count without building the model, for the disk estimate."""
    if family in ("test", "fmnist_mlp", "fmnist_cnn"):
        return 2_000_000
    from torchvision.models import get_model_weights
    return int(get_model_weights(name).DEFAULT.meta["num_params"])


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
    weights = get_model_weights(name).DEFAULT
    transforms = weights.transforms()
    crop = int(transforms.crop_size[0])
    # ViTs are built for one image size; without weights the builder assumes 224, while e.g.
    # vit_h_14's only weights (SWAG) take 518.
    extra = {"image_size": crop} if name.startswith("vit_") else {}
    model = get_model(name, weights=None, **extra)
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


# ONNX export per family where the default (opset 13, dynamic batch) gives an operator form
# OpenCV 4.6's importer rejects: mobilenet_v2's ReLU6 becomes Clip with min/max inputs from opset
# 11 on (OpenCV wants the attribute form of opset <= 10); shufflenet_v2's channel shuffle exports
# an Add on shapes with a dynamic batch at any opset OpenCV reads, and opsets 9-10 cannot export a
# dynamic batch at all, so its ONNX file has a fixed batch of 1 (recorded as "onnx_fixed_batch").
ONNX_EXPORT = {"mobilenet_v2": (10, True), "shufflenet_v2": (9, False)}
DEFAULT_OPSET = 13


def inline_identity_constants(model_path):
    """torch 1.13's exporter de-duplicates repeated constants (e.g. batch-norm's shared
    num_batches_tracked or equal running stats) into Identity nodes on an initializer, which
    OpenCV 4.6 cannot import. Replace each such Identity with a copy of the constant under the
    node's output name. Returns how many nodes were replaced; needs python3-onnx."""
    import onnx
    model = onnx.load(model_path)
    graph = model.graph
    initializers = {t.name: t for t in graph.initializer}
    kept, replaced = [], 0
    for node in graph.node:
        if node.op_type == "Identity" and len(node.input) == 1 and node.input[0] in initializers:
            copy = onnx.TensorProto()
            copy.CopyFrom(initializers[node.input[0]])
            copy.name = node.output[0]
            graph.initializer.append(copy)
            replaced += 1
        else:
            kept.append(node)
    if replaced:
        del graph.node[:]
        graph.node.extend(kept)
        onnx.checker.check_model(model)
        onnx.save(model, model_path)
    return replaced


def export_onnx(model, example, name, family, out_dir, torch):
    """Exports to ONNX importable by OpenCV 4.6 where possible; returns (file name, opset,
    dynamic batch?, None) or (None, opset, dynamic batch?, reason)."""
    file_name = f"{name}.onnx"
    opset, dynamic_batch = ONNX_EXPORT.get(family, (DEFAULT_OPSET, True))
    # A private directory: past 2 GB the exporter writes each weight as a file next to the model
    # before it fails (one file per tensor); they go with the directory, not into the zoo.
    tmp_dir = tempfile.mkdtemp(dir=out_dir, prefix=f".{name}.onnx.")
    tmp = os.path.join(tmp_dir, file_name)
    try:
        with torch.no_grad():
            torch.onnx.export(model, example, tmp, opset_version=opset, input_names=["input"],
                              output_names=["logits"],
                              dynamic_axes=({"input": {0: "batch"}, "logits": {0: "batch"}}
                                            if dynamic_batch else None))
        if len(os.listdir(tmp_dir)) > 1:  # weights as external data: a single-file zoo cannot hold it
            raise ValueError("the model exceeds ONNX's 2 GB single-file limit (weights would be "
                             "external data files)")
        inline_identity_constants(tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, os.path.join(out_dir, file_name))
        return file_name, opset, dynamic_batch, None
    except Exception as e:  # the exporter raises many types; the reason is what matters
        reason = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        return None, opset, dynamic_batch, f"{type(e).__name__}: {reason}"[:300]
    finally:
        shutil.rmtree(tmp_dir, ignore_errors=True)


def save_traced(traced, name, suffix, out_dir, torch):
    """Saves a TorchScript module as NAME+SUFFIX atomically; returns the file name."""
    file_name = f"{name}{suffix}"
    fd, tmp = tempfile.mkstemp(dir=out_dir, prefix=f".{name}.", suffix=f"{suffix}.tmp")
    os.close(fd)
    try:
        torch.jit.save(traced, tmp)
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; a zoo is shared
        os.replace(tmp, os.path.join(out_dir, file_name))  # an interrupted build leaves no half file
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return file_name


def export_int8(model, example, name, out_dir, torch):
    """Dynamic quantisation (torch.ao.quantization.quantize_dynamic): Linear weights stored as
    int8, activations quantised per call; convolutions stay fp32 (static quantisation would need
    calibration data per model). Returns (file name, quantised model, None) or (None, None, reason)."""
    linear = sum(1 for m in model.modules() if isinstance(m, torch.nn.Linear))
    if linear == 0:
        return None, None, "no Linear layer: dynamic quantisation would leave the model unchanged"
    try:
        quantized = torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)
        with torch.no_grad():
            traced = torch.jit.trace(quantized, example, check_trace=False)
        return save_traced(traced, name, ".int8.pt", out_dir, torch), quantized, None
    except Exception as e:  # the quantiser raises many types; the reason is what matters
        reason = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        return None, None, f"{type(e).__name__}: {reason}"[:300]


def record_export(entry, fmt, file_name, why, out_dir):
    """A format's file and hash in the entry, or "<format>_error" with the exporter's reason."""
    if file_name:
        entry["files"][fmt] = file_name
        entry["sha256"][fmt] = sha256_file(os.path.join(out_dir, file_name))
    else:
        entry[f"{fmt}_error"] = why
        log(f"{entry['name']}: no {fmt} export ({why})")


def export_one(name, family, out_dir, torch, torchvision, args):
    torch.manual_seed(SEED)
    if family.startswith("fmnist"):
        import fmnist
        model, shape, acc = fmnist.train(name, log, args.test_limit, args.train_limit)
        meta = {"preprocess": {"pixel_scale": 1 / 255, "normalization": "inside the model"},
                "accuracy": acc}
    elif family == "test":
        model, shape, meta = tiny_model(name, torch)
    else:
        model, shape, meta = torchvision_model(name, torch, torchvision)
    model.eval()
    from flops import count_macs
    macs = count_macs(model, shape)
    example = torch.rand(shape)
    with torch.no_grad():
        traced = torch.jit.trace(model, example, check_trace=False)
    file_name = save_traced(traced, name, ".pt", out_dir, torch)
    final = os.path.join(out_dir, file_name)
    # The operators of the file LibTorch runs, read back as a cached file is read again (a traced
    # module not yet saved does not run under the dispatch hook).
    graph = record_graph(torch.jit.load(final, map_location="cpu").eval(), name, shape, out_dir)
    entry = {
        "name": name,
        "family": family,
        "files": {"torchscript": file_name},
        "sha256": {"torchscript": sha256_file(final)},
        "input_shape": shape,
        "params": int(sum(p.numel() for p in model.parameters())),
        "macs": int(macs),
        "flops": int(2 * macs),
        "graph": graph,
        "weights": ("trained here (fixed seeds), see zoo/fmnist.py" if family.startswith("fmnist")
                    else f"deterministic random initialisation (torch.manual_seed({SEED}))"),
    }
    if "onnx" in args.formats:
        onnx_file, opset, dynamic_batch, why = export_onnx(model, example, name, family, out_dir, torch)
        entry["onnx_opset"] = opset
        if not dynamic_batch:
            entry["onnx_fixed_batch"] = shape[0]
        record_export(entry, "onnx", onnx_file, why, out_dir)
    if "torchscript_int8" in args.formats:
        int8_file, quantized, why = export_int8(model, example, name, out_dir, torch)
        record_export(entry, "torchscript_int8", int8_file, why, out_dir)
        # A quantised file carries its own accuracy, never the fp32 model's.
        if int8_file and family.startswith("fmnist"):
            import fmnist
            xt, yt = fmnist.load("test", args.test_limit)
            top1, top5 = fmnist.accuracy(quantized, xt, yt)
            entry.setdefault("format_accuracy", {})["torchscript_int8"] = {
                "dataset": "fmnist:test", "top1": top1, "top5": top5, "samples": len(xt),
                "source": f"measured:fmnist:test:{len(xt)}"}
        elif int8_file and meta and meta.get("accuracy"):
            entry.setdefault("format_accuracy", {})["torchscript_int8"] = {"not_applicable": NOT_APPLICABLE}
    if meta:
        entry["preprocess"] = meta["preprocess"]
        if meta["accuracy"]:
            entry["accuracy"] = meta["accuracy"]
    return entry


def record_graph(model, name, shape, out_dir):
    """The operators of one forward pass (graph_ops.py): NAME.ops.json beside the files, and the
    summary the cost model reads, returned for the manifest."""
    import graph_ops
    records = graph_ops.record_torch(model, shape)
    summary = graph_ops.summarize(records)
    graph_ops.write_records(os.path.join(out_dir, name + ".ops.json"), name, shape, summary, records)
    return {"source": "torchscript", "file": name + ".ops.json", "version": graph_ops.VERSION, "summary": summary}


def graph_version():
    import graph_ops
    return graph_ops.VERSION


def add_graph_from_file(entry, out_dir, torch):
    """A cached entry from before operators were recorded: read them from its TorchScript file."""
    model = torch.jit.load(os.path.join(out_dir, entry["files"]["torchscript"]), map_location="cpu").eval()
    entry["graph"] = record_graph(model, entry["name"], entry["input_shape"], out_dir)


def graph_onnx(manifest, venv_python, out_dir):
    """Each ONNX file's operators as OpenVINO reads it (graph_ops.py in the .venv, one process for
    all), beside the TorchScript ones: entry["graph_onnx"]. Skipped, and said, without the .venv."""
    jobs = []
    for entry in manifest["models"]:
        onnx_file = entry.get("files", {}).get("onnx")
        done = entry.get("graph_onnx", {})
        if onnx_file and (done.get("sha256") != entry["sha256"]["onnx"] or done.get("version") != graph_version()):
            jobs.append({"name": entry["name"], "file": os.path.join(out_dir, onnx_file),
                         "input_shape": entry["input_shape"], "sha256": entry["sha256"]["onnx"]})
    if not jobs:
        return
    if not venv_python:
        log(f"graph: {len(jobs)} ONNX file(s) not read (no .venv with openvino; 'make deps' makes it)")
        return
    _, results = run_venv_jobs(venv_python, "graph_ops.py", ["--jobs"], jobs, out_dir, ".graph-jobs.")
    by_name = {e["name"]: e for e in manifest["models"]}
    for job in jobs:
        result = results.get(job["name"])
        if result:
            by_name[job["name"]]["graph_onnx"] = {"sha256": job["sha256"], "version": graph_version(), **result}
    log(f"graph: read {sum(1 for j in jobs if results.get(j['name']))} of {len(jobs)} ONNX file(s) with OpenVINO")


def cached_formats_ok(entry, out_dir, formats):
    """True when every requested format's file still has the hash the manifest recorded (or the
    format is recorded as failing to export), and the entry has every field this exporter writes
    (an entry from before FLOPs were counted is exported again)."""
    if "flops" not in entry or "params" not in entry:
        return False
    for fmt in formats:
        if f"{fmt}_error" in entry:
            continue
        name = entry.get("files", {}).get(fmt)
        if not name:
            return False
        path = os.path.join(out_dir, name)
        if not os.path.exists(path) or sha256_file(path) != entry.get("sha256", {}).get(fmt):
            return False
    return True


def find_venv_python(formats):
    """The project's .venv interpreter (EDGEJOULE_VENV overrides), checked to import what the
    quantisers of `formats` need; exits with the fix when it cannot."""
    venv = os.environ.get("EDGEJOULE_VENV") or os.path.join(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__))), ".venv")
    python = os.path.join(venv, "bin", "python")
    import subprocess
    for fmt in formats:
        modules = VENV_QUANTIZERS[fmt][1]
        if not os.access(python, os.X_OK) or subprocess.run([python, "-c", "import " + ", ".join(modules)],
                                                            capture_output=True).returncode != 0:
            sys.exit(f"zoo: {fmt} is made with the {' and '.join(modules)} wheels of the project's virtual "
                     f"environment, and {venv} has not all of them: run 'make deps' (it needs PyPI), or set "
                     f"EDGEJOULE_VENV")
    return python


def run_venv_jobs(venv_python, script_name, flags, jobs, out_dir, prefix):
    """Runs one of this folder's scripts in the .venv on a list of jobs (a JSON file in, a JSON
    file of results out, both temporary in out_dir). Returns (exit status, results or {})."""
    import subprocess
    fd, jobs_path = tempfile.mkstemp(dir=out_dir, prefix=prefix, suffix=".json")
    os.close(fd)
    results_path = jobs_path[:-5] + ".results.json"
    try:
        with open(jobs_path, "w") as f:
            json.dump(jobs, f)
        script = os.path.join(os.path.dirname(os.path.abspath(__file__)), script_name)
        rc = subprocess.run([venv_python, script, *flags, jobs_path, results_path]).returncode
        results = {}
        if os.path.exists(results_path):
            with open(results_path) as f:
                results = json.load(f)
    finally:
        for path in (jobs_path, results_path):
            if os.path.exists(path):
                os.remove(path)
    return rc, results


def venv_python_if_any():
    """The .venv's interpreter when it has openvino, else None (for what is optional)."""
    venv = os.environ.get("EDGEJOULE_VENV") or os.path.join(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__))), ".venv")
    python = os.path.join(venv, "bin", "python")
    import subprocess
    if os.access(python, os.X_OK) and subprocess.run([python, "-c", "import openvino"],
                                                     capture_output=True).returncode == 0:
        return python
    return None


def quantize_in_venv(fmt, manifest, manifest_path, venv_python, args):
    """Makes the `fmt` file (VENV_QUANTIZERS) of every model whose ONNX export it lacks (or was made
    from another ONNX file), in the .venv; records file, hash, calibration and accuracy (or the
    error) in the manifest. Returns the names that failed."""
    script, _, quantiser, companions, prefix = VENV_QUANTIZERS[fmt]
    out_dir = args.out
    jobs = []
    for entry in manifest["models"]:
        onnx_file = entry.get("files", {}).get("onnx")
        if not onnx_file:
            entry[f"{fmt}_error"] = "no ONNX export to quantise"
            continue
        current = entry.get("files", {}).get(fmt)
        if (not args.force and f"{fmt}_error" in entry and
                entry.get(f"{fmt}_from") == entry["sha256"]["onnx"]):
            continue  # the quantiser could not quantise this very file: recorded, as for the other formats
        if (current and not args.force and entry.get(f"{fmt}_from") == entry["sha256"]["onnx"] and
                os.path.exists(os.path.join(out_dir, current)) and
                all(os.path.exists(os.path.join(out_dir, os.path.splitext(current)[0] + suffix))
                    for suffix in companions) and
                sha256_file(os.path.join(out_dir, current)) == entry["sha256"].get(fmt)):
            continue
        family = entry.get("family", "")
        jobs.append({"name": entry["name"], "onnx": os.path.join(out_dir, onnx_file), "out_dir": out_dir,
                     "family": family, "calibration": "fmnist" if family.startswith("fmnist") else "synthetic",
                     "input_shape": entry["input_shape"], "preprocess": entry.get("preprocess"),
                     "test_limit": args.test_limit})
    if not jobs:
        return []
    log(f"{fmt}: quantising {len(jobs)} model(s) with {quantiser} in {os.path.dirname(os.path.dirname(venv_python))}")
    rc, results = run_venv_jobs(venv_python, script, [], jobs, out_dir, prefix)
    failed = []
    by_name = {e["name"]: e for e in manifest["models"]}
    for job in jobs:
        entry, result = by_name[job["name"]], results.get(job["name"])
        entry.get("format_accuracy", {}).pop(fmt, None)
        if result is None or "error" in result:
            why = result["error"] if result else f"the quantiser stopped (exit status {rc}) before this model"
            entry["files"].pop(fmt, None)
            entry["sha256"].pop(fmt, None)
            entry[f"{fmt}_error"] = why
            if result is None:
                failed.append(job["name"])  # a crash, not a model it cannot quantise: tried again next time
                entry.pop(f"{fmt}_from", None)
            else:
                entry[f"{fmt}_from"] = entry["sha256"]["onnx"]  # recorded, as for onnx
            continue
        entry.pop(f"{fmt}_error", None)
        entry["files"][fmt] = result["file"]
        entry["sha256"][fmt] = sha256_file(os.path.join(out_dir, result["file"]))
        entry[f"{fmt}_from"] = entry["sha256"]["onnx"]
        entry[f"{fmt}_calibration"] = result["calibration"]
        accuracy = result["accuracy"]
        if "not_applicable" in accuracy and not entry.get("accuracy"):
            accuracy = None  # nothing declared for the fp32 model either: nothing to disclaim
        if accuracy:
            entry.setdefault("format_accuracy", {})[fmt] = accuracy
    write_manifest(manifest_path, manifest)
    return failed


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
    parser.add_argument("--formats", default="torchscript",
                        help="comma-separated: torchscript, onnx, torchscript_int8, openvino_int8, onnx_int8 (export "
                             "only what the engines and precisions you will use need)")
    parser.add_argument("--test-limit", type=int, default=None,
                        help="fmnist: measure test accuracy on the first N test images only")
    parser.add_argument("--train-limit", type=int, default=None,
                        help="fmnist: train on the first N training images only (tests)")
    args = parser.parse_args()
    args.formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    for f in args.formats:
        if f not in TORCH_FORMATS + VENV_FORMATS:
            parser.error(f"unknown format '{f}': choose {', '.join(TORCH_FORMATS + VENV_FORMATS)}")
    if "torchscript" not in args.formats:
        args.formats.insert(0, "torchscript")  # the manifest's reference file, always exported
    quantised = [f for f in args.formats if f in VENV_FORMATS]
    if quantised and "onnx" not in args.formats:
        args.formats.insert(1, "onnx")  # what the quantisers read
    venv_python = None
    if quantised:
        venv_python = find_venv_python(quantised)  # before anything is exported: exits naming the fix

    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import warnings
    import torch
    import torchvision
    # Tracing at one fixed input size makes shape asserts constant, which is what we want.
    warnings.filterwarnings("ignore", category=torch.jit.TracerWarning)
    warnings.filterwarnings("ignore", message=".*meshgrid.*")
    torch.set_num_threads(os.cpu_count() or 1)

    os.makedirs(args.out, exist_ok=True)
    manifest_path = os.path.join(args.out, "zoo.json")
    created_with = {
        "torch": torch.__version__,
        "torchvision": torchvision.__version__,
        "exporter_version": EXPORTER_VERSION,
        "test_limit": args.test_limit,
        "train_limit": args.train_limit,
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

    chosen = SETS[args.set]
    if chosen is None:
        wanted = imagenet_set(torchvision)
    elif chosen == "fmnist" or (isinstance(chosen, list) and chosen and isinstance(chosen[0], str)):
        import fmnist
        names = list(fmnist.FAMILY) if chosen == "fmnist" else chosen
        wanted = [(n, "fmnist_" + fmnist.FAMILY[n][0]) for n in names]
    else:
        wanted = chosen
    # Say how much disk the set needs before building it (TorchScript stores fp32 weights);
    # models whose files are already there (likely cached) need none.
    def present(name):
        entry = previous.get(name)
        return (entry is not None and not args.force and
                all(f"{fmt}_error" in entry or
                    os.path.exists(os.path.join(args.out, entry.get("files", {}).get(fmt, "\0")))
                    for fmt in args.formats))
    need_bytes = sum(declared_params(n, f) * 4 for n, f in wanted if not present(n)) * 1.02 * len(args.formats)
    free_bytes = shutil.disk_usage(args.out).free
    log(f"set {args.set}: {len(wanted)} models, about {need_bytes / 1e9:.2f} GB of {'+'.join(args.formats)} "
        f"({free_bytes / 1e9:.1f} GB free at {args.out})")
    if need_bytes > free_bytes:
        sys.exit(f"zoo: not enough disk at {args.out}: need about {need_bytes / 1e9:.1f} GB, "
                 f"{free_bytes / 1e9:.1f} GB free; choose another --out")
    manifest = {"format_version": 1, "set": args.set, "created_with": created_with, "models": []}
    failed = []
    for index, (name, family) in enumerate(wanted, 1):
        cached = previous.get(name)
        torch_formats = [f for f in args.formats if f in TORCH_FORMATS]
        if cached and not args.force and cached_formats_ok(cached, args.out, torch_formats):
            if cached.get("graph", {}).get("version") != graph_version():
                add_graph_from_file(cached, args.out, torch)  # recorded before, or by an older graph_ops.py
            log(f"[{index}/{len(wanted)}] {name}: cached")
            manifest["models"].append(cached)
            write_manifest(manifest_path, manifest)
            continue
        start = time.monotonic()
        try:
            entry = export_one(name, family, args.out, torch, torchvision, args)
        except Exception as e:  # one model's failure must not lose the rest of the set
            reason = (str(e).strip().splitlines() or [type(e).__name__])[-1][:300]
            log(f"[{index}/{len(wanted)}] {name}: FAILED ({type(e).__name__}: {reason})")
            failed.append(name)
            continue
        size_mb = os.path.getsize(os.path.join(args.out, entry["files"]["torchscript"])) / 1e6
        log(f"[{index}/{len(wanted)}] {name}: exported ({entry['params'] / 1e6:.2f} M params, "
            f"{entry['macs'] / 1e6:.3f} MMACs, {size_mb:.1f} MB, {time.monotonic() - start:.1f} s)")
        manifest["models"].append(entry)
        write_manifest(manifest_path, manifest)  # progress survives an interruption
    write_manifest(manifest_path, manifest)
    if "onnx" in args.formats:
        graph_onnx(manifest, venv_python or venv_python_if_any(), args.out)
        write_manifest(manifest_path, manifest)
    for fmt in quantised:
        failed += quantize_in_venv(fmt, manifest, manifest_path, venv_python, args)
    log(f"manifest: {manifest_path} ({len(manifest['models'])} models)")
    if failed:
        sys.exit(f"zoo: {len(failed)} model(s) could not be exported: {', '.join(failed)}; "
                 f"the {len(manifest['models'])} others are in the manifest")


if __name__ == "__main__":
    main()
