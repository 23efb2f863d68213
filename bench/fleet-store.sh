#!/usr/bin/env bash
# The fleet store at scale, SQLite and PostgreSQL side by side on this machine: POINTS points
# written by 1 and by WRITERS concurrent writers (each its own connection and host, one
# transaction per point, three windows each), then `recommend` and `frontier` over each full
# store, timed. PostgreSQL is a local server with its durable defaults (fsync and
# synchronous_commit on; scripts/pg-test-server.sh start fleetbench --durable), over its Unix
# socket; SQLite is a WAL file on the same disk.
#
#   bench/fleet-store.sh [BUILD_DIR] [OUT_DIR] [POINTS] [WRITERS]
#
# OUT_DIR/summary.md gets the table; OUT_DIR/raw.jsonl the benchmark's own lines.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$here/build}"
out="${2:-$here/docs/results/fleet-store}"
points="${3:-100000}"
writers="${4:-4}"
bench="$build/bench/edgejoule_bench_fleet_store"
[[ -x "$bench" ]] || { echo "no $bench: run 'make build'" >&2; exit 2; }
mkdir -p "$out"
work="$(mktemp -d)"
trap 'rm -rf "$work"; "$here/scripts/pg-test-server.sh" stop fleetbench' EXIT
"$here/scripts/pg-test-server.sh" start fleetbench --durable > /dev/null
: > "$out/raw.jsonl"

seconds() {  # wall seconds of a command, its output discarded
  local t0 t1
  t0=$(date +%s.%N)
  "$@" > /dev/null || [[ $? -eq 3 ]]  # recommend: 3 = nothing fits (still timed)
  t1=$(date +%s.%N)
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f\n", b - a }'
}

declare -A store
for n in 1 "$writers"; do
  store[sqlite-$n]="$work/fleet-$n.db"
  store[postgresql-$n]="$("$here/scripts/pg-test-server.sh" createdb fleetbench "fleet_$n")"
done
{
  echo "# The fleet store at scale ($points points, $(nproc) cores, $(date -u +%Y-%m-%d))"
  echo
  echo "Written by \`bench/fleet-store.sh $build $out $points $writers\`. One transaction per point (three"
  echo "windows, energy, accuracy), each writer its own connection and host. PostgreSQL 15, local, durable"
  echo "defaults, Unix socket; SQLite WAL, synchronous=NORMAL, same disk."
  echo
  echo "| store | writers | seconds | points/s | commit p50 ms | p90 ms | p99 ms | max ms | recommend s | frontier s |"
  echo "|---|---|---|---|---|---|---|---|---|---|"
} > "$out/summary.md"
for n in 1 "$writers"; do
  for backend in sqlite postgresql; do
    db="${store[$backend-$n]}"
    line="$("$bench" --db "$db" --points "$points" --writers "$n")"
    echo "$line" >> "$out/raw.jsonl"
    rec="$(seconds "$build/edgejoule" recommend --db "$db" --energy-budget-j 0.05 --dataset synthetic)"
    fro="$(seconds "$build/edgejoule" frontier --db "$db" --dataset synthetic)"
    /usr/bin/python3 - "$line" "$backend" "$rec" "$fro" >> "$out/summary.md" << 'PY'
import json, sys
r = json.loads(sys.argv[1])
print(f"| {sys.argv[2]} | {r['writers']} | {r['seconds']:.1f} | {r['points_per_s']:.0f} | {r['commit_ms_p50']:.2f} | "
      f"{r['commit_ms_p90']:.2f} | {r['commit_ms_p99']:.2f} | {r['commit_ms_max']:.0f} | {float(sys.argv[3]):.2f} | "
      f"{float(sys.argv[4]):.2f} |")
PY
    echo "$backend, $n writer(s): $line" >&2
  done
done
startup="$(seconds "$build/edgejoule" --version)"
echo >> "$out/summary.md"
echo "recommend and frontier are whole commands (start-up, reading every point, choosing); \`edgejoule --version\` alone takes ${startup} s here (loading the engines' libraries)." >> "$out/summary.md"
cat "$out/summary.md"
