#!/usr/bin/env bash
# edgejoule's onnxruntime engine side by side with ONNX Runtime's own Python API from the same
# pinned wheel in .venv (InferenceSession.run, the way Python users time a model): the same ONNX
# file, CPU execution provider, intra-op threads, one inter-op thread, sequential execution, graph
# optimisation level all, batch and input shape; run alternately ROUNDS times so both see the same
# machine, and the ratio of edgejoule's reported p50 latency to Python's p50, per round and the
# median per model (target: <= 1.00, since edgejoule pays no interpreter).
#
#   bench/onnxruntime-vs-python.sh [BUILD_DIR] [ZOO_DIR] [MODELS] [THREADS] [BATCH] [ROUNDS]
#
# ZOO_DIR needs ONNX files (zoo build --formats torchscript,onnx); MODELS is comma-separated.
# EDGEJOULE_BENCH_PRECISION=int8 compares the zoo's QDQ int8 files (--formats ...,onnx_int8).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$here/build}"
zoo="${2:-$build/zoo/demo}"
models="${3:-resnet18,mobilenet_v3_small,efficientnet_b0}"
threads="${4:-$(nproc)}"
batch="${5:-1}"
rounds="${6:-5}"
seconds="${EDGEJOULE_BENCH_SECONDS:-5}"
precision="${EDGEJOULE_BENCH_PRECISION:-fp32}"
case "$precision" in fp32) suffix=.onnx ;; int8) suffix=.qdq-int8.onnx ;; *) echo "EDGEJOULE_BENCH_PRECISION: fp32 or int8, not '$precision'" >&2; exit 2 ;; esac
venv_py="$here/.venv/bin/python"
"$venv_py" -c "import onnxruntime" 2>/dev/null || { echo "no onnxruntime in $here/.venv: run 'make deps'" >&2; exit 2; }
[[ -x "$build/edgejoule" ]] || { echo "no $build/edgejoule: run 'make build'" >&2; exit 2; }
db="$(mktemp -d)/bench.db"
py=/usr/bin/python3

echo "batch $batch, $threads intra-op threads, 1 inter-op thread, sequential, graph optimisation all, $precision, CPUExecutionProvider; $rounds alternating rounds of ~${seconds} s each"
echo "onnxruntime $("$venv_py" -c 'import onnxruntime; print(onnxruntime.__version__)') (Python API) vs $("$build/edgejoule" engines --json | "$py" -c "import json,sys; print([e['version'] for e in json.load(sys.stdin) if e['name']=='onnxruntime'][0])") (edgejoule)"
printf "%-22s %6s %14s %14s %8s\n" model round "edgejoule p50" "Python p50" ratio
for model in ${models//,/ }; do
  onnx="$zoo/$model.onnx"
  file="$zoo/$model$suffix"
  [[ -f "$file" ]] || { echo "no $file: build the zoo with --formats torchscript,onnx,onnx_int8" >&2; exit 2; }
  shape="$("$py" -c "import json,sys; m=[m for m in json.load(open('$zoo/zoo.json'))['models'] if m['name']=='$model'][0]; print(','.join(str(d) for d in [$batch]+m['input_shape'][1:]))")"
  ratios=()
  for round in $(seq 1 "$rounds"); do
    # The ONNX file with the zoo.json beside it: edgejoule takes the int8 file it names for int8.
    ours="$("$build/edgejoule" profile "$onnx" --engine onnxruntime --precision "$precision" --threads "$threads" \
              --batch "$batch" --meter none --force --quiet --json --db "$db" \
              --warmup-s 1 --min-time-s "$seconds" --repetitions 1 --max-cv 1 2> >(grep -v ' measured, ' >&2) |
            "$py" -c "import json,sys; print(json.load(sys.stdin)[0]['latency_ms']['p50'])")"
    theirs="$("$venv_py" - "$file" "$shape" "$threads" "$seconds" <<'PY'
import statistics, sys, time
import numpy as np
import onnxruntime as ort
path, shape, threads, seconds = sys.argv[1], [int(d) for d in sys.argv[2].split(",")], int(sys.argv[3]), float(sys.argv[4])
options = ort.SessionOptions()
options.intra_op_num_threads = threads
options.inter_op_num_threads = 1
options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
name = session.get_inputs()[0].name
x = np.random.default_rng(0).random(shape, dtype=np.float32)
feed = {name: x}
end = time.perf_counter() + 1.0  # warm-up, as edgejoule's --warmup-s 1
while time.perf_counter() < end:
    session.run(None, feed)
times = []
end = time.perf_counter() + seconds
while time.perf_counter() < end or len(times) < 10:
    start = time.perf_counter()
    session.run(None, feed)
    times.append((time.perf_counter() - start) * 1e3)
print(statistics.median(times))
PY
)"
    ratio="$("$py" -c "print(f'{$ours / $theirs:.3f}')")"
    ratios+=("$ratio")
    printf "%-22s %6s %11.3f ms %11.3f ms %8s\n" "$model" "$round" "$ours" "$theirs" "$ratio"
  done
  printf "%-22s %6s %14s %14s %8s\n" "$model" median "" "" \
    "$("$py" -c "import statistics; print(f'{statistics.median([$(IFS=,; echo "${ratios[*]}")]):.3f}')")"
done
