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
# resumes (device time adds up over resumed runs); remove OUT_DIR to start over. Run it with
# nothing else on the machine. About 25 minutes on this VM (2 cores): grid 10.5, frontier 2-3,
# the grid again 10.5. edgejoule_bench_frontier_replay replays the sweep's decisions against
# grid.db in seconds (for tuning them between real runs).
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
timed() {  # NAME COMMAND...: runs it, appends its wall seconds to OUT/NAME.seconds (a resumed run adds)
  local name="$1" start; shift
  start=$(date +%s.%N)
  "$@" > /dev/null 2>> "$out/$name.log" || true
  awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f\n", b - a }' >> "$out/$name.seconds"
}
# PHASES: which runs (each resumes): grid, frontier (profile --strategy frontier, its defaults),
# regrid (the grid measured again: the noise reference, how far the grid's own picks move).
phases="${PHASES:-grid frontier regrid}"
[[ " $phases " == *" grid "* ]] && timed grid "$build/edgejoule" profile --db "$out/grid.db" "${grid[@]}"
[[ " $phases " == *" frontier "* ]] && timed frontier "$build/edgejoule" profile --db "$out/frontier.db" "${grid[@]}" --strategy frontier
[[ " $phases " == *" regrid "* ]] && timed regrid "$build/edgejoule" profile --db "$out/regrid.db" "${grid[@]}"
[[ -f "$out/grid.seconds" && -f "$out/frontier.seconds" ]] || exit 0
"$build/edgejoule" profile --db "$out/frontier.db" "${grid[@]}" --strategy frontier 2> "$out/frontier-skipped.txt" > /dev/null || true
sum() { awk '{ s += $1 } END { printf "%.1f", s }' "$1"; }
rows=(frontier "$out/frontier.db" "$(sum "$out/frontier.seconds")")
regrid_again=
if [[ -f "$out/regrid.seconds" ]]; then
  rows+=("grid, measured again" "$out/regrid.db" "$(sum "$out/regrid.seconds")" --again "$out/regrid.db")
  regrid_again=1
fi
"$here/bench/frontier_summary.py" "$build/edgejoule" "$out/grid.db" "$(sum "$out/grid.seconds")" "${rows[@]}" \
    | tee "$out/summary.md"
# The stores as CSV (the .db files stay local), and the frontier sweep's stored predictions.
for name in grid frontier regrid; do
  [[ -f "$out/$name.db" ]] && "$build/edgejoule" export --db "$out/$name.db" --format csv > "$out/points-$name.csv"
done
"$build/edgejoule" list --db "$out/frontier.db" --status PREDICTED > "$out/frontier-predicted.txt"
# The sweep's decisions replayed against grid.db: the strict rule, other tolerances, round size
# and the first design's anchors, next to the defaults (seconds, no device time).
if [[ -x "$build/bench/edgejoule_bench_frontier_replay" ]]; then
  replays=()
  for variant in "0 1 spread" "0.05 1 spread" "0.1 1 spread" "0.15 1 spread" "0.1 4 spread" "0.1 1 reference"; do
    set -- $variant
    label="replay: tolerance $1, round size $2, $3 anchors"
    line=$("$build/bench/edgejoule_bench_frontier_replay" "$out/grid.db" "$zoo" "$out/replay.db" "$2" - "$3" "$1" 2>/dev/null | tail -1)
    mv "$out/replay.db" "$out/replay-$1-$2-$3.db"
    replays+=("$label" "$out/replay-$1-$2-$3.db" "$(sed 's/.*rounds, \([0-9]*\) s measuring.*/\1/' <<< "$line")")
  done
  grid_point_seconds=$("$build/bench/edgejoule_bench_frontier_replay" "$out/grid.db" "$zoo" "$out/replay.db" 2>/dev/null \
                       | sed -n 's/^grid: [0-9]* points, \([0-9]*\) s measuring/\1/p')
  rm -f "$out/replay.db"
  "$here/bench/frontier_summary.py" "$build/edgejoule" "$out/grid.db" "$grid_point_seconds" "${replays[@]}" \
      ${regrid_again:+--again "$out/regrid.db"} | tee "$out/replay.md"
fi
