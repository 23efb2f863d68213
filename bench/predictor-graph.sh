#!/usr/bin/env bash
# The cost models' error on architectures they have not seen, against the measurement noise floor.
#
#   bench/predictor-graph.sh [BUILD_DIR] [ZOO_DIR] [STORE] [OUT_DIR] [ROUNDS]
#
# STORE: a whole-zoo store (every ImageNet architecture x every engine built in, batch 1, this
# machine's threads); default OUT_DIR/store.db, measured here first when missing (2 passes, the
# second retrying INVALID points once: the protocol of bench/engines-whole-zoo.sh).
# ZOO_DIR: its zoo, with the operators recorded ('edgejoule zoo build --set imagenet --out ZOO_DIR
# --formats torchscript,onnx'; an older zoo gets them on that same command, from its cached files).
#
# 1. The noise floor: every third architecture of the store (sorted by name) measured again,
#    ROUNDS times (default 1), with the store's protocol, into OUT_DIR/remeasured-N.db.
# 2. edgejoule predict with --zoo (the graph model) and --remeasured (the noise floor): the table
#    into OUT_DIR/predict.txt, the JSON into OUT_DIR/predict.json.
# Resumable (stored points are skipped); remove OUT_DIR to start over. Run it with nothing else on
# the machine: points measured beside other work measure that work (the store ~30 min, a round
# of re-measurements ~10 min, on 2 cores).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$here/build}"
zoo="${2:-$build/zoo/imagenet}"
out="${4:-$here/docs/results/predictor-graph}"
store="${3:-$out/store.db}"
rounds="${5:-1}"
threads="$(nproc)"
[[ -x "$build/edgejoule" ]] || { echo "no $build/edgejoule: run 'make build'" >&2; exit 2; }
[[ -f "$zoo/zoo.json" ]] || { echo "no $zoo/zoo.json: build the zoo (see the header of $0)" >&2; exit 2; }
mkdir -p "$out"
engines="$("$build/edgejoule" engines --names)"
protocol=(--batch 1 --threads "$threads" --warmup-s 0.3 --min-time-s 0.5 --quiet)
if [[ "$store" == "$out/store.db" ]]; then
  start=$(date +%s)
  for pass in 1 2; do
    "$build/edgejoule" profile --zoo "$zoo" --db "$store" --engine "$engines" "${protocol[@]}" --retry-invalid \
        > /dev/null || true
  done
  echo "store: $store measured in $(( $(date +%s) - start )) s"
fi
models="$("$build/edgejoule" list --db "$store" --json | /usr/bin/python3 -c '
import json, sys
names = sorted({p["model"]["name"] for p in json.load(sys.stdin) if p["status"] == "VALID"})
print(",".join(names[::3]))')"
echo "re-measuring $(tr ',' '\n' <<< "$models" | wc -l) architectures x {$engines}, $rounds time(s): $models"
start=$(date +%s)
remeasured=()
for round in $(seq 1 "$rounds"); do
  for pass in 1 2; do  # the second measures again what came out INVALID, once, as the store's run did
    "$build/edgejoule" profile --zoo "$zoo" --models "$models" --db "$out/remeasured-$round.db" --engine "$engines" \
        "${protocol[@]}" --retry-invalid > /dev/null || true
  done
  remeasured+=(--remeasured "$out/remeasured-$round.db")
done
echo "re-measured in $(( $(date +%s) - start )) s"
"$build/edgejoule" predict --db "$store" --zoo "$zoo" "${remeasured[@]}" | tee "$out/predict.txt"
"$build/edgejoule" predict --db "$store" --zoo "$zoo" "${remeasured[@]}" --json > "$out/predict.json"
