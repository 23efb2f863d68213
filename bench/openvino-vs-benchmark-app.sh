#!/usr/bin/env bash
# edgejoule's openvino engine side by side with OpenVINO's own benchmark_app (from the same
# pinned wheel in .venv): the same ONNX model, device, threads, streams and batch (edgejoule with
# the latency hint and 1 stream; benchmark_app allows -nthreads/-nstreams only with -hint none, and
# both end with the same effective settings), run
# alternately ROUNDS times so both see the same machine, and the ratio of edgejoule's reported
# p50 latency to benchmark_app's median, per round and per model (target: <= 1.03).
#
#   bench/openvino-vs-benchmark-app.sh [BUILD_DIR] [ZOO_DIR] [MODELS] [THREADS] [BATCH] [ROUNDS]
#
# ZOO_DIR needs ONNX files (zoo build --formats torchscript,onnx); MODELS is comma-separated.
# EDGEJOULE_BENCH_PRECISION=int8 compares the zoo's NNCF int8 IR (--formats ...,openvino_int8)
# instead: edgejoule --precision int8, benchmark_app on the .ov-int8.xml file.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$here/build}"
zoo="${2:-$build/zoo/demo}"
models="${3:-resnet18,mobilenet_v3_small,efficientnet_b0}"
threads="${4:-$(nproc)}"
batch="${5:-1}"
rounds="${6:-3}"
seconds="${EDGEJOULE_BENCH_SECONDS:-5}"
precision="${EDGEJOULE_BENCH_PRECISION:-fp32}"
case "$precision" in fp32) suffix=.onnx ;; int8) suffix=.ov-int8.xml ;; *) echo "EDGEJOULE_BENCH_PRECISION: fp32 or int8, not '$precision'" >&2; exit 2 ;; esac
app="$here/.venv/bin/benchmark_app"
[[ -x "$app" ]] || { echo "no $app: run 'make deps' (it installs the pinned openvino wheel into .venv)" >&2; exit 2; }
[[ -x "$build/edgejoule" ]] || { echo "no $build/edgejoule: run 'make build'" >&2; exit 2; }
db="$(mktemp -d)/bench.db"
py=/usr/bin/python3

echo "batch $batch, $threads threads, 1 stream (edgejoule: hint latency; benchmark_app: hint none, sync API), $precision on CPU; $rounds alternating rounds of ~${seconds} s each"
printf "%-22s %6s %14s %16s %8s\n" model round "edgejoule p50" "benchmark_app" ratio
for model in ${models//,/ }; do
  onnx="$zoo/$model.onnx"
  file="$zoo/$model$suffix"
  [[ -f "$file" ]] || { echo "no $file: build the zoo with --formats torchscript,onnx,openvino_int8" >&2; exit 2; }
  shape="$("$py" -c "import json,sys; m=[m for m in json.load(open('$zoo/zoo.json'))['models'] if m['name']=='$model'][0]; print(','.join(str(d) for d in [$batch]+m['input_shape'][1:]))")"
  ratios=()
  for round in $(seq 1 "$rounds"); do
    # The ONNX file with the zoo.json beside it: edgejoule takes the int8 IR it names for int8.
    ours="$("$build/edgejoule" profile "$onnx" --engine openvino --precision "$precision" --threads "$threads" --batch "$batch" \
              --ov-hint latency --ov-streams 1 --meter none --force --quiet --json --db "$db" \
              --warmup-s 1 --min-time-s "$seconds" --repetitions 1 --max-cv 1 2> >(grep -v ' measured, ' >&2) |
            "$py" -c "import json,sys; print(json.load(sys.stdin)[0]['latency_ms']['p50'])")"
    theirs="$("$app" -m "$file" -d CPU -hint none -nthreads "$threads" -nstreams 1 -api sync \
                -shape "[$shape]" -infer_precision f32 -t "$seconds" 2>&1 |
              awk '/Latency:/ {l=1} l && /Median:/ {print $(NF-1); exit}')"
    ratio="$("$py" -c "print(f'{$ours / $theirs:.3f}')")"
    ratios+=("$ratio")
    printf "%-22s %6s %11.3f ms %13.3f ms %8s\n" "$model" "$round" "$ours" "$theirs" "$ratio"
  done
  printf "%-22s %6s %14s %16s %8s\n" "$model" median "" "" \
    "$("$py" -c "import statistics; print(f'{statistics.median([$(IFS=,; echo "${ratios[*]}")]):.3f}')")"
done
