"""Derived energy at a rate against the server scenario measured at that rate.

Reads `edgejoule list --json` on stdin (bench/rate-derived-vs-server.sh runs it): for every VALID
server point with a single-stream point of the same model, engine and threads, prints the measured
energy per inference, the derived one (energy above idle + idle power / rate, what recommend
--rate uses without a server point) and their ratio.
"""
import json
import statistics
import sys


def key(row):
    return (row["model"]["name"], row["config"]["engine"], row["config"]["threads"])


def main():
    rows = [r for r in json.load(sys.stdin) if r["status"] == "VALID" and r["energy"]["j_per_inference"]]
    back = {key(r): r for r in rows if r["config"]["scenario"] == "single-stream"}
    server = sorted((r for r in rows if r["config"]["scenario"] == "server"), key=lambda r: (key(r), r["config"]["rate"]))
    if rows:
        print("energy:", rows[0]["energy"]["provenance"])
    print(f"{'model':20} {'engine':12} {'rate/s':>7} {'busy %':>7} {'measured mJ':>12} {'derived mJ':>11} {'derived/measured':>17}")
    ratios = []
    for r in server:
        b = back.get(key(r))
        if not b or b["energy"]["above_idle_j_per_inference"] is None or b["energy"]["idle_power_w"] is None:
            continue
        rate = r["config"]["rate"]
        derived = b["energy"]["above_idle_j_per_inference"] + b["energy"]["idle_power_w"] / rate
        measured = r["energy"]["j_per_inference"]
        ratios.append(derived / measured)
        print(f"{r['model']['name']:20} {r['config']['engine']:12} {rate:7g} {r['scenario']['busy_fraction'] * 100:7.1f} "
              f"{measured * 1e3:12.3f} {derived * 1e3:11.3f} {derived / measured:17.2f}")
    if ratios:
        print(f"derived/measured over {len(ratios)} server point(s): median {statistics.median(ratios):.2f}, "
              f"range {min(ratios):.2f}-{max(ratios):.2f}")


if __name__ == "__main__":
    main()
