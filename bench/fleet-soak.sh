#!/usr/bin/env bash
# A shared sweep under faults: WORKERS workers take a few hundred queued points of the tiny zoo
# while this script, for SECONDS, kills workers (SIGKILL, a new one started in each's place),
# freezes them (SIGSTOP past their lease, then SIGCONT) and restarts the PostgreSQL server hard
# (at least twice: stopped at once, down 2 s, started again). Everything runs on one machine over
# the server's Unix socket. Workers take up to 10 claims of a point (--max-attempts): every kill or
# freeze past the lease costs the point in hand one; a claim lost to a server restart does not (it
# is counted apart, as queue status does). At the end it counts what the queue and the store hold: points queued,
# done, failed, stored, stored twice; and for each fault the seconds until the sweep stored its
# next point.
#
#   bench/fleet-soak.sh [BUILD_DIR] [SECONDS] [WORKERS] [SEED]
#
# Prints a Markdown table (docs/fleet.md has one); the workers' logs are left in a temporary
# directory, named at the end.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$here/build}"
seconds="${2:-120}"
workers="${3:-4}"
seed="${4:-1}"
bin="$build/edgejoule"
zoo="$build/test-fixtures/tiny"
[[ -x "$bin" ]] || { echo "no $bin: run 'make build'" >&2; exit 2; }
[[ -f "$zoo/zoo.json" ]] || "$bin" zoo build --set tiny --out "$zoo" > /dev/null
server="$here/scripts/pg-test-server.sh"
instance="soak$$"
work="$(mktemp -d)"
trap '"$server" stop "$instance" > /dev/null 2>&1 || true; for p in "${pids[@]:-}"; do kill -9 "$p" 2> /dev/null || true; done' EXIT
uri="$("$server" createdb "$instance" soak)"
RANDOM="$seed"
now() { date +%s.%N; }
done_count() { "$server" psql "$instance" soak "SELECT count(*) FROM queue_items WHERE status = 'done'" 2> /dev/null || echo -1; }

# 2 models x batch 1-150 x threads 1,2 = 600 points of a few tenths of a second each, enough to
# keep the workers busy through the faults.
"$bin" profile --db "$uri" --queue soak --enqueue --zoo "$zoo" --engine torchscript --batch 1-150 --threads 1,2 \
  --warmup-s 0.02 --min-time-s 0.1 --repetitions 2 --max-cv 10 --device-class soak-board > /dev/null
queued="$("$server" psql "$instance" soak "SELECT count(*) FROM queue_items")"

declare -a pids
next=0
start_worker() {  # slot
  next=$((next + 1))
  EDGEJOULE_HOSTNAME=soak-host "$bin" worker --db "$uri" --queue soak --zoo "$zoo" --device-class soak-board \
    --lease-s 2 --give-up-s 120 --max-attempts 10 --poll-s 0.2 --name "w$next" > "$work/w$next.out" 2> "$work/w$next.err" &
  pids[$1]=$!
}
for slot in $(seq 0 $((workers - 1))); do start_worker "$slot"; done

declare -a faults fault_at
t0="$(now)"
restarts=0
while :; do
  elapsed="$(awk -v a="$t0" -v b="$(now)" 'BEGIN { print b - a }')"
  awk -v e="$elapsed" -v s="$seconds" 'BEGIN { exit !(e >= s) }' && break
  sleep "$(awk -v r=$((RANDOM % 30)) 'BEGIN { print 2 + r / 10 }')"
  slot=$((RANDOM % workers))
  kind=$((RANDOM % 3))
  # At least two server restarts: the first two faults after a third and two thirds of the time.
  if awk -v e="$elapsed" -v s="$seconds" -v n="$restarts" 'BEGIN { exit !((n == 0 && e > s / 3) || (n == 1 && e > 2 * s / 3)) }'; then
    kind=2
  fi
  case $kind in
    0) faults+=("worker SIGKILL"); fault_at+=("$(now)"); kill -9 "${pids[$slot]}" 2> /dev/null || true
       wait "${pids[$slot]}" 2> /dev/null || true; start_worker "$slot" ;;
    1) faults+=("worker SIGSTOP 3 s (lease 2 s)"); fault_at+=("$(now)"); kill -STOP "${pids[$slot]}" 2> /dev/null || true
       sleep 3; kill -CONT "${pids[$slot]}" 2> /dev/null || true ;;
    2) faults+=("server restart (down 2 s)"); fault_at+=("$(now)"); restarts=$((restarts + 1))
       "$server" halt "$instance"; sleep 2; "$server" start "$instance" > /dev/null ;;
  esac
  echo "$(date +%s.%N) $(done_count)" >> "$work/progress"
done
# Let the workers finish the queue (they exit when nothing is left).
for p in "${pids[@]}"; do wait "$p" 2> /dev/null || true; done
end="$(now)"

q() { "$server" psql "$instance" soak "$1"; }
stored="$(q "SELECT count(*) FROM points")"
twice="$(q "SELECT count(*) FROM (SELECT model_id, config_id, host_id FROM points GROUP BY 1, 2, 3 HAVING count(*) > 1) d")"
done_n="$(q "SELECT count(*) FROM queue_items WHERE status = 'done'")"
failed="$(q "SELECT count(*) FROM queue_items WHERE status = 'failed'")"
pending="$(q "SELECT count(*) FROM queue_items WHERE status IN ('pending', 'claimed')")"
outage_losses="$(q "SELECT coalesce(sum(outage_losses), 0) FROM queue_items")"
# Recovery: for each fault, the seconds until a point was completed after it (done_at, the
# server's clock, which the script's shares on one machine).
echo "| fault | at s | next point stored after s |"
echo "|---|---|---|"
worst=0
for i in "${!faults[@]}"; do
  at="${fault_at[$i]}"
  gap="$(q "SELECT coalesce(round(CAST(extract(epoch FROM min(done_at)) - $at AS numeric), 2), -1) FROM queue_items WHERE extract(epoch FROM done_at) > $at")"
  [[ "$gap" == "-1" ]] && { printf "| %s | %.1f | (queue finished before) |\n" "${faults[$i]}" "$(awk -v a="$t0" -v b="$at" 'BEGIN { print b - a }')"; continue; }
  printf "| %s | %.1f | %s |\n" "${faults[$i]}" "$(awk -v a="$t0" -v b="$at" 'BEGIN { print b - a }')" "$gap"
  worst="$(awk -v w="$worst" -v g="$gap" 'BEGIN { print (g > w ? g : w) }')"
done
echo
echo "$workers workers, ${seconds} s of faults (seed $seed), $(awk -v a="$t0" -v b="$end" 'BEGIN { printf "%.0f", b - a }') s in all: ${#faults[@]} faults ($restarts server restarts)."
echo "points queued $queued, done $done_n, failed $failed, left $pending; stored $stored, stored twice $twice;"
echo "claims lost to outages (not counted as attempts): $outage_losses;"
echo "worst time from a fault to the next stored point: ${worst} s. Workers' logs: $work"
lost=$((queued - done_n))
[[ "$failed" == 0 && "$twice" == 0 && "$lost" == 0 && "$stored" == "$queued" ]] || { echo "SOAK FAILED" >&2; exit 1; }
