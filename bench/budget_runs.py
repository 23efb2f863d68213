#!/usr/bin/env python3
"""How closely `edgejoule run` spends a budget, and what accuracy it buys, across the frontier.

For BUDGETS budgets per inference spread (log-spaced) between the cheapest and the most accurate
point of the store's frontier, runs a job of about SECONDS under each (as many inferences as the
budget buys in that time at POWER_W: a job must last many of the meter's windows for the meter to
steer it), in three conditions:

  plain   the default meter (the CPU-time estimate on a machine without sensors);
  step    an external-log meter (log:FILE) whose power steps up 20 % halfway through the run;
  load    the same log meter at constant power, with a competing busy process on one core from
          halfway (calls slow down, so each costs more at that power).

For each it prints energy used / budget (target: every run in [0.97, 1.00]), the accuracy the run
bought (the top-1 of the configurations it ran, weighted by their inferences: declared accuracy
on synthetic input), the static pick's (recommend: the most accurate single point within the
budget) and the oracle mix's (recommend --mix on the stored figures: the best any mix can expect).

  bench/budget_runs.py [--build build] [--db edgejoule.db] [--dataset imagenet-1k]
                       [--budgets 20] [--seconds 10] [--conditions plain,step,load] [--out DIR]

Needs a store with points of this host (make demo); the runs go to a copy of it. Writes
budget-runs.json and budget-runs.md to --out when given.
"""
import argparse
import json
import math
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time


def edgejoule(build, *args, check=True):
    r = subprocess.run([os.path.join(build, "edgejoule"), *args], capture_output=True, text=True)
    if check and r.returncode not in (0,):
        sys.exit(f"edgejoule {' '.join(args)} failed ({r.returncode}): {r.stderr.strip()}")
    return r


class PowerLog:
    """An external meter's log: `timestamp_s,power_w` every `period_s`, power x `step` from `step_at`."""

    def __init__(self, path, power_w, period_s=0.05, step=1.0):
        self.path, self.power_w, self.period_s, self.step = path, power_w, period_s, step
        self.step_at = math.inf
        self.stop = False
        now = time.time()
        with open(path, "w") as f:
            f.write("timestamp_s,power_w\n")
            for i in range(20, 0, -1):
                f.write(f"{now - i * period_s:.4f},{power_w:.4f}\n")
        self.thread = threading.Thread(target=self.loop, daemon=True)
        self.thread.start()

    def loop(self):
        while not self.stop:
            time.sleep(self.period_s)
            now = time.time()
            p = self.power_w * (self.step if now >= self.step_at else 1.0)
            with open(self.path, "a") as f:
                f.write(f"{now:.4f},{p:.4f}\n")

    def close(self):
        self.stop = True
        self.thread.join()


