#!/usr/bin/env bash
# scripts/demo.sh — build and install pipeproc, start a local PostgreSQL 15 with it and run
# a narrated demo (scripts/demo.sql) in a fresh database "demo".
#
#   scripts/demo.sh             deps + build + install, (re)start the server, run the demo
#   scripts/demo.sh --no-deps   same, without the apt step (scripts/deps.sh)
#   scripts/demo.sh --stop      stop the demo server (its data is kept)
#   scripts/demo.sh --reset     stop the demo server and delete its data directory
#
# The server runs as the OS user `postgres` with data in /var/tmp/pipeproc-demo/data, a unix
# socket in /var/tmp/pipeproc-demo and port 5433 (override with PIPEPROC_DEMO_DIR and
# PIPEPROC_DEMO_PORT); it never touches Debian's default cluster. It stays up after the
# demo so that you can connect to it.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
BASE=${PIPEPROC_DEMO_DIR:-/var/tmp/pipeproc-demo}
PORT=${PIPEPROC_DEMO_PORT:-5433}
DATA=$BASE/data
SERVER_LOG=$BASE/server.log
RUN_USER=postgres
DB=demo

# Settings wanted for the demo, applied only if the GUC exists once pipeproc is loaded.
WANTED_SETTINGS=(
  "pipeproc.workers=2"
)

do_deps=1
action=demo
for arg in "$@"; do
  case $arg in
    --no-deps) do_deps=0 ;;
    --stop) action=stop ;;
    --reset) action=reset ;;
    -h|--help) sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "demo.sh: unknown argument: $arg (try --help)" >&2; exit 2 ;;
  esac
done

say() { printf '\n==> %s\n' "$*"; }
is_root() { [[ ${EUID:-$(id -u)} -eq 0 ]]; }
as_root() {
  if is_root; then "$@"; elif command -v sudo >/dev/null 2>&1; then sudo "$@"; else "$@"; fi
}

BINDIR=
# Run a command as the server's OS user, with the PostgreSQL 15 binaries first in PATH.
as_pg() {
  local -a envs=(env -u PGHOST -u PGPORT -u PGUSER -u PGDATABASE -u PGSERVICE -u PGOPTIONS
                 -u PGDATA "PATH=$BINDIR:/usr/local/bin:/usr/bin:/bin")
  if is_root; then
    local home
    home=$(getent passwd "$RUN_USER" | cut -d: -f6)
    (cd / && runuser -u "$RUN_USER" -- "${envs[@]}" "HOME=${home:-/tmp}" "$@")
  else
    "${envs[@]}" "$@"
  fi
}
psql_demo() { as_pg psql -X -q -h "$BASE" -p "$PORT" -U postgres "$@"; }

server_running() { [[ -f $DATA/PG_VERSION ]] && as_pg pg_ctl -D "$DATA" status >/dev/null 2>&1; }

stop_server() {
  if server_running; then
    say "stopping the demo server ($DATA)"
    as_pg pg_ctl -D "$DATA" -m fast -w -t 60 stop
  else
    echo "demo server is not running"
  fi
}

connect_help() {
  local user_hint=""
  is_root && user_hint="   (as root:  su postgres -c \"psql -h $BASE -p $PORT -U postgres $DB\")"
  cat <<EOF

----------------------------------------------------------------------
The demo server keeps running. Connect with:
   psql -h $BASE -p $PORT -U postgres $DB
$user_hint
Server log:  $SERVER_LOG
Stop it:     $REPO/scripts/demo.sh --stop
Remove it:   $REPO/scripts/demo.sh --reset
----------------------------------------------------------------------
EOF
}

case $action in
  stop|reset)
    BINDIR=$("$PG_CONFIG" --bindir 2>/dev/null || echo /usr/lib/postgresql/15/bin)
    stop_server
    if [[ $action == reset ]]; then
      say "removing $BASE"
      as_root rm -rf "$BASE"
    fi
    exit 0
    ;;
esac

# --- 1. dependencies, build, install ----------------------------------------------
if (( do_deps )); then
  say "dependencies (scripts/deps.sh)"
  as_root bash "$REPO/scripts/deps.sh"
fi
BINDIR=$("$PG_CONFIG" --bindir)

say "building pipeproc: make PG_CONFIG=$PG_CONFIG"
make -C "$REPO" -j"$(nproc)" PG_CONFIG="$PG_CONFIG"
say "installing: make install"
as_root make -C "$REPO" PG_CONFIG="$PG_CONFIG" install

# --- 2. the server -------------------------------------------------------------------
if is_root; then
  id "$RUN_USER" >/dev/null 2>&1 || { echo "user $RUN_USER does not exist (run scripts/deps.sh)" >&2; exit 1; }
  mkdir -p "$BASE"
  chown "$RUN_USER": "$BASE"
else
  RUN_USER=$(id -un)
  mkdir -p "$BASE"
