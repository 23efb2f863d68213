#!/usr/bin/env bash
# Energy windows' overhead, side by side in one run: the C++ cost per window and each sampling
# thread's CPU share (build/bench/edgejoule_bench_monitor), then the same windows from Python
# (bench/monitor_overhead.py, through the package in .venv). Writes OUT (default: stdout).
#   bench/monitor-overhead.sh [BUILD_DIR] [OUT]
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$here/build}"
out="${2:-/dev/stdout}"
{
  echo "# bench/monitor-overhead.sh on $(hostname), $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs"
  echo "## C++ (edgejoule_bench_monitor)"
  "$build/bench/edgejoule_bench_monitor" --benchmark_repetitions=3 --benchmark_report_aggregates_only=true 2>/dev/null
  echo
  echo "## Python (bench/monitor_overhead.py)"
  "$here/.venv/bin/python" "$here/bench/monitor_overhead.py" 5
} > "$out"
