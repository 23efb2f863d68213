#!/usr/bin/env bash
# Start-up and whole-command time of two edgejoule binaries side by side, alternating runs so both
# see the same machine: `--version`, and `recommend` and `frontier` over a POINTS-point SQLite
# store written by the fleet benchmark (one host, synthetic models). Prints the median wall time
# of each and NEW / OLD, and each binary's peak memory for --version and shared libraries linked.
#
#   bench/startup.sh OLD_BINARY [NEW_BINARY] [POINTS] [RUNS]
#
# The store is written by this build's fleet benchmark, so OLD_BINARY must read its schema: an
# older binary refuses a newer store (compare across a schema change by hand, on a copy of the
# store taken back to the old version).
# OLD_BINARY: e.g. a build of the commit before engines became plugins:
#   git worktree add /tmp/old <commit> && ln -s "$PWD/.venv" /tmp/old/.venv &&
#   cmake -S /tmp/old -B /tmp/old/build -G Ninja -DCMAKE_BUILD_TYPE=Release && ninja -C /tmp/old/build edgejoule
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
old="${1:?usage: bench/startup.sh OLD_BINARY [NEW_BINARY] [POINTS] [RUNS]}"
new="${2:-$here/build/edgejoule}"
points="${3:-100000}"
runs="${4:-7}"
bench="$(dirname "$new")/bench/edgejoule_bench_fleet_store"
[[ -x "$bench" ]] || { echo "no $bench: run 'make build'" >&2; exit 2; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
db="$work/fleet.db"
"$bench" --db "$db" --points "$points" --writers 1 > /dev/null

seconds() {  # wall seconds of a command, its output discarded (recommend's 3, nothing fits, is fine)
  local t0 t1
  t0=$(date +%s.%N)
  "$@" > /dev/null 2>&1 || [[ $? -eq 3 ]]
  t1=$(date +%s.%N)
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f\n", b - a }'
}
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "old: $old ($(ldd "$old" | wc -l) shared libraries, $( /usr/bin/time -f %M "$old" --version 2>&1 >/dev/null) KB peak for --version)"
echo "new: $new ($(ldd "$new" | wc -l) shared libraries, $( /usr/bin/time -f %M "$new" --version 2>&1 >/dev/null) KB peak for --version)"
echo "$points points, $runs alternating runs each, median wall seconds"
printf "%-44s %10s %10s %9s\n" command old new new/old
for cmd in "--version" "recommend --db $db --energy-budget-j 0.05 --dataset synthetic" "frontier --db $db --dataset synthetic"; do
  : > "$work/old" ; : > "$work/new"
  for _ in $(seq 1 "$runs"); do
    # shellcheck disable=SC2086
    seconds "$old" $cmd >> "$work/old"
    # shellcheck disable=SC2086
    seconds "$new" $cmd >> "$work/new"
  done
  o="$(median < "$work/old")"; n="$(median < "$work/new")"
  printf "%-44s %10.3f %10.3f %9.2f\n" "${cmd%% --db*}" "$o" "$n" "$(awk -v a="$n" -v b="$o" 'BEGIN { print a / b }')"
done
