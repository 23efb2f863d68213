#!/usr/bin/env bash
# profile --strategy frontier against the full grid on the same zoo and grid, this machine:
# points measured, device time (the profile commands' wall time), frontier recall (the share of
# the grid's frontier points the frontier sweep measured), and recommend's pick over 20
# log-spaced budgets from each store (accuracy regret; violations: the frontier store's pick
# costing more than the budget as the grid measured the same point).
#
#   bench/frontier-vs-grid.sh [BUILD_DIR] [ZOO_DIR] [OUT_DIR] [MODELS]
#
# ZOO_DIR: the ImageNet zoo with operators ('edgejoule zoo build --set imagenet --out ZOO_DIR
# --formats torchscript,onnx'). MODELS: comma-separated (default: the 30 smallest by FLOPs, so the
# grid fits in about an hour on 2 cores). The grid: engines torchscript,openvino x batch 1,4 x
# threads 1,N (N = this machine's CPUs): 8 configurations, 240 points for 30 models. Each store
# resumes; remove OUT_DIR to start over. Run it with nothing else on the machine. (Written in
# session 7 and tried on 3 models on a busy machine only, where nearly every point came out
# INVALID: the mechanics work; the real run is still to do.)
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$here/build}"
zoo="${2:-$build/zoo/imagenet}"
out="${3:-$here/docs/results/frontier-vs-grid}"
threads="$(nproc)"
[[ -x "$build/edgejoule" ]] || { echo "no $build/edgejoule: run 'make build'" >&2; exit 2; }
[[ -f "$zoo/zoo.json" ]] || { echo "no $zoo/zoo.json: build the zoo (see the header of $0)" >&2; exit 2; }
models="${4:-$(/usr/bin/python3 -c '
import json, sys
m = json.load(open(sys.argv[1]))["models"]
print(",".join(e["name"] for e in sorted(m, key=lambda e: e.get("flops", 0))[:30]))' "$zoo/zoo.json")}"
mkdir -p "$out"
grid=(--zoo "$zoo" --models "$models" --engine torchscript,openvino --batch 1,4 --threads "1,$threads"
      --warmup-s 0.3 --min-time-s 0.5 --quiet)
timed() {  # NAME COMMAND...: runs it, appends "NAME seconds" to OUT/times.txt
  local name="$1" start; shift
  start=$(date +%s.%N)
  "$@" > /dev/null 2>> "$out/$name.log" || true
  echo "$name $(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')" >> "$out/times.txt"
}
: > "$out/times.txt"
: > "$out/grid.log"; : > "$out/frontier.log"
timed grid "$build/edgejoule" profile --db "$out/grid.db" "${grid[@]}"
timed frontier "$build/edgejoule" profile --db "$out/frontier.db" "${grid[@]}" --strategy frontier
"$build/edgejoule" profile --db "$out/frontier.db" "${grid[@]}" --strategy frontier 2> "$out/frontier-skipped.txt" > /dev/null || true
/usr/bin/python3 - "$build/edgejoule" "$out" <<'PY' | tee "$out/summary.md"
import json, math, subprocess, sys
binary, out = sys.argv[1], sys.argv[2]
def run(*args):
    return json.loads(subprocess.run([binary, *args], capture_output=True, text=True).stdout or "null")
def key(p):
    c = p["config"]
    return (p["model"]["name"], c["engine"], c["batch"], c["threads"])
grid_all = run("list", "--db", f"{out}/grid.db", "--json")
front_all = run("list", "--db", f"{out}/frontier.db", "--json")
grid = {key(p): p for p in grid_all if p["status"] == "VALID"}
front = {key(p): p for p in front_all if p["status"] == "VALID"}
times = dict(line.split() for line in open(f"{out}/times.txt"))
gf = [key(f["candidate"]["point"]) for f in run("frontier", "--db", f"{out}/grid.db", "--json")["frontier"]]
recall = sum(1 for k in gf if k in front) / len(gf)
energies = sorted(p["energy"]["j_per_inference"] for p in grid.values())
lo, hi = energies[0], energies[-1]
budgets = [lo * (hi / lo) ** (i / 19) for i in range(20)]
regret, violations, same = [], 0, 0
for b in budgets:
    g = run("recommend", "--db", f"{out}/grid.db", "--energy-budget-j", repr(b), "--json")
    f = run("recommend", "--db", f"{out}/frontier.db", "--energy-budget-j", repr(b), "--json")
    gt = g["chosen"]["point"]["accuracy"]["top1"] if g and g.get("chosen") else None
    ft = f["chosen"]["point"]["accuracy"]["top1"] if f and f.get("chosen") else None
    regret.append((gt or 0) - (ft or 0))
    if f and f.get("chosen"):
        k = key(f["chosen"]["point"])
        same += g and g.get("chosen") and key(g["chosen"]["point"]) == k
        if k in grid and grid[k]["energy"]["j_per_inference"] > b:
            violations += 1
print("| strategy | points measured | device time (s) | frontier recall | picks equal to the grid's (20 budgets) | max accuracy regret (points) | budget violations |")
print("|---|---|---|---|---|---|---|")
print(f"| grid | {len(grid_all)} ({len(grid)} VALID) | {float(times['grid']):.0f} | 100 % | 20 | 0 | 0 |")
print(f"| frontier | {len(front_all)} ({len(front)} VALID) | {float(times['frontier']):.0f} ({100 * float(times['frontier']) / float(times['grid']):.0f} % of the grid's) "
      f"| {100 * recall:.0f} % ({sum(1 for k in gf if k in front)} of {len(gf)}) | {same} | {max(regret):.2f} | {violations} |")
PY
