#!/usr/bin/env python3
"""Post-training int8 quantisation of the zoo's ONNX exports with NNCF, for the openvino engine.

Run by zoo/export.py (`edgejoule zoo build --formats ...,openvino_int8`) with the project's
virtual environment (.venv: the pinned openvino and nncf wheels), not with the system Python:

    .venv/bin/python zoo/quantize_openvino.py JOBS.json RESULTS.json

JOBS.json is a list of {name, onnx, out_dir, calibration, input_shape, preprocess, test_limit};
RESULTS.json gets, per name, {file, calibration, accuracy} or {error}; export.py hashes the file.

Calibration (NNCF's statistics for the int8 ranges):
  - "fmnist": the first CALIBRATION_FMNIST images of Fashion-MNIST's *train* split, scaled as the
    model expects; the quantised model's accuracy is then measured here on the *test* split (with
    the same limit as the fp32 model's, so the two figures compare), and the fp32 ONNX file's in
    the same runtime next to it.
  - "synthetic": CALIBRATION_SYNTHETIC images of uniform random pixels, normalised with the
    model's mean and std. The zoo's ImageNet models have random weights, so no accuracy applies
    to their int8 files; the manifest says so instead of carrying the fp32 figure.

The IR is written as NAME.ov-int8.xml + NAME.ov-int8.bin; export.py's sha256_file covers both
files (the .xml first), as edgejoule computes it for a point's model identity.
"""
import json
import os
import sys
import tempfile
import time

import numpy as np

CALIBRATION_FMNIST = 300   # NNCF's default subset size
CALIBRATION_SYNTHETIC = 32  # random data sets ranges only; more would not make it meaningful
SEED = 0
TRANSFORMER_FAMILIES = ("vit", "swin", "swin_v2", "maxvit")


def log(message):
    print(f"zoo: {message}", file=sys.stderr, flush=True)


def fmnist_arrays(split, limit, scale):
    import idx
    images, labels = idx.load_arrays(split, limit)
    return images.astype(np.float32)[:, None, :, :] * np.float32(scale), labels.astype(np.int64)


def synthetic_images(job, count):
    rng = np.random.default_rng(SEED)
    shape = [1] + list(job["input_shape"][1:])
    pre = job.get("preprocess") or {}
    mean = np.array(pre.get("mean", [0.0] * shape[1]), dtype=np.float32).reshape(1, -1, 1, 1)
    std = np.array(pre.get("std", [1.0] * shape[1]), dtype=np.float32).reshape(1, -1, 1, 1)
    return [((rng.random(shape, dtype=np.float32) - mean) / std).astype(np.float32) for _ in range(count)]


def top_k_accuracy(core, model, x, y, batch=500):
    """(top-1 %, top-5 %) of an OpenVINO model on CPU over images x with labels y."""
    compiled = core.compile_model(model, "CPU", {"INFERENCE_PRECISION_HINT": "f32"})
    top1 = top5 = 0
    for i in range(0, len(x), batch):
        logits = compiled(x[i:i + batch])[0]
        top = np.argsort(-logits, axis=1, kind="stable")[:, :5]  # ties by class index, as edgejoule ranks
        top1 += int((top[:, 0] == y[i:i + batch]).sum())
        top5 += int((top == y[i:i + batch, None]).any(axis=1).sum())
    return 100.0 * top1 / len(x), 100.0 * top5 / len(x)


def quantize_one(job, core, ov, nncf):
    name = job["name"]
    model = core.read_model(job["onnx"])
    scale = (job.get("preprocess") or {}).get("pixel_scale", 1 / 255)
    if job["calibration"] == "fmnist":
        x, _ = fmnist_arrays("train", CALIBRATION_FMNIST, scale)
        items = [x[i:i + 1] for i in range(len(x))]
    else:
        items = synthetic_images(job, CALIBRATION_SYNTHETIC)
    family = job.get("family", "")
    quantized = nncf.quantize(model, nncf.Dataset(items), subset_size=len(items),
                              model_type=nncf.ModelType.TRANSFORMER if family in TRANSFORMER_FAMILIES else None)
    out_dir = job["out_dir"]
    file_name = f"{name}.ov-int8.xml"
    # Written under temporary names, then renamed .bin first: an interrupted build leaves no IR
    # whose .xml names weights that are not there.
    tmp_dir = tempfile.mkdtemp(dir=out_dir, prefix=f".{name}.ov-int8.")
    try:
        tmp_xml = os.path.join(tmp_dir, file_name)
        ov.save_model(quantized, tmp_xml, compress_to_fp16=False)
        for suffix in (".bin", ".xml"):
            path = tmp_xml[:-4] + suffix
            os.chmod(path, 0o644)
            os.replace(path, os.path.join(out_dir, file_name[:-4] + suffix))
    finally:
        for leftover in os.listdir(tmp_dir):
            os.unlink(os.path.join(tmp_dir, leftover))
        os.rmdir(tmp_dir)
    xml_path = os.path.join(out_dir, file_name)
    result = {"file": file_name,
              "calibration": (f"fmnist:train:{len(items)}" if job["calibration"] == "fmnist"
                              else f"synthetic:uniform-random:{len(items)}")}
    if job["calibration"] == "fmnist":
        xt, yt = fmnist_arrays("test", job.get("test_limit"), scale)
        top1, top5 = top_k_accuracy(core, core.read_model(xml_path), xt, yt)
        fp32_top1, _ = top_k_accuracy(core, model, xt, yt)
        result["accuracy"] = {"dataset": "fmnist:test", "top1": top1, "top5": top5, "samples": len(xt),
                              "source": f"measured:fmnist:test:{len(xt)}",
                              "fp32_top1_same_runtime": fp32_top1}
    else:
        result["accuracy"] = {"not_applicable": "int8 file of random weights, calibrated on synthetic images: "
                                                "the architecture's declared accuracy is for its pretrained "
                                                "fp32 weights and does not carry over"}
    return result


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: quantize_openvino.py JOBS.json RESULTS.json")
    with open(sys.argv[1]) as f:
        jobs = json.load(f)
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import logging
    import openvino as ov
    import nncf
    nncf.set_log_level(logging.ERROR)
    core = ov.Core()
    results = {}
    for index, job in enumerate(jobs, 1):
        start = time.monotonic()
        try:
            results[job["name"]] = r = quantize_one(job, core, ov, nncf)
            moved = ""
            if "top1" in r["accuracy"]:
                a = r["accuracy"]
                moved = (f", test top-1 {a['top1']:.2f} % (fp32 in OpenVINO {a['fp32_top1_same_runtime']:.2f} %, "
                         f"{a['top1'] - a['fp32_top1_same_runtime']:+.2f} points) on {a['samples']} images")
            log(f"[{index}/{len(jobs)}] {job['name']}: openvino_int8 quantised with NNCF {nncf.__version__} "
                f"({r['calibration']} calibration, {time.monotonic() - start:.1f} s{moved})")
        except Exception as e:  # one model's failure must not lose the rest of the set
            reason = (str(e).strip().splitlines() or [type(e).__name__])[-1][:300]
            results[job["name"]] = {"error": f"{type(e).__name__}: {reason}"}
            log(f"[{index}/{len(jobs)}] {job['name']}: no openvino_int8 ({type(e).__name__}: {reason})")
        with open(sys.argv[2] + ".tmp", "w") as f:
            json.dump(results, f, indent=2)
        os.replace(sys.argv[2] + ".tmp", sys.argv[2])  # what is done survives an interruption


if __name__ == "__main__":
    main()
