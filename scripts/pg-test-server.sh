#!/usr/bin/env bash
# A throw-away PostgreSQL server for the tests and the fleet benchmark: initdb into a private
# directory, Unix socket only (listen_addresses is empty: no TCP port is opened), started on
# demand and shared by every test of one ctest run (ctest starts and stops it as a fixture; a
# test binary run by hand starts it itself).
#
#   pg-test-server.sh start NAME [--durable]   start (idempotent; concurrent callers wait)
#   pg-test-server.sh createdb NAME DB         a fresh, empty database DB (dropped first); prints its URI
#   pg-test-server.sh psql NAME DB SQL         runs SQL as the superuser
#   pg-test-server.sh halt NAME                stops the server at once (-m immediate, as a crash or the
#                                              first half of a restart), keeping its data; start resumes it
#   pg-test-server.sh stop NAME                stops the server and deletes its directory
#   pg-test-server.sh check-stopped NAME       fails (exit 1) when the server NAME, or any NAME-*,
#                                              still runs
#
# NAME picks the instance (a word; each has its directory /tmp/edgejoule-pg-NAME, short enough
# for a socket path). Roles: 'edgejoule' (the superuser, trusted over the socket) and
# 'edgejoule_pw' (password 'fleet-test-secret', scram-sha-256), for the tests of passwords.
# The tests' server runs without fsync (a crash of the machine is not what they test);
# --durable keeps PostgreSQL's defaults (fsync, synchronous_commit), for the benchmark.
# As root, the server runs as 'nobody': PostgreSQL refuses to run as root.
set -euo pipefail

command="${1:-}"
name="${2:-}"
[[ -n "$command" && "$name" =~ ^[A-Za-z0-9_-]+$ ]] || {
  sed -n '2,22p' "$0" >&2
  exit 2
}
dir="/tmp/edgejoule-pg-$name"
data="$dir/data"
socket="$dir"

bindir=""
if command -v pg_config > /dev/null && [[ -x "$(pg_config --bindir)/initdb" ]]; then
  bindir="$(pg_config --bindir)"
else
  for candidate in $(ls -d /usr/lib/postgresql/*/bin 2> /dev/null | sort -V -r); do
    [[ -x "$candidate/initdb" ]] && { bindir="$candidate"; break; }
  done
fi
[[ -n "$bindir" ]] || {
  echo "pg-test-server: no PostgreSQL server binaries (initdb): install the Debian package 'postgresql' (make deps does)" >&2
  exit 2
}

as_owner() {
  if [[ "$(id -u)" == 0 ]]; then
    runuser -u nobody -- "$@"
  else
    "$@"
  fi
}

running() { as_owner "$bindir/pg_ctl" status -D "$data" > /dev/null 2>&1; }

start() {
  local durable="${1:-}"
  mkdir -p "$dir"
  chmod 755 "$dir"
  exec 9> "$dir.lock"
  flock 9
  if [[ -f "$data/PG_VERSION" ]] && running; then
    return 0
  fi
  if [[ ! -f "$data/PG_VERSION" ]]; then
    rm -rf "$data"
    mkdir -p "$data"
    [[ "$(id -u)" == 0 ]] && chown nobody "$dir" "$data"
    local pwfile="$dir/pwfile"
    echo "fleet-test-secret" > "$pwfile"
    [[ "$(id -u)" == 0 ]] && chown nobody "$pwfile"
    as_owner "$bindir/initdb" -D "$data" -U edgejoule --auth-local=trust --auth-host=reject \
      --encoding=UTF8 --locale=C > "$dir/initdb.log" 2>&1 || {
      cat "$dir/initdb.log" >&2
      exit 1
    }
    rm -f "$pwfile"
    # The password role authenticates with scram; the superuser is trusted over the socket.
    cat > "$data/pg_hba.conf" << 'HBA'
local all edgejoule_pw scram-sha-256
local all all trust
HBA
  fi
  local options="-k $socket -c listen_addresses= -c max_connections=200 -c unix_socket_permissions=0777"
  [[ "$durable" == "--durable" ]] || options="$options -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  # 9>&-: the server must not inherit (and so hold forever) the lock.
  as_owner "$bindir/pg_ctl" start -w -t 60 -D "$data" -l "$dir/server.log" -o "$options" > /dev/null 9>&- || {
    tail -20 "$dir/server.log" >&2
    exit 1
  }
  "$bindir/psql" -h "$socket" -U edgejoule -d postgres -q -v ON_ERROR_STOP=1 << 'SQL' > /dev/null
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'edgejoule_pw') THEN
    CREATE ROLE edgejoule_pw LOGIN PASSWORD 'fleet-test-secret';
  END IF;
END $$;
SQL
}

case "$command" in
  start)
    start "${3:-}"
    echo "postgresql://edgejoule@/postgres?host=$socket"
    ;;
  createdb)
    db="${3:?createdb NAME DB}"
    [[ "$db" =~ ^[A-Za-z0-9_]+$ ]] || { echo "pg-test-server: database names here are [A-Za-z0-9_]+" >&2; exit 2; }
    start
    PGOPTIONS="-c client_min_messages=warning" "$bindir/psql" -h "$socket" -U edgejoule -d postgres -q -v ON_ERROR_STOP=1 \
      -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" -c "CREATE DATABASE \"$db\"" \
      -c "GRANT ALL ON DATABASE \"$db\" TO edgejoule_pw" -c "ALTER DATABASE \"$db\" OWNER TO edgejoule_pw" > /dev/null
    echo "postgresql://edgejoule@/$db?host=$socket"
    ;;
  psql)
    db="${3:?psql NAME DB SQL}"
    start
    "$bindir/psql" -h "$socket" -U edgejoule -d "$db" -q -v ON_ERROR_STOP=1 -At -c "${4:?SQL}"
    ;;
  check-stopped)
    left=()
    for d in "$dir" "$dir"-*; do
      [[ -f "$d/data/PG_VERSION" ]] && as_owner "$bindir/pg_ctl" status -D "$d/data" > /dev/null 2>&1 && left+=("$d")
    done
    if ((${#left[@]})); then
      echo "pg-test-server: test servers still run after the tests: ${left[*]} (a test used one outside the pg_server fixture, or did not stop its own)" >&2
      exit 1
    fi
    ;;
  halt)
    if [[ -f "$data/PG_VERSION" ]] && running; then
      as_owner "$bindir/pg_ctl" stop -D "$data" -m immediate > /dev/null
    fi
    ;;
  stop)
    if [[ -f "$data/PG_VERSION" ]] && running; then
      as_owner "$bindir/pg_ctl" stop -D "$data" -m immediate > /dev/null
    fi
    rm -rf "$dir" "$dir.lock"
    ;;
  *)
    sed -n '2,22p' "$0" >&2
    exit 2
    ;;
esac
