#!/usr/bin/env python3
"""Times a TorchScript file with torch.utils.benchmark, the way a PyTorch user would.

    torch_benchmark.py MODEL.pt SHAPE THREADS [MIN_RUN_TIME_S]

Prints one JSON object: median and mean per call in ms. Same input construction (uniform
random), same thread count and inference mode as edgejoule's torchscript engine.
"""
import json
import sys

import torch
import torch.utils.benchmark as benchmark


def main():
    path, shape, threads = sys.argv[1], sys.argv[2], int(sys.argv[3])
    min_run_time = float(sys.argv[4]) if len(sys.argv) > 4 else 5.0
    torch.set_num_threads(threads)
    dims = [int(d) for d in shape.split("x")]
    model = torch.jit.load(path).eval()
    x = torch.rand(dims)
    with torch.inference_mode():
        for _ in range(5):
            model(x)
        timer = benchmark.Timer(stmt="model(x)", globals={"model": model, "x": x},
                                num_threads=threads)
        m = timer.blocked_autorange(min_run_time=min_run_time)
    print(json.dumps({"model": path, "shape": shape, "threads": threads,
                      "torch_version": torch.__version__,
                      "median_ms": m.median * 1e3, "mean_ms": m.mean * 1e3}))


if __name__ == "__main__":
    main()