fi
chmod 755 "$BASE"

if [[ ! -f $DATA/PG_VERSION ]]; then
  say "initdb $DATA"
  as_pg initdb -D "$DATA" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-instructions
fi

# Our settings live in an included file that is rewritten on every run.
if ! grep -q "^include_if_exists = 'pipeproc-demo.conf'" "$DATA/postgresql.conf"; then
  printf "\n# added by pipeproc scripts/demo.sh\ninclude_if_exists = 'pipeproc-demo.conf'\n" \
    | as_pg tee -a "$DATA/postgresql.conf" >/dev/null
fi
as_pg tee "$DATA/pipeproc-demo.conf" >/dev/null <<EOF
# written by pipeproc scripts/demo.sh on every run — edit the script, not this file
port = $PORT
unix_socket_directories = '$BASE'
listen_addresses = ''
shared_preload_libraries = 'pipeproc'
logging_collector = off
log_line_prefix = '%m [%p] %q%u@%d '
EOF

start_server() {
  say "starting PostgreSQL ($(as_pg postgres --version)) on port $PORT, socket dir $BASE"
  if ! as_pg pg_ctl -D "$DATA" -l "$SERVER_LOG" -w -t 60 start; then
    echo "the server did not start; last lines of $SERVER_LOG:" >&2
    tail -n 30 "$SERVER_LOG" >&2 || true
    exit 1
  fi
}

if server_running; then
  say "restarting the demo server (to load the freshly installed pipeproc)"
  as_pg pg_ctl -D "$DATA" -m fast -w -t 60 stop
fi
start_server

# Apply the wanted settings whose GUC exists now that pipeproc is loaded.
restart=0
for kv in "${WANTED_SETTINGS[@]}"; do
  name=${kv%%=*}; value=${kv#*=}
  # "<exists>|<current value>"; psql -c does no variable interpolation, so use stdin
  row=$(psql_demo -d postgres -At -v name="$name" <<'SQL' || true
SELECT count(*) || '|' || coalesce(max(setting), '') FROM pg_settings WHERE name = :'name';
SQL
)
  exists=${row%%|*}; current=${row#*|}
  if [[ $exists != 1 ]]; then
    echo "setting $name does not exist (yet) in this build of pipeproc — skipped"
    continue
  fi
  if [[ $current != "$value" ]]; then
    echo "setting $name = $value (was $current)"
    psql_demo -d postgres -v ON_ERROR_STOP=1 -v name="$name" -v value="$value" <<'SQL'
SELECT format('ALTER SYSTEM SET %I = %L', :'name', :'value') \gexec
SELECT pg_reload_conf() AS reloaded \gset
SQL
    restart=1
  else
    echo "setting $name = $value"
  fi
done
if (( restart )); then
  pending=$(psql_demo -d postgres -At -c "SELECT count(*) FROM pg_settings WHERE pending_restart")
  if [[ $pending != 0 ]]; then
    say "restarting to apply settings that need a restart"
    as_pg pg_ctl -D "$DATA" -m fast -w -t 60 stop
    start_server
  fi
fi

# --- 3. a fresh database -------------------------------------------------------------
say "creating a fresh database \"$DB\" with CREATE EXTENSION pipeproc"
for attempt in 1 2 3 4 5; do
  if psql_demo -d postgres -v ON_ERROR_STOP=1 -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)"; then
    break
  fi
  (( attempt == 5 )) && { echo "could not drop database $DB" >&2; exit 1; }
  sleep 1
done
psql_demo -d postgres -v ON_ERROR_STOP=1 -c "CREATE DATABASE $DB"
if ! psql_demo -d "$DB" -v ON_ERROR_STOP=1 -c "CREATE EXTENSION pipeproc"; then
  echo "CREATE EXTENSION pipeproc failed — see the error above and $SERVER_LOG" >&2
  connect_help
  exit 1
fi
psql_demo -d "$DB" -c "SELECT extname, extversion FROM pg_extension WHERE extname = 'pipeproc'"

# --- 4. the narrated demo ------------------------------------------------------------
say "running scripts/demo.sql"
out=$(mktemp /tmp/pipeproc-demo.XXXXXX.out)
trap 'rm -f "$out"' EXIT
set +e
psql_demo -d "$DB" -v ON_ERROR_STOP=0 -f - < "$REPO/scripts/demo.sql" 2>&1 | tee "$out"
psql_rc=${PIPESTATUS[0]}
set -e

errors=$(grep -c 'ERROR:' "$out" || true)
expected=$(grep -c '^\\echo.*(expected error)' "$REPO/scripts/demo.sql" || true)
echo
echo "demo finished: psql exit status $psql_rc, $errors error(s) reported ($expected of them on purpose)"
if (( errors > expected )); then
  echo "some statements failed unexpectedly — look for ERROR above (a function not written yet?)"
fi
connect_help
