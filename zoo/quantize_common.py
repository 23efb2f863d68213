"""What the zoo's post-training quantisers share (quantize_openvino.py, quantize_onnxruntime.py):
the calibration images, the test split, and the loop over jobs that keeps each result on disk.

Calibration, the same for both so that their int8 files compare:
  - "fmnist": the first CALIBRATION_FMNIST images of Fashion-MNIST's *train* split, scaled as the
    model expects; the int8 model's accuracy is then measured on the *test* split (with the same
    limit as the fp32 model's), and the fp32 file's in the same runtime next to it.
  - "synthetic": CALIBRATION_SYNTHETIC images of uniform random pixels, normalised with the
    model's mean and std. The zoo's ImageNet models have random weights, so no accuracy applies
    to their int8 files; the manifest says so instead of carrying the fp32 figure.
"""
import json
import os
import sys
import time

import numpy as np

CALIBRATION_FMNIST = 300   # NNCF's default subset size
CALIBRATION_SYNTHETIC = 32  # random data sets ranges only; more would not make it meaningful
SEED = 0
NOT_APPLICABLE = {"not_applicable": "int8 file of random weights, calibrated on synthetic images: the "
                                    "architecture's declared accuracy is for its pretrained fp32 weights and "
                                    "does not carry over"}


def log(message):
    print(f"zoo: {message}", file=sys.stderr, flush=True)


def pixel_scale(job):
    return (job.get("preprocess") or {}).get("pixel_scale", 1 / 255)


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


def calibration_items(job):
    """(list of batch-1 arrays, the label recorded in the manifest)."""
    if job["calibration"] == "fmnist":
        x, _ = fmnist_arrays("train", CALIBRATION_FMNIST, pixel_scale(job))
        return [x[i:i + 1] for i in range(len(x))], f"fmnist:train:{len(x)}"
    items = synthetic_images(job, CALIBRATION_SYNTHETIC)
    return items, f"synthetic:uniform-random:{len(items)}"


def top_k(run, x, y, batch=500):
    """(top-1 %, top-5 %) of `run` (a batch of images -> logits) over images x with labels y; a tie
    goes to the lower class index, as edgejoule ranks (a stable sort)."""
    top1 = top5 = 0
    for i in range(0, len(x), batch):
        top = np.argsort(-run(x[i:i + batch]), axis=1, kind="stable")[:, :5]
        top1 += int((top[:, 0] == y[i:i + batch]).sum())
        top5 += int((top == y[i:i + batch, None]).any(axis=1).sum())
    return 100.0 * top1 / len(x), 100.0 * top5 / len(x)


def accuracy(job, int8_run, fp32_run):
    """The int8 file's accuracy on the test split (fmnist jobs), with the fp32 file's in the same
    runtime; the runs map a batch of images to logits."""
    xt, yt = fmnist_arrays("test", job.get("test_limit"), pixel_scale(job))
    top1, top5 = top_k(int8_run, xt, yt)
    fp32_top1, _ = top_k(fp32_run, xt, yt)
    return {"dataset": "fmnist:test", "top1": top1, "top5": top5, "samples": len(xt),
            "source": f"measured:fmnist:test:{len(xt)}", "fp32_top1_same_runtime": fp32_top1}


def run_jobs(argv, fmt, tool, runtime, quantize_one):
    """JOBS.json in, RESULTS.json out (rewritten after each model, so that what is done survives an
    interruption); one model's failure is recorded and the rest go on."""
    if len(argv) != 3:
        sys.exit(f"usage: {os.path.basename(argv[0])} JOBS.json RESULTS.json")
    with open(argv[1]) as f:
        jobs = json.load(f)
    results = {}
    for index, job in enumerate(jobs, 1):
        start = time.monotonic()
        try:
            results[job["name"]] = r = quantize_one(job)
            moved = ""
            if "top1" in r["accuracy"]:
                a = r["accuracy"]
                moved = (f", test top-1 {a['top1']:.2f} % (fp32 in {runtime} {a['fp32_top1_same_runtime']:.2f} %, "
                         f"{a['top1'] - a['fp32_top1_same_runtime']:+.2f} points) on {a['samples']} images")
            log(f"[{index}/{len(jobs)}] {job['name']}: {fmt} quantised with {tool} "
                f"({r['calibration']} calibration, {time.monotonic() - start:.1f} s{moved})")
        except Exception as e:  # one model's failure must not lose the rest of the set
            reason = (str(e).strip().splitlines() or [type(e).__name__])[-1][:300]
            results[job["name"]] = {"error": f"{type(e).__name__}: {reason}"}
            log(f"[{index}/{len(jobs)}] {job['name']}: no {fmt} ({type(e).__name__}: {reason})")
        with open(argv[2] + ".tmp", "w") as f:
            json.dump(results, f, indent=2)
        os.replace(argv[2] + ".tmp", argv[2])
