#!/usr/bin/env bash
# edgejoule's reported latency vs a bare loop around the same call (target <= 1.02) and vs
# Python's torch.utils.benchmark on the same .pt file with the same thread count (target:
# edgejoule not slower). A benchmark, not a test: it prints ratios and fails on nothing.
# The two harnesses alternate ROUNDS times per model and medians are compared, because on a
# shared 2-core VM one model's latency drifts by 10-30 % between consecutive runs.
#
#   scripts/bench-overhead.sh [BUILD_DIR] [THREADS] [ROUNDS] [MODELS...]
set -euo pipefail
build="${1:-build}"; shift || true
threads="${1:-$(nproc)}"; shift || true
rounds="${1:-3}"; shift || true
models=("$@")
((${#models[@]})) || models=(mobilenet_v3_small squeezenet1_1 resnet18 efficientnet_b0 resnet50 convnext_tiny)
here="$(cd "$(dirname "$0")/.." && pwd)"
zoo="$build/zoo/demo"
[[ -f "$zoo/zoo.json" ]] || "$build/edgejoule" zoo build --set demo --out "$zoo"
python="$("$here/scripts/find-python.sh")"

printf '%-20s %7s %13s %10s %10s %9s %9s\n' model threads edgejoule_ms bare_ms torch_ms ej/bare ej/torch
for m in "${models[@]}"; do
  shape="$("$python" -c "import json; e=[x for x in json.load(open('$zoo/zoo.json'))['models'] if x['name']=='$m'][0]; print('x'.join(map(str,e['input_shape'])))")"
  runs=()
  for ((r = 0; r < rounds; r++)); do
    runs+=("$("$build/bench/edgejoule_bench_overhead" "$zoo/$m.pt" "$shape" "$threads" 3 2)")
    runs+=("$("$python" "$here/bench/torch_benchmark.py" "$zoo/$m.pt" "$shape" "$threads" 4 2>/dev/null)")
  done
  "$python" - "$m" "$threads" "${runs[@]}" <<'PY'
import json, statistics, sys
m, t, runs = sys.argv[1], sys.argv[2], [json.loads(r) for r in sys.argv[3:]]
ej = statistics.median(r["edgejoule_mean_ms"] for r in runs if "edgejoule_mean_ms" in r)
bare = statistics.median(r["bare_loop_mean_ms"] for r in runs if "bare_loop_mean_ms" in r)
ratio = statistics.median(r["ratio_edgejoule_over_bare"] for r in runs if "edgejoule_mean_ms" in r)
pt = statistics.median(r["mean_ms"] for r in runs if "mean_ms" in r)  # mean vs mean
print(f"{m:<20} {t:>7} {ej:>13.3f} {bare:>10.3f} {pt:>10.3f} {ratio:>9.3f} {ej / pt:>9.3f}")
PY
done
