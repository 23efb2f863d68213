#!/usr/bin/env bash
# edgejoule's offline scenario (requests in flight) side by side with OpenVINO's own benchmark_app
# in throughput mode (from the same pinned wheel in .venv): the same ONNX model, device, precision,
# threads and batch; both with the throughput hint, asynchronous requests, and as many requests as
# the compiled model calls optimal (edgejoule --concurrency auto, benchmark_app's default).
# benchmark_app takes -nthreads only with -hint none, so with the hint it uses every CPU: THREADS
# must be the CPU count (edgejoule then asks OpenVINO for the same). Run
# alternately ROUNDS times so both see the same machine; prints edgejoule's samples/s over
# benchmark_app's FPS per round and the median per model (target: >= 0.97).
#
#   bench/offline-vs-benchmark-app.sh [BUILD_DIR] [ZOO_DIR] [MODELS] [THREADS] [BATCH] [ROUNDS]
#
# ZOO_DIR needs ONNX files (zoo build --formats torchscript,onnx); MODELS is comma-separated.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$here/build}"
zoo="${2:-$build/zoo/demo}"
models="${3:-resnet18,mobilenet_v3_small,efficientnet_b0}"
threads="${4:-$(nproc)}"
batch="${5:-1}"
rounds="${6:-3}"
seconds="${EDGEJOULE_BENCH_SECONDS:-5}"
[[ "$threads" == "$(nproc)" ]] || { echo "THREADS must be $(nproc) (benchmark_app's throughput hint uses every CPU)" >&2; exit 2; }
app="$here/.venv/bin/benchmark_app"
[[ -x "$app" ]] || { echo "no $app: run 'make deps' (it installs the pinned openvino wheel into .venv)" >&2; exit 2; }
[[ -x "$build/edgejoule" ]] || { echo "no $build/edgejoule: run 'make build'" >&2; exit 2; }
db="$(mktemp -d)/bench.db"
py=/usr/bin/python3

echo "batch $batch, $threads threads, fp32 on CPU, hint throughput, optimal requests in flight; $rounds alternating rounds of ~${seconds} s each"
printf "%-22s %6s %9s %16s %18s %8s\n" model round requests "edgejoule /s" "benchmark_app /s" ratio
for model in ${models//,/ }; do
  onnx="$zoo/$model.onnx"
  [[ -f "$onnx" ]] || { echo "no $onnx: build the zoo with --formats torchscript,onnx" >&2; exit 2; }
  shape="$("$py" -c "import json,sys; m=[m for m in json.load(open('$zoo/zoo.json'))['models'] if m['name']=='$model'][0]; print(','.join(str(d) for d in [$batch]+m['input_shape'][1:]))")"
  ratios=()
  for round in $(seq 1 "$rounds"); do
    read -r ours requests < <("$build/edgejoule" profile "$onnx" --engine openvino --threads "$threads" --batch "$batch" \
              --scenario offline --concurrency auto --ov-hint throughput --meter none --force --quiet --json --db "$db" \
              --warmup-s 1 --min-time-s "$seconds" --repetitions 1 --max-cv 1 2> >(grep -v ' measured, ' >&2) |
            "$py" -c "import json,sys; p=json.load(sys.stdin)[0]; print(p['throughput_samples_per_s'], p['scenario']['requests_in_flight'])")
    theirs="$("$app" -m "$onnx" -d CPU -hint throughput -api async \
                -shape "[$shape]" -infer_precision f32 -t "$seconds" 2>&1 |
              awk '/Throughput:/ {print $(NF-1); exit}')"
    ratio="$("$py" -c "print(f'{$ours / $theirs:.3f}')")"
    ratios+=("$ratio")
    printf "%-22s %6s %9s %16.1f %18.1f %8s\n" "$model" "$round" "$requests" "$ours" "$theirs" "$ratio"
  done
  printf "%-22s %6s %9s %16s %18s %8s\n" "$model" median "" "" "" \
    "$("$py" -c "import statistics; print(f'{statistics.median([$(IFS=,; echo "${ratios[*]}")]):.3f}')")"
done
