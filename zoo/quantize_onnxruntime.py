#!/usr/bin/env python3
"""Static int8 quantisation of the zoo's ONNX exports with onnxruntime.quantization, for the
onnxruntime engine's --precision int8 (and OpenVINO and OpenCV where they read QDQ models).

Run by zoo/export.py (`edgejoule zoo build --formats ...,onnx_int8`) with the project's virtual
environment (.venv: the pinned onnxruntime and onnx wheels), not with the system Python:

    .venv/bin/python zoo/quantize_onnxruntime.py JOBS.json RESULTS.json

JOBS.json is a list of {name, onnx, out_dir, calibration, input_shape, preprocess, test_limit};
RESULTS.json gets, per name, {file, calibration, accuracy} or {error}; export.py hashes the file.

The model is written in the QDQ format (QuantizeLinear/DequantizeLinear pairs around each
quantised operator, which ONNX Runtime fuses into int8 kernels): activations uint8, weights int8
per output channel, ranges by min/max over the calibration images, which are picked as for the
openvino_int8 files so the two quantisations compare:
  - "fmnist": the first CALIBRATION_FMNIST images of Fashion-MNIST's *train* split; the int8
    model's accuracy is then measured on the *test* split (with the same limit as the fp32
    model's), and the fp32 ONNX file's in the same runtime next to it.
  - "synthetic": CALIBRATION_SYNTHETIC images of uniform random pixels normalised with the
    model's mean and std. The zoo's ImageNet models have random weights, so no accuracy applies
    to their int8 files; the manifest says so instead of carrying the fp32 figure.
"""
import json
import os
import sys
import tempfile
import time

import numpy as np

CALIBRATION_FMNIST = 300
CALIBRATION_SYNTHETIC = 32
SEED = 0


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


def top_k_accuracy(ort, path, x, y, batch=500):
    """(top-1 %, top-5 %) of an ONNX file in ONNX Runtime on CPU over images x with labels y."""
    session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name
    top1 = top5 = 0
    for i in range(0, len(x), batch):
        logits = session.run(None, {name: x[i:i + batch]})[0]
        top = np.argsort(-logits, axis=1, kind="stable")[:, :5]  # ties by class index, as edgejoule ranks
        top1 += int((top[:, 0] == y[i:i + batch]).sum())
        top5 += int((top == y[i:i + batch, None]).any(axis=1).sum())
    return 100.0 * top1 / len(x), 100.0 * top5 / len(x)


def quantize_one(job, ort, quantization):
    name = job["name"]
    scale = (job.get("preprocess") or {}).get("pixel_scale", 1 / 255)
    if job["calibration"] == "fmnist":
        x, _ = fmnist_arrays("train", CALIBRATION_FMNIST, scale)
        items = [x[i:i + 1] for i in range(len(x))]
    else:
        items = synthetic_images(job, CALIBRATION_SYNTHETIC)
    input_name = ort.InferenceSession(job["onnx"], providers=["CPUExecutionProvider"]).get_inputs()[0].name

    class Reader(quantization.CalibrationDataReader):
        def __init__(self):
            self.rest = iter(items)

        def get_next(self):
            item = next(self.rest, None)
            return None if item is None else {input_name: item}

    out_dir = job["out_dir"]
    file_name = f"{name}.qdq-int8.onnx"
    # Written under a temporary name, then renamed: an interrupted build leaves no half file.
    fd, tmp_path = tempfile.mkstemp(dir=out_dir, prefix=f".{name}.qdq-int8.", suffix=".onnx")
    os.close(fd)
    try:
        quantization.quantize_static(
            job["onnx"], tmp_path, Reader(), quant_format=quantization.QuantFormat.QDQ,
            activation_type=quantization.QuantType.QUInt8, weight_type=quantization.QuantType.QInt8,
            per_channel=True, calibrate_method=quantization.CalibrationMethod.MinMax)
        os.chmod(tmp_path, 0o644)
        os.replace(tmp_path, os.path.join(out_dir, file_name))
    finally:
        if os.path.exists(tmp_path):
            os.unlink(tmp_path)
    path = os.path.join(out_dir, file_name)
    result = {"file": file_name,
              "calibration": (f"fmnist:train:{len(items)}" if job["calibration"] == "fmnist"
                              else f"synthetic:uniform-random:{len(items)}")}
    if job["calibration"] == "fmnist":
        xt, yt = fmnist_arrays("test", job.get("test_limit"), scale)
        top1, top5 = top_k_accuracy(ort, path, xt, yt)
        fp32_top1, _ = top_k_accuracy(ort, job["onnx"], xt, yt)
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
        sys.exit("usage: quantize_onnxruntime.py JOBS.json RESULTS.json")
    with open(sys.argv[1]) as f:
        jobs = json.load(f)
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import logging
    import onnxruntime as ort
    from onnxruntime import quantization
    logging.getLogger().setLevel(logging.ERROR)  # the quantiser's advice to pre-process, per model
    ort.set_default_logger_severity(3)
    results = {}
    for index, job in enumerate(jobs, 1):
        start = time.monotonic()
        try:
            results[job["name"]] = r = quantize_one(job, ort, quantization)
            moved = ""
            if "top1" in r["accuracy"]:
                a = r["accuracy"]
                moved = (f", test top-1 {a['top1']:.2f} % (fp32 in ONNX Runtime {a['fp32_top1_same_runtime']:.2f} %, "
                         f"{a['top1'] - a['fp32_top1_same_runtime']:+.2f} points) on {a['samples']} images")
            log(f"[{index}/{len(jobs)}] {job['name']}: onnx_int8 quantised with ONNX Runtime {ort.__version__} "
                f"({r['calibration']} calibration, {time.monotonic() - start:.1f} s{moved})")
        except Exception as e:  # one model's failure must not lose the rest of the set
            reason = (str(e).strip().splitlines() or [type(e).__name__])[-1][:300]
            results[job["name"]] = {"error": f"{type(e).__name__}: {reason}"}
            log(f"[{index}/{len(jobs)}] {job['name']}: no onnx_int8 ({type(e).__name__}: {reason})")
        with open(sys.argv[2] + ".tmp", "w") as f:
            json.dump(results, f, indent=2)
        os.replace(sys.argv[2] + ".tmp", sys.argv[2])  # what is done survives an interruption


if __name__ == "__main__":
    main()
