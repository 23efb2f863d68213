"""edgejoule from a notebook-style script: the energy of your own inference loop, then a zoo
profiled, plotted and a model recommended under an energy budget.

    .venv/bin/python python/examples/energy_and_recommend.py --zoo build/zoo/fmnist-small

Runs headless (the plot is written to a PNG); `make test` runs it on the Fashion-MNIST models.
"""

import argparse
import pathlib
import sys
import time

import numpy as np

import edgejoule


def my_inference_loop(model_file: pathlib.Path, seconds: float) -> int:
    """Your own code: here OpenVINO's Python API on one of the zoo's ONNX files (PyTorch works the
    same way: put the loop inside the window)."""
    import openvino as ov

    compiled = ov.Core().compile_model(str(model_file), "CPU")
    shape = [d if d > 0 else 1 for d in compiled.input(0).get_partial_shape().get_min_shape()]
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    done, start = 0, time.monotonic()
    while time.monotonic() - start < seconds:
        compiled(x)
        done += 1
    return done


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--zoo", required=True, help="a zoo directory (edgejoule zoo build)")
    parser.add_argument("--db", default="python-example.db", help="the store profile() writes")
    parser.add_argument("--plot", default="accuracy-vs-energy.png", help="the PNG to write")
    parser.add_argument("--seconds", type=float, default=2.0, help="how long the measured loop runs")
    args = parser.parse_args()
    zoo = pathlib.Path(args.zoo)

    # 1. The energy of your own loop, on the meter `edgejoule profile` would use here.
    print("meters on this machine:")
    for m in edgejoule.meters():
        print(f"  {m['name']:<24} {'yes' if m['available'] else 'no ':<4} {m['why_unavailable'] or m['covers']}")
    onnx = sorted(zoo.glob("*.onnx"))
    with edgejoule.Monitor() as monitor:
        print(f"\nmeasuring with {monitor.meter['name']}: {monitor.meter['covers']}")
        if onnx:
            with monitor.window("inference") as w:
                n = my_inference_loop(onnx[0], args.seconds)
            print(f"{onnx[0].name}: {n} inferences, {w.energy_j:.3f} J in {w.duration_s:.2f} s "
                  f"({w.mean_power_w:.2f} W), {w.energy_j / n * 1e3:.3f} mJ per inference [{w.provenance}]")
            if w.too_short:
                print(f"  (too short to trust: {w.too_short_reason})")

    # 2. The zoo profiled in this process (points already in the store are kept), accuracy measured.
    result = edgejoule.profile(zoo=zoo, db=args.db, engine="torchscript,onnxruntime,openvino" if onnx else None,
                               threads=1, dataset="fmnist:test,limit=1000", min_time_s=0.5, raise_on_failure=False)
    print(f"\n{result}")

    # 3. The store as a DataFrame, accuracy against energy plotted.
    store = edgejoule.open_store(args.db)
    points = store.points(status="VALID")
    points = points[points["energy_j_per_inference"].notna() & points["top1"].notna()]
    print(points[["model", "engine", "threads", "energy_j_per_inference", "energy_provenance", "top1",
                  "accuracy_provenance"]].to_string(index=False))

    import matplotlib
    if not hasattr(sys, "ps1"):
        matplotlib.use("Agg")  # headless unless interactive
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.5))
    for engine, group in points.groupby("engine"):
        ax.scatter(group["energy_j_per_inference"] * 1e3, group["top1"], label=engine)
    frontier = store.frontier(dataset="fmnist:test").table()
    ax.plot(frontier["energy_j_per_inference"] * 1e3, frontier["top1"], "k--", lw=1, label="Pareto frontier")
    kinds = sorted(set(points["energy_provenance"]))
    ax.set_xlabel(f"energy per inference, mJ ({', '.join(kinds)})")
    ax.set_ylabel("top-1 %, measured on Fashion-MNIST test")
    ax.legend()
    fig.tight_layout()
    fig.savefig(args.plot, dpi=100)
    print(f"\nplot: {args.plot}")

    # 4. A recommendation: the median point's energy as the budget.
    budget = float(points["energy_j_per_inference"].median())
    answer = store.recommend(energy_budget_j=budget, latency_limit_ms=100, dataset="fmnist:test")
    print()
    print(answer)
    return 0 if answer["chosen"] else 3


if __name__ == "__main__":
    sys.exit(main())