def busy_core():
    return subprocess.Popen([sys.executable, "-c", "while True: pass"])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default="build")
    ap.add_argument("--db", default="edgejoule.db")
    ap.add_argument("--dataset", default="imagenet-1k")
    ap.add_argument("--budgets", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=10.0, help="about how long each job lasts")
    ap.add_argument("--conditions", default="plain,step,load")
    # 10 W: the CPU-time estimate's figure for one busy core, so the log's energies match the stored
    # (estimated) ones of the single-thread points the frontier holds, and the drift is the step.
    ap.add_argument("--power-w", type=float, default=10.0, help="the log meter's power before any step")
    ap.add_argument("--out")
    a = ap.parse_args()
    # The runs go to a copy of the store, so the user's store keeps only its own runs.
    tmp = tempfile.mkdtemp()
    copy = os.path.join(tmp, "store.db")
    with sqlite3.connect(a.db) as source, sqlite3.connect(copy) as target:
        source.backup(target)
    a.db = copy

    rec = json.loads(edgejoule(a.build, "recommend", "--db", a.db, "--dataset", a.dataset, "--energy-budget-j", "1000",
                               "--runners-up", "1000", "--mix", "--json").stdout)
    points = [rec["chosen"], *rec["runners_up"]]
    # Batch-1 single-stream points without platform settings: what `run` plans with.
    points = [p for p in points if p["point"]["config"]["batch"] == 1
              and p["point"]["config"].get("scenario", "single-stream") == "single-stream"
              and not p["point"]["config"].get("platform")]
    cheapest = min(p["energy_j_per_inference"] for p in points)
    best = max(points, key=lambda p: (p["top1"], -p["energy_j_per_inference"]))
    dearest = best["energy_j_per_inference"]
    budgets = [cheapest * 1.05 * (dearest * 0.98 / (cheapest * 1.05)) ** (i / (a.budgets - 1)) for i in range(a.budgets)]
    print(f"frontier from {cheapest * 1000:.1f} mJ to {dearest * 1000:.1f} mJ per inference ({len(points)} points, "
          f"energy {rec['energy_kind']}); {a.budgets} budgets, jobs of about {a.seconds:g} s", file=sys.stderr)

    rows = []
    for condition in a.conditions.split(","):
        for i, per in enumerate(budgets):
            inferences = max(50, round(a.seconds * a.power_w / per))
            args = ["run", "--db", a.db, "--dataset", a.dataset, "--input", "synthetic", "--inferences",
                    str(inferences), "--energy-per-inference-j", f"{per:.9g}", "--json", "--quiet"]
            log = load = None
            if condition in ("step", "load"):
                path = os.path.join(tmp, f"power-{condition}-{i}.csv")
                log = PowerLog(path, a.power_w, step=1.2 if condition == "step" else 1.0)
                args += ["--meter", f"log:{path}"]
                # Halfway through, by the time a plain run of this budget took.
                expected_s = rows_plain_duration.get(i, 5.0) if condition else 5.0
                log.step_at = time.time() + 0.5 + expected_s / 2
            started = time.time()
            proc = subprocess.Popen([os.path.join(a.build, "edgejoule"), *args], stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, text=True)
            if condition == "load":
                time.sleep(0.5 + rows_plain_duration.get(i, 5.0) / 2)
                load = busy_core()
            out, err = proc.communicate()
            if load:
                load.kill()
                load.wait()
            if log:
                log.close()
            if proc.returncode not in (0, 1):
                sys.exit(f"run failed ({proc.returncode}): {err.strip()}")
            doc = json.loads(out)
            if condition == "plain":
                rows_plain_duration[i] = doc["duration_s"]
            done = doc["inferences"]["done"]
            bought = sum(o["inferences"] * o["top1"] for o in doc["options"]) / max(1, done)
            static = json.loads(edgejoule(a.build, "recommend", "--db", a.db, "--dataset", a.dataset,
                                          "--energy-budget-j", f"{per:.9g}", "--mix", "--json",
                                          check=False).stdout)
            row = {
                "condition": condition,
                "budget_j_per_inference": per,
                "status": doc["status"],
                "inferences": done,
                "budget_use": doc["energy"]["budget_use"],
                "energy_provenance": doc["energy"]["provenance"],
                "top1_bought": bought,
                "static_top1": static["chosen"]["top1"] if static.get("chosen") else None,
                "static_budget_use": static.get("budget_use"),
                "oracle_mix_top1": static["mix"]["expected_top1"] if static.get("mix") else None,
                "switches": doc["switches"],
                "replans": doc["plan"]["replans"],
                "wall_s": time.time() - started,
            }
            rows.append(row)
            print(f"{condition:5s} {per * 1000:8.1f} mJ  use {row['budget_use']:.3f}  top-1 {bought:.2f} "
                  f"(static {row['static_top1']}, oracle {row['oracle_mix_top1']:.2f})  {doc['status']}",
                  file=sys.stderr)

    lines = ["| condition | runs | budget use: median | min | max | runs in [0.97, 1.00] | over budget | "
             "top-1 bought − static pick (median, points) | oracle mix − bought (median) | static pick's budget use (median) |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for condition in a.conditions.split(","):
        rs = [r for r in rows if r["condition"] == condition]
        uses = [r["budget_use"] for r in rs]
        gain = [r["top1_bought"] - r["static_top1"] for r in rs if r["static_top1"] is not None]
        gap = [r["oracle_mix_top1"] - r["top1_bought"] for r in rs if r["oracle_mix_top1"] is not None]
        static_use = [r["static_budget_use"] for r in rs if r["static_budget_use"] is not None]
        lines.append(
            f"| {condition} | {len(rs)} | {statistics.median(uses):.3f} | {min(uses):.3f} | {max(uses):.3f} | "
            f"{sum(0.97 <= u <= 1.0 for u in uses)} | {sum(u > 1.0 for u in uses)} | "
            f"{statistics.median(gain):+.2f} | {statistics.median(gap):.2f} | "
            f"{statistics.median(static_use) if static_use else float('nan'):.3f} |")
    table = "\n".join(lines)
    print(table)
    if a.out:
        os.makedirs(a.out, exist_ok=True)
        with open(os.path.join(a.out, "budget-runs.json"), "w") as f:
            json.dump({"budgets": a.budgets, "seconds": a.seconds, "power_w": a.power_w, "rows": rows}, f, indent=2)
        with open(os.path.join(a.out, "budget-runs.md"), "w") as f:
            f.write(table + "\n")


rows_plain_duration = {}

if __name__ == "__main__":
    main()
