"""The cost of an energy window from Python (edgejoule.Monitor: begin + end, and the
`with monitor.window()` form), per meter, on the device fixtures: what the binding adds to the
C++ cost that build/bench/edgejoule_bench_monitor reports in the same run (bench/monitor-overhead.sh).

    .venv/bin/python bench/monitor_overhead.py [SECONDS_PER_METER]
"""

import os
import pathlib
import statistics
import sys
import time
import warnings

import edgejoule

ROOT = pathlib.Path(__file__).resolve().parents[1]
DEVICES = ROOT / "tests" / "fixtures" / "devices"


def per_window_us(monitor, seconds, form):
    """Median over 5 runs of the mean microseconds per window."""
    runs = []
    for _ in range(5):
        n, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds / 5:
            if form == "begin/end":
                monitor.begin("w")
                monitor.end("w")
            else:
                with monitor.window("w"):
                    pass
            n += 1
        runs.append((time.perf_counter() - start) / n * 1e6)
        monitor.windows.clear()
    return statistics.median(runs), min(runs), max(runs)


def main():
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 5.0
    warnings.simplefilter("ignore", edgejoule.TooShortWarning)  # empty windows, on purpose
    os.environ["EDGEJOULE_VCGENCMD"] = str(DEVICES / "raspberry-pi-5" / "vcgencmd")
    meters = [("estimate", dict(meter="estimate")),
              ("hwmon_jetson", dict(sysfs_root=str(DEVICES / "jetson-orin-nano"))),
              ("rpi_pmic", dict(meter="rpi-pmic"))]
    print(f"edgejoule {edgejoule.__version__}, Python {sys.version.split()[0]}; {seconds:g} s per meter and form, "
          "median of 5 runs (min-max)")
    print(f"{'meter':<14} {'form':<10} {'us/window':>10} {'range':>18}")
    for name, options in meters:
        with edgejoule.Monitor(**options) as monitor:
            for form in ("begin/end", "with"):
                med, lo, hi = per_window_us(monitor, seconds, form)
                print(f"{name:<14} {form:<10} {med:>10.1f} {f'{lo:.1f}-{hi:.1f}':>18}")


if __name__ == "__main__":
    main()
