#!/usr/bin/env bash
# How far the energy at an arrival rate derived from a back-to-back point (recommend --rate:
# above-idle energy + idle power / rate) lands from the server scenario measured at that rate, per
# model, engine and rate: measures both into a throw-away store and prints derived / measured.
#
#   bench/rate-derived-vs-server.sh [BUILD_DIR] [ZOO_DIR] [MODELS] [ENGINES] [RATES] [METER]
#
# RATES are queries per second (comma-separated); each must stay below every model's throughput.
# METER defaults to auto (the estimate on a machine without sensors: then both figures are
# CPU-time estimates, and the comparison says how the idle gaps and the per-query wake-ups
# change the CPU time, not the watts).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$here/build}"
zoo="${2:-$build/zoo/demo}"
models="${3:-mobilenet_v3_small,resnet18}"
engines="${4:-torchscript,openvino}"
rates="${5:-2,10,30}"
meter="${6:-auto}"
[[ -x "$build/edgejoule" ]] || { echo "no $build/edgejoule: run 'make build'" >&2; exit 2; }
db="$(mktemp -d)/rate.db"
common=(--zoo "$zoo" --models "$models" --engine "$engines" --threads "$(nproc)" --meter "$meter" --db "$db" --quiet
        --min-time-s 3 --retry-invalid)
"$build/edgejoule" profile "${common[@]}" > /dev/null
"$build/edgejoule" profile "${common[@]}" --scenario server --rate "$rates" > /dev/null
"$build/edgejoule" list --db "$db" --json | /usr/bin/python3 "$here/bench/rate_derived_vs_server.py"
