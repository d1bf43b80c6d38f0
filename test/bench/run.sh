#!/usr/bin/env bash
# test/bench/run.sh — pipeproc benchmark: every pipeproc figure beside plain PostgreSQL,
# PgQ and a SKIP LOCKED queue measured in the same run, on the same temporary server, with
# the same settings; then scale curves (topic size, number of topics, number of procs) with
# PNG plots, and the peak memory of one backend that commits and consumes 10^6 logs.
#
# Usage: test/bench/run.sh [--smoke]
#
# Assumes pipeproc is built and installed (make install) into the PostgreSQL found at
# $PGBIN (default /usr/lib/postgresql/15/bin). Installs PgQ and gnuplot with apt-get when
# they are missing and it may (root; BENCH_NO_INSTALL=1 to skip). Starts its own instance in
# a temporary directory (unix socket only, in that directory), stops and removes it on exit.
# See test/bench/README.md for what each case measures and how to read the ratios.
set -euo pipefail

usage() { sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; }

SMOKE=0
for arg in "$@"; do
    case "$arg" in
        --smoke) SMOKE=1 ;;
        -h|--help) usage; exit 0 ;;
        *) echo "run.sh: unknown argument: $arg" >&2; usage >&2; exit 2 ;;
    esac
done
T_START=$(date +%s)
INVOKED=""
for v in $(compgen -e | grep -E '^(BENCH_[A-Z0-9_]+|PGBIN)$' || true); do
    INVOKED+="$v=$(printf '%q' "${!v}") "
done
INVOKED+="$(printf '%q ' "$0" "$@")"
INVOKED="${INVOKED% }"

PGBIN="${PGBIN:-/usr/lib/postgresql/15/bin}"
PORT="${BENCH_PORT:-5499}"
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# ---------------------------------------------------------------------------------------
# Sizes. Every one can be overridden from the environment (BENCH_SECS=30 test/bench/run.sh).
if [ "$SMOKE" = 1 ]; then
    MODE=smoke
    : "${BENCH_SECS:=1}"              # seconds per pgbench measurement (table cases)
    : "${BENCH_RANGE_LOGS:=20000}"    # logs in the range topic / rows in its baseline table
    : "${BENCH_Q1_LOGS:=10000}"       # logs preloaded for the one-log cycles (cases 4, 5)
    : "${BENCH_CYCLE_REPS:=1}"        # case 4: runs of each kind, taking turns (median kept)
    : "${BENCH_SYS_LOGS:=300000}"     # case 8: logs for the system proc / rows for its baseline
    : "${BENCH_Q100_LOGS:=300000}"    # logs preloaded for the 100-log cycle (case 6)
    : "${BENCH_SIZE_SMALL:=10000}"    # case 7: small topic
    : "${BENCH_SIZE_BIG:=100000}"     # case 7: big topic
    : "${BENCH_SIZE_REPS:=1}"         # case 7: repetitions of each -t run
    : "${BENCH_SIZE_TX:=1000}"        # case 7: cycles per run (at most 90 % of the small topic)
    : "${BENCH_PGQ1_EVENTS:=3000}"    # PgQ events preloaded in batches of 1 (case 4)
    : "${BENCH_PGQ100_EVENTS:=150000}" # PgQ events preloaded in batches of 100 (case 6)
    : "${BENCH_SCALE_SIZES:=1000 10000 100000}"   # topic sizes of the size curve
    : "${BENCH_SCALE_TOPICS:=1 10 100}"           # numbers of topics
    : "${BENCH_SCALE_PROCS:=1 10 100}"            # numbers of procs on one topic
    : "${BENCH_SCALE_TX:=2000}"       # proc+ack cycles per scale point (at least 3 per topic/proc)
    : "${BENCH_SCALE_COMMITS:=4000}"  # commits per scale point (at least as many as cycles)
    : "${BENCH_SCALE_REPS:=1}"        # runs of each kind per scale point (the best is kept)
    : "${BENCH_SCALE_GC:=10000 100000}"           # topic sizes of the GC curve
    : "${BENCH_MEM_LOGS:=100000}"     # logs committed then consumed by the memory backend
    : "${BENCH_LIVE_ITER:=200}"       # case 9: logs sent one at a time through a live proc
    : "${BENCH_OUT:=}"                # where plots and data go (smoke: temporary, removed)
else
    MODE=full
    : "${BENCH_SECS:=10}"
    : "${BENCH_RANGE_LOGS:=100000}"
    : "${BENCH_Q1_LOGS:=200000}"
    : "${BENCH_CYCLE_REPS:=3}"
    : "${BENCH_SYS_LOGS:=3000000}"
    : "${BENCH_Q100_LOGS:=4000000}"
    : "${BENCH_SIZE_SMALL:=10000}"
    : "${BENCH_SIZE_BIG:=10000000}"
    : "${BENCH_SIZE_REPS:=3}"
    : "${BENCH_SIZE_TX:=9000}"
    : "${BENCH_PGQ1_EVENTS:=15000}"
    : "${BENCH_PGQ100_EVENTS:=1200000}"
    : "${BENCH_SCALE_SIZES:=1000 10000 100000 1000000 10000000}"
    : "${BENCH_SCALE_TOPICS:=1 10 100 1000 10000}"
    : "${BENCH_SCALE_PROCS:=1 10 100 1000}"
    : "${BENCH_SCALE_TX:=10000}"
    : "${BENCH_SCALE_COMMITS:=30000}"
    : "${BENCH_SCALE_REPS:=2}"
    : "${BENCH_SCALE_GC:=10000 100000 1000000 10000000}"
    : "${BENCH_MEM_LOGS:=1000000}"
    : "${BENCH_LIVE_ITER:=3000}"
    : "${BENCH_OUT:=$BENCH_DIR/report}"
fi
: "${BENCH_PARTS:=table memory scale}"   # which parts run (for reruns of one part)
want_part() { [[ " $BENCH_PARTS " == *" $1 "* ]]; }
SECS=$BENCH_SECS
LOAD_BATCH=10000                      # logs per commit(logs) call when preloading
RANGE_COUNT=1000                      # logs per range call
# case 7 runs a fixed number of cycles (pgbench -t) so the small topic never drains: each
# proc reads a window of WINDOW logs (the whole small topic, the last WINDOW logs of the big
# one) and the run stops after SIZE_TX cycles.
WINDOW=$BENCH_SIZE_SMALL
SIZE_TX=$BENCH_SIZE_TX

bad() { echo "run.sh: $*" >&2; exit 2; }
for v in BENCH_RANGE_LOGS BENCH_Q1_LOGS BENCH_Q100_LOGS BENCH_SIZE_SMALL BENCH_SIZE_BIG; do
    if ! [[ "${!v}" =~ ^[0-9]+$ ]] || [ $(( ${!v} % LOAD_BATCH )) -ne 0 ] || [ "${!v}" -lt "$LOAD_BATCH" ]; then
        bad "$v=${!v} must be a positive multiple of $LOAD_BATCH"
    fi
done
for v in BENCH_SECS BENCH_SIZE_REPS BENCH_SIZE_TX BENCH_PGQ1_EVENTS BENCH_PGQ100_EVENTS BENCH_SCALE_TX BENCH_SCALE_COMMITS BENCH_SCALE_REPS BENCH_MEM_LOGS BENCH_LIVE_ITER; do
    [[ "${!v}" =~ ^[1-9][0-9]*$ ]] || bad "$v=${!v} must be a positive integer"
done
for v in BENCH_SCALE_SIZES BENCH_SCALE_TOPICS BENCH_SCALE_PROCS BENCH_SCALE_GC; do
    [[ "${!v}" =~ ^[1-9][0-9]*( +[1-9][0-9]*)*$ ]] || bad "$v='${!v}' must be positive integers separated by spaces"
done
[ "$BENCH_SIZE_BIG" -gt "$BENCH_SIZE_SMALL" ] || bad "BENCH_SIZE_BIG must exceed BENCH_SIZE_SMALL"
[ "$BENCH_RANGE_LOGS" -gt "$RANGE_COUNT" ] || bad "BENCH_RANGE_LOGS must exceed $RANGE_COUNT"
[ "$SIZE_TX" -le $(( WINDOW * 9 / 10 )) ] || bad "BENCH_SIZE_TX must be at most 90 % of BENCH_SIZE_SMALL"
[ $(( BENCH_PGQ100_EVENTS % 100 )) -eq 0 ] || bad "BENCH_PGQ100_EVENTS must be a multiple of 100"
[ "$BENCH_SCALE_COMMITS" -ge "$BENCH_SCALE_TX" ] || bad "BENCH_SCALE_COMMITS must be at least BENCH_SCALE_TX"
[ $(( BENCH_MEM_LOGS % LOAD_BATCH )) -eq 0 ] || bad "BENCH_MEM_LOGS must be a multiple of $LOAD_BATCH"

# ---------------------------------------------------------------------------------------
# What the benchmark needs besides pipeproc: PgQ (Debian: postgresql-<major>-pgq3) and
# gnuplot (gnuplot-nox). Installed with apt-get when missing and we are root; without them
# the PgQ column shows n/a and the plots are skipped, the rest still runs.
PGMAJOR="$("$PGBIN/pg_config" --version 2>/dev/null | sed -E 's/^PostgreSQL ([0-9]+).*/\1/')" || PGMAJOR=""
PGQ_CONTROL="$("$PGBIN/pg_config" --sharedir 2>/dev/null)/extension/pgq.control" || PGQ_CONTROL=""
want=()
[ -n "$PGMAJOR" ] && [ ! -f "$PGQ_CONTROL" ] && want+=("postgresql-$PGMAJOR-pgq3")
command -v gnuplot >/dev/null 2>&1 || want+=(gnuplot-nox)
DEPS_NOTE=""
if [ "${#want[@]}" -gt 0 ]; then
    if [ "${BENCH_NO_INSTALL:-0}" != 1 ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "[bench] installing ${want[*]} (apt-get; BENCH_NO_INSTALL=1 to skip)" >&2
        apt_install() {
            DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y \
                --no-install-recommends "${want[@]}" >>/tmp/pipeproc-bench-apt.log 2>&1
        }
        if ! apt_install && ! { apt-get -o DPkg::Lock::Timeout=300 update >>/tmp/pipeproc-bench-apt.log 2>&1 && apt_install; }; then
            DEPS_NOTE="apt-get install ${want[*]} failed (see /tmp/pipeproc-bench-apt.log)"
        fi
    else
        DEPS_NOTE="missing: ${want[*]} (not installed: not root, no apt-get or BENCH_NO_INSTALL=1)"
    fi
fi

for b in initdb pg_ctl postgres psql pgbench pg_config pg_isready; do
    if [ ! -x "$PGBIN/$b" ]; then echo "run.sh: $PGBIN/$b not found (set PGBIN)" >&2; exit 2; fi
done

# ---------------------------------------------------------------------------------------
# The temporary instance.
TMP="$(mktemp -d "${TMPDIR:-/tmp}/pipeproc-bench.XXXXXX")"
DATA="$TMP/data"
WORK="$TMP/work"           # generated pgbench scripts and pgbench output
mkdir -p "$WORK"
BENCH_OUT_TMP=0
if [ -z "$BENCH_OUT" ]; then BENCH_OUT="$WORK/out"; BENCH_OUT_TMP=1; fi
mkdir -p "$BENCH_OUT"
if [ "$(id -u)" = 0 ]; then
    # initdb and postgres refuse to run as root: the server runs as the postgres OS user.
    if ! id postgres >/dev/null 2>&1; then
        echo "run.sh: running as root needs an OS user 'postgres' to run the server" >&2; exit 2
    fi
    chown -R postgres: "$TMP"
    AS_SERVER=(runuser -u postgres --)
    DBUSER=postgres
else
    AS_SERVER=()
    DBUSER="$(id -un)"
fi

STARTED=0
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    if [ "$STARTED" = 1 ]; then
        "${AS_SERVER[@]}" "$PGBIN/pg_ctl" -D "$DATA" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$TMP"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

PKGLIBDIR="$("$PGBIN/pg_config" --pkglibdir)"
PRELOAD="pipeproc"
NOTES=()
[ -n "$DEPS_NOTE" ] && NOTES+=("$DEPS_NOTE")
if [ ! -f "$PKGLIBDIR/pipeproc.so" ]; then
    # Without the library the server would not start; run the baselines anyway.
    PRELOAD=""
    NOTES+=("pipeproc is not installed ($PKGLIBDIR/pipeproc.so missing): server started without it")
fi

log "initdb in $TMP ($MODE mode)"
"${AS_SERVER[@]}" "$PGBIN/initdb" -D "$DATA" -U "$DBUSER" --auth=trust -E UTF8 --locale=C -N \
    >"$TMP/initdb.log" 2>&1 || { cat "$TMP/initdb.log" >&2; exit 1; }
# Default durability (fsync, synchronous_commit and full_page_writes on). max_wal_size and
# checkpoint_timeout are raised only so the bulk preloads do not trigger checkpoints in the
# middle of a measurement; every measurement starts right after an explicit CHECKPOINT.
cat >>"$DATA/postgresql.conf" <<EOF

# --- pipeproc benchmark ---
listen_addresses = ''
port = $PORT
unix_socket_directories = '$TMP'
shared_preload_libraries = '$PRELOAD'
shared_buffers = 256MB
fsync = on
synchronous_commit = on
full_page_writes = on
max_wal_size = 8GB
checkpoint_timeout = 30min
logging_collector = off
EOF
start_server() {
    sed -i "s/^shared_preload_libraries = .*/shared_preload_libraries = '$PRELOAD'/" "$DATA/postgresql.conf"
    STARTED=1
    "${AS_SERVER[@]}" "$PGBIN/pg_ctl" -D "$DATA" -l "$TMP/server.log" -w -t 60 start >/dev/null
}
if ! start_server; then
    if [ -n "$PRELOAD" ]; then
        # a pipeproc that cannot be preloaded must not stop the baselines from running
        NOTES+=("the server did not start with shared_preload_libraries = 'pipeproc': $(grep -m1 -E 'FATAL|PANIC|ERROR' "$TMP/server.log" || true); started without it")
        PRELOAD=""
        start_server || { cat "$TMP/server.log" >&2; exit 1; }
    else
        cat "$TMP/server.log" >&2; exit 1
    fi
fi

unset PGSERVICE PGPASSWORD PGSSLMODE PGHOSTADDR
export PGHOST="$TMP" PGPORT="$PORT" PGUSER="$DBUSER" PGDATABASE=bench
export PGOPTIONS="-c client_min_messages=warning"
"$PGBIN/psql" -X -q -d postgres -c 'CREATE DATABASE bench' >/dev/null

# after a backend crash the server restarts; wait until it accepts connections again
wait_ready() {
    local i
    for i in $(seq 1 120); do
        if "$PGBIN/pg_isready" -q -d bench; then return 0; fi
        [ "$i" = 1 ] && log "waiting for the server to accept connections"
        sleep 0.5
    done
    echo "run.sh: the server does not accept connections; its log:" >&2
    tail -n 30 "$TMP/server.log" >&2
    exit 1
}
# psql with errors fatal to the script (for baseline setup, which must work)
sql() { "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -At "$@"; }
# first ERROR line of a psql/pgbench output, without the prefix
first_error() {
    local e
    e="$(grep -m1 -oE '(ERROR|FATAL|PANIC): .*' "$1" | sed -E 's/^[A-Z]+: +//')" || true
    [ -n "$e" ] || e="$(grep -m1 -oE 'error: .*' "$1" | sed -E 's/^error: +//')" || true
    [ -n "$e" ] || e="$(grep -m1 -v '^\s*$' "$1" || true)"
    printf '%s' "${e:0:110}"
}
# Try SQL that needs pipeproc; on failure set ERR and return 1 (the case then prints n/a).
ERR=""
try_sql() {
    local out="$WORK/try.out"
    wait_ready
    if "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -At "$@" >"$out" 2>&1; then
        return 0
    fi
    ERR="$(first_error "$out")"
    return 1
}

HAVE_EXT=0
EXT_ERR=""
if [ -n "${BENCH_FAKE_EXTENSION_SQL:-}" ]; then
    # for testing this script only: a SQL file that stands in for the extension
    if try_sql -f "$BENCH_FAKE_EXTENSION_SQL"; then HAVE_EXT=1; else EXT_ERR="$ERR"; fi
    NOTES+=("pipeproc replaced by $BENCH_FAKE_EXTENSION_SQL (BENCH_FAKE_EXTENSION_SQL): figures are not pipeproc's")
elif try_sql -c 'CREATE EXTENSION pipeproc'; then
    HAVE_EXT=1
else
    EXT_ERR="$ERR"
fi
HAVE_PGQ=0
PGQ_ERR=""
if try_sql -c 'CREATE EXTENSION pgq'; then HAVE_PGQ=1; else PGQ_ERR="PgQ: $ERR"; fi

# ---------------------------------------------------------------------------------------
# Measurement.
# pgbench_run <clients> <duration args> <script> [more pgbench args]
#   On success sets TPS (without initial connection time) and TX (transactions processed)
#   and returns 0; on a non-zero exit, a failed transaction or a missing tps line sets ERR
#   (and TX, when pgbench printed it) and returns 1.
TPS="" ; TX=0
pgbench_run() {
    local clients=$1 dur=$2 script=$3 rc=0 failed
    shift 3
    local out="$WORK/pgbench.out"
    wait_ready
    sql -c CHECKPOINT >/dev/null 2>&1 || true
    # shellcheck disable=SC2086
    "$PGBIN/pgbench" -n -M prepared $dur -c "$clients" -j "$clients" -f "$script" "$@" \
        >"$out" 2>&1 || rc=$?
    cat "$out" >>"$WORK/pgbench.all"
    TPS="$(sed -nE 's/^tps = ([0-9.]+) \(without initial connection time\).*/\1/p' "$out")"
    TX="$(sed -nE 's/^number of transactions actually processed: ([0-9]+).*/\1/p' "$out")"
    TX="${TX:-0}"
    failed="$(sed -nE 's/^number of failed transactions: ([0-9]+).*/\1/p' "$out")"
    log "  $(basename "$script" .sql): ${TPS:-?} tps, $TX transactions, exit $rc"
    if [ "$rc" -ne 0 ]; then
        ERR="pgbench exit $rc: $(first_error "$out")"; return 1
    fi
    if [ -n "$failed" ] && [ "$failed" != 0 ]; then
        ERR="$failed failed transactions: $(first_error "$out")"; return 1
    fi
    if [ -z "$TPS" ]; then
        ERR="no tps line in pgbench output"; return 1
    fi
    return 0
}

# Results: one row per line of the final table.
ROWS=()
WARNINGS=()
# add_row <case> <pipeproc> <plain> <PgQ> <SKIP LOCKED> <unit> <target> <target's column>
#   values are plain numbers (rates), "-" (no such baseline) or "n/a (error)"; a value ending
#   in '!' is invalid (queue drained). target: ">= 0.9", "~ 1.0" or ""; its column "plain"
#   or "sl" says which ratio it applies to.
#   (Empty fields are stored as "-": read splits on tabs and would merge empty ones.)
add_row() { ROWS+=("$1"$'\t'"${2:--}"$'\t'"${3:--}"$'\t'"${4:--}"$'\t'"${5:--}"$'\t'"${6:--}"$'\t'"${7:--}"$'\t'"${8:-plain}"); }
is_num() { [[ "$1" =~ ^[0-9]+(\.[0-9]+)?$ ]]; }
fmt() {
    local v=${1%!} mark=""
    [ "$v" != "$1" ] && mark="!"
    if is_num "$v"; then awk -v x="$v" -v m="$mark" 'BEGIN { printf (x < 10 ? "%.2f%s" : x < 100 ? "%.1f%s" : "%.0f%s"), x, m }'; else printf '%s' "$1"; fi
}
mul() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a * b }'; }
# print_table <tsv>: aligned columns, numeric-looking columns right-aligned
print_table() {
    awk -F'\t' '
        { for (i = 1; i <= NF; i++) { cell[NR, i] = $i; if (length($i) > w[i]) w[i] = length($i) }
          if (NF > nf) nf = NF; n = NR
          if (NR > 1) for (i = 1; i <= NF; i++) if ($i ~ /^[0-9.]+!?$/) num[i] = 1 }
        END {
            for (r = 1; r <= n; r++) {
                line = ""
                for (i = 1; i <= nf; i++) {
                    fmtc = num[i] ? "%" w[i] "s" : "%-" w[i] "s"
                    line = line (i > 1 ? " | " : "") sprintf(fmtc, cell[r, i])
                }
                sub(/ +$/, "", line); print line
                if (r == 1) {
                    sep = ""
                    for (i = 1; i <= nf; i++) { d = ""; for (k = 0; k < w[i]; k++) d = d "-"; sep = sep (i > 1 ? "-|-" : "") d }
                    print sep
                }
            }
        }' "$1"
}

# proc_pos <proc>: how many logs of its topic the proc has acked so far (topic length minus
# the proc's lag); empty when the proc does not exist or the procs view does not work.
proc_pos() {
    local v=""
    if try_sql -c "SELECT pipeproc.length(topic) - lag FROM pipeproc.procs WHERE name = '$1'"; then
        v="$(cat "$WORK/try.out")"
    fi
    if is_num "$v"; then printf '%s' "$v"; else printf '%s' ""; fi
}

# pipeproc side of a case: run <setup sql file> then pgbench; the rate (tps * per_tx) goes
# into P. For a proc case (preload and proc given) the rate counts the logs actually
# delivered (from the proc's lag after the run), and a drained topic is flagged.
# measure_pipeproc <setup.sql|-> <clients> <duration> <script> <per_tx> [preload logs] [proc]
P=""
measure_pipeproc() {
    local setup=$1 clients=$2 dur=$3 script=$4 per=$5 preload=${6:-0} proc=${7:-}
    local what before after delivered
    what="pipeproc $(basename "$script" .sql)"
    if [ "$HAVE_EXT" = 0 ]; then P="n/a ($EXT_ERR)"; return; fi
    if [ "$setup" != - ] && ! try_sql -f "$setup"; then P="n/a ($ERR)"; return; fi
    before=0
    [ -n "$proc" ] && before="$(proc_pos "$proc")" && before="${before:-0}"
    if ! pgbench_run "$clients" "$dur" "$script"; then
        if [ "$preload" -gt 0 ] && [ $(( TX * per )) -ge $(( preload - per )) ]; then
            P="drained!"
            WARNINGS+=("$what: the topic ran out of logs ($TX cycles x $per >= $preload preloaded); raise the preload")
        else
            P="n/a ($ERR)"
        fi
        return
    fi
    P="$(mul "$TPS" "$per")"
    delivered=""
    if [ -n "$proc" ]; then
        after="$(proc_pos "$proc")"
        [ -n "$after" ] && delivered=$(( after - before ))
    fi
    if [ -n "$delivered" ]; then
        log "  $proc: $delivered logs delivered in $TX cycles"
        # logs per second actually delivered (cycles that returned fewer logs count less)
        P="$(awk -v r="$TPS" -v d="$delivered" -v n="$TX" 'BEGIN { printf "%.2f", (n > 0) ? r * d / n : 0 }')"
        if [ "$preload" -gt 0 ] && [ "$(( before + delivered ))" -ge "$preload" ]; then
            WARNINGS+=("$what: the topic drained ($delivered logs delivered of $preload preloaded): rate invalid, raise the preload")
            P="$P!"
        elif [ "$delivered" -lt $(( TX * per * 98 / 100 )) ]; then
            WARNINGS+=("$what: $TX cycles of up to $per logs delivered only $delivered logs (rate counts delivered logs)")
        fi
    elif [ "$preload" -gt 0 ] && [ $(( TX * per )) -ge $(( preload - per )) ]; then
        WARNINGS+=("$what: the topic drained ($TX cycles x $per >= $preload preloaded): rate invalid, raise the preload")
        P="$P!"
    fi
}

# baseline side: setup must succeed (plain SQL); pgbench failure is fatal to the row only.
B=""
measure_baseline() {
    local setup=$1 clients=$2 dur=$3 script=$4 per=$5 queue_table=${6:-}
    wait_ready
    if [ "$setup" != - ]; then sql -f "$setup" >/dev/null; fi
    if ! pgbench_run "$clients" "$dur" "$script"; then B="n/a ($ERR)"; return; fi
    B="$(mul "$TPS" "$per")"
    if [ -n "$queue_table" ]; then
        local left
        left="$(sql -c "SELECT count(*) FROM $queue_table")"
        if [ "$left" -eq 0 ]; then
            WARNINGS+=("baseline $(basename "$script" .sql): $queue_table drained during the run: rate invalid, raise the preload")
            B="$B!"
        fi
    fi
}

# PgQ side of a case (write cases): setup (may be -), then pgbench; the rate goes into Q.
# measure_pgq <setup.sql|-> <clients> <duration> <script> <per_tx> [pgbench args]
Q=""
measure_pgq() {
    local setup=$1 clients=$2 dur=$3 script=$4 per=$5
    shift 5
    if [ "$HAVE_PGQ" = 0 ]; then Q="n/a ($PGQ_ERR)"; return; fi
    if [ "$setup" != - ] && ! try_sql -f "$setup"; then Q="n/a (PgQ setup: $ERR)"; return; fi
    if ! pgbench_run "$clients" "$dur" "$script" "$@"; then Q="n/a ($ERR)"; return; fi
    Q="$(mul "$TPS" "$per")"
}
# pgq_queue <queue> <ticker_max_count>: a fresh queue with the consumer "bench" registered
pgq_queue() {
    try_sql -c "SELECT pgq.drop_queue('$1', true) FROM pgq.queue WHERE queue_name = '$1'" \
            -c "SELECT pgq.create_queue('$1')" \
            -c "SELECT pgq.set_queue_config('$1', 'ticker_max_count', '$2')" \
            -c "SELECT pgq.register_consumer('$1', 'bench')" >/dev/null
}
# events of the consumer "bench" not yet consumed (between its last tick and the queue's last)
pgq_pending() {
    local v=""
    if try_sql -c "SELECT pending_events FROM pgq.get_consumer_info('$1', 'bench')"; then v="$(cat "$WORK/try.out")"; fi
    if is_num "$v"; then printf '%s' "$v"; else printf '%s' ""; fi
}
# PgQ consumption: <queue> <events per batch> <events> <script>. PgQ hands events out in
# batches between two ticks, and ticks come from a ticker (pgqd in production). The script is
# the ticker here: the preload inserts one batch's events in a transaction, then calls
# pgq.ticker(queue) in the next (the queue's ticker_max_count is the batch size, so every call
# ticks), in a DO block that commits after each step. The measured loop is the consumer only:
# next_batch, get_batch_events, finish_batch, COMMIT. The rate counts events actually
# delivered (the consumer's pending_events before and after the run).
# pgq_preload <queue> <events per batch> <events>: on failure sets Q to n/a and returns 1
pgq_preload() {
    local q=$1 per=$2 n=$3
    if [ "$HAVE_PGQ" = 0 ]; then Q="n/a ($PGQ_ERR)"; return 1; fi
    if ! pgq_queue "$q" "$per"; then Q="n/a (PgQ setup: $ERR)"; return 1; fi
    cat >"$S/pgq_load_$q.sql" <<EOF
SET synchronous_commit = off;
DO \$\$
BEGIN
    FOR b IN 1..$(( n / per )) LOOP
        PERFORM pgq.insert_event('$q', 'ev', jsonb_build_object('n', i, 'payload', repeat('x', 80))::text)
            FROM generate_series(1, $per) i;
        COMMIT;
        PERFORM pgq.ticker('$q');
        COMMIT;
    END LOOP;
END
\$\$;
EOF
    if ! try_sql -f "$S/pgq_load_$q.sql"; then Q="n/a (PgQ preload: $ERR)"; return 1; fi
    Q=""
}
# measure_pgq_consume <queue> <events preloaded> <consumer script>: after pgq_preload
measure_pgq_consume() {
    local q=$1 n=$2 script=$3 before after delivered
    [ -n "$Q" ] && return       # the preload failed
    before="$(pgq_pending "$q")"
    if ! pgbench_run 1 "-T $SECS" "$script"; then Q="n/a ($ERR)"; return; fi
    after="$(pgq_pending "$q")"
    if [ -z "$before" ] || [ -z "$after" ]; then Q="n/a (pgq.get_consumer_info: $ERR)"; return; fi
    delivered=$(( before - after ))
    log "  $q: $delivered events delivered in $TX batches"
    Q="$(awk -v r="$TPS" -v d="$delivered" -v n="$TX" 'BEGIN { printf "%.2f", (n > 0) ? r * d / n : 0 }')"
    if [ "$after" -le 0 ]; then
        WARNINGS+=("PgQ $q: the queue drained ($delivered events delivered of $n preloaded): rate invalid, raise BENCH_PGQ*_EVENTS")
        Q="$Q!"
    fi
}

# Script files.
S="$WORK"
BODY='{"n": 1, "payload": "pipeproc benchmark body of about one hundred bytes, all in one log ...."}'

# preload_topic <topic> <logs>: commit(logs) calls of LOAD_BATCH logs, run by pgbench with
# up to 4 clients in parallel (commits to one topic never wait for each other).
preload_topic() {
    local topic=$1 n=$2 batches clients rest
    batches=$(( n / LOAD_BATCH ))
    rest=$(( n % LOAD_BATCH ))
    clients=$(nproc); [ "$clients" -gt 4 ] && clients=4
    [ "$batches" -gt 0 ] && [ "$clients" -gt "$batches" ] && clients=$batches
    cat >"$S/load_$topic.sql" <<EOF
SELECT cardinality(pipeproc.commit(jsonb_agg(jsonb_build_object('topic', '$topic', 'body', jsonb_build_object('n', i, 'payload', repeat('x', 80)))))) FROM generate_series(1, $LOAD_BATCH) i;
EOF
    if [ $(( batches / clients )) -gt 0 ]; then
        if ! "$PGBIN/pgbench" -n -t $(( batches / clients )) -c "$clients" -j "$clients" \
                -f "$S/load_$topic.sql" >"$WORK/load.out" 2>&1; then
            ERR="preload: $(first_error "$WORK/load.out")"
            return 1
        fi
        if grep -qE '^number of failed transactions: [1-9]' "$WORK/load.out"; then
            ERR="preload: $(first_error "$WORK/load.out")"; return 1
        fi
    fi
    # what pgbench's clients did not share evenly, then the part of a batch
    for _ in $(seq 1 $(( batches % clients ))); do
        try_sql -f "$S/load_$topic.sql" >/dev/null || { ERR="preload: $ERR"; return 1; }
    done
    if [ "$rest" -gt 0 ]; then
        try_sql -c "SELECT cardinality(pipeproc.commit(jsonb_agg(jsonb_build_object('topic', '$topic', 'body', jsonb_build_object('n', i, 'payload', repeat('x', 80)))))) FROM generate_series(1, $rest) i" \
            || { ERR="preload: $ERR"; return 1; }
    fi
    if try_sql -c "SELECT pipeproc.length('$topic')" && [ "$(cat "$WORK/try.out")" != "$n" ]; then
        WARNINGS+=("topic $topic: length $(cat "$WORK/try.out") after preloading $n logs")
    fi
}
# plain queue table with n rows of the same bodies
preload_queue() {
    local table=$1 n=$2
    wait_ready
    sql >/dev/null <<EOF
DROP TABLE IF EXISTS $table;
CREATE TABLE $table (id bigserial PRIMARY KEY, body jsonb NOT NULL);
INSERT INTO $table (body)
    SELECT jsonb_build_object('n', i, 'payload', repeat('x', 80)) FROM generate_series(1, $n) i;
EOF
}
vacuum_all() { wait_ready; sql -c 'VACUUM ANALYZE' >/dev/null; }
# vacuum_topic <topic>: VACUUM ANALYZE one topic's table (partitioned: all its chunks)
vacuum_topic() {
    local rel=""
    if try_sql -c "SELECT relid FROM pipeproc.topic WHERE name = '$1'"; then rel="$(cat "$WORK/try.out")"; fi
    if [ -n "$rel" ]; then try_sql -c "VACUUM ANALYZE $rel" >/dev/null || true; fi
}

T0=$(date +%s)
declare -A READY_TOPIC=()
if want_part table; then

# ---------------------------------------------------------------------------------------
# Case 1: single-log commit, 1 and 4 clients.
cat >"$S/commit1.sql" <<'EOF'
SELECT pipeproc.commit(:topic, :body::jsonb);
EOF
cat >"$S/insert1.sql" <<'EOF'
INSERT INTO bench_plain (body) VALUES (:body::jsonb);
EOF
cat >"$S/plain_table.sql" <<'EOF'
DROP TABLE IF EXISTS bench_plain;
CREATE TABLE bench_plain (id bigserial PRIMARY KEY, body jsonb NOT NULL);
EOF
cat >"$S/pgq_insert1.sql" <<'EOF'
SELECT pgq.insert_event(:queue, 'ev', :body);
EOF
for c in 1 4; do
    log "case 1: single-log commit, $c client(s)"
    # the topic is fresh (a new name); pgbench passes :topic and :body as parameters ($1, $2)
    P=""
    if [ "$HAVE_EXT" = 0 ]; then
        P="n/a ($EXT_ERR)"
    elif pgbench_run "$c" "-T $SECS" "$S/commit1.sql" -D "topic=bench_c$c" -D "body=$BODY"; then
        P="$TPS"
    else
        P="n/a ($ERR)"
    fi
    wait_ready
    sql -f "$S/plain_table.sql" >/dev/null
    if pgbench_run "$c" "-T $SECS" "$S/insert1.sql" -D "body=$BODY"; then B="$TPS"; else B="n/a ($ERR)"; fi
    Q=""
    if [ "$HAVE_PGQ" = 1 ] && ! pgq_queue "bench_qw$c" 500; then Q="n/a (PgQ setup: $ERR)"; fi
    [ -n "$Q" ] || measure_pgq - "$c" "-T $SECS" "$S/pgq_insert1.sql" 1 -D "queue=bench_qw$c" -D "body=$BODY"
    add_row "1. commit(topic, body), $c client$([ "$c" = 1 ] || echo s)" "$P" "$B" "$Q" "-" "tx/s" ">= 0.9" plain
done

# ---------------------------------------------------------------------------------------
# Case 2: 100 logs per call vs a 100-row INSERT, 1 client.
log "case 2: 100-log batch"
{
    printf "SELECT cardinality(pipeproc.commit('["
    for i in $(seq 1 100); do
        [ "$i" -gt 1 ] && printf ', '
        printf '{"topic": "bench_b", "body": {"n": %d, "payload": "pipeproc benchmark body of about one hundred bytes, in a batch .."}}' "$i"
    done
    printf "]'::jsonb));\n"
} >"$S/commit100.sql"
{
    printf 'INSERT INTO bench_plain (body) VALUES '
    for i in $(seq 1 100); do
        [ "$i" -gt 1 ] && printf ', '
        printf "('{\"n\": %d, \"payload\": \"pipeproc benchmark body of about one hundred bytes, in a batch ..\"}')" "$i"
    done
    printf ';\n'
} >"$S/insert100.sql"
{
    # 100 events in one statement (PgQ's ev_data is text: the same JSON, not validated)
    printf "SELECT count(pgq.insert_event('bench_qw100', 'ev', b)) FROM unnest('{"
    for i in $(seq 1 100); do
        [ "$i" -gt 1 ] && printf ','
        printf '"{\\"n\\": %d, \\"payload\\": \\"pipeproc benchmark body of about one hundred bytes, in a batch ..\\"}"' "$i"
    done
    printf "}'::text[]) b;\n"
} >"$S/pgq_insert100.sql"
measure_pipeproc - 1 "-T $SECS" "$S/commit100.sql" 100
measure_baseline "$S/plain_table.sql" 1 "-T $SECS" "$S/insert100.sql" 100
Q=""
if [ "$HAVE_PGQ" = 1 ] && ! pgq_queue bench_qw100 500; then Q="n/a (PgQ setup: $ERR)"; fi
[ -n "$Q" ] || measure_pgq - 1 "-T $SECS" "$S/pgq_insert100.sql" 100
add_row "2. commit(logs), 100 logs per call" "$P" "$B" "$Q" "-" "logs/s" ">= 0.8" plain

# ---------------------------------------------------------------------------------------
# Case 3: range of 1,000 logs at a random position vs an index-ordered SELECT.
# count(body) rather than count(*): with count(*) the planner drops the unused body column
# from the baseline's subquery and answers from the index alone, which reads no bodies.
log "case 3: range of $RANGE_COUNT logs ($BENCH_RANGE_LOGS-log topic)"
RMAX=$(( BENCH_RANGE_LOGS - RANGE_COUNT ))
cat >"$S/range.sql" <<EOF
\\set s random(0, $RMAX)
SELECT count(body) FROM pipeproc.range('bench_r', ':' || :s, NULL, $RANGE_COUNT);
EOF
cat >"$S/range_plain.sql" <<EOF
\\set s random(0, $RMAX)
SELECT count(body) FROM (SELECT seq, body FROM bench_rplain WHERE seq >= :s ORDER BY seq LIMIT $RANGE_COUNT) x;
EOF
wait_ready
sql >/dev/null <<EOF
DROP TABLE IF EXISTS bench_rplain;
CREATE TABLE bench_rplain (seq bigint PRIMARY KEY, ts bigint NOT NULL, body jsonb NOT NULL);
INSERT INTO bench_rplain
    SELECT i - 1, (extract(epoch FROM now()) * 1000)::bigint + (i - 1) / $LOAD_BATCH,
           jsonb_build_object('n', 1 + (i - 1) % $LOAD_BATCH, 'payload', repeat('x', 80))
    FROM generate_series(1, $BENCH_RANGE_LOGS) i;
EOF
RANGE_OK=1
if [ "$HAVE_EXT" = 1 ] && ! preload_topic bench_r "$BENCH_RANGE_LOGS"; then RANGE_OK=0; fi
vacuum_all
if [ "$RANGE_OK" = 1 ]; then
    if try_sql -c "SELECT count(body) FROM pipeproc.range('bench_r', ':$RMAX', NULL, $RANGE_COUNT)" \
            && [ "$(cat "$WORK/try.out")" != "$RANGE_COUNT" ]; then
        WARNINGS+=("range('bench_r', ':$RMAX', NULL, $RANGE_COUNT) returned $(cat "$WORK/try.out") rows, not $RANGE_COUNT")
    fi
    measure_pipeproc - 1 "-T $SECS" "$S/range.sql" 1
else
    P="n/a ($ERR)"
fi
RANGE_P=$P
measure_baseline - 1 "-T $SECS" "$S/range_plain.sql" 1
add_row "3. range, $RANGE_COUNT logs per call" "$RANGE_P" "$B" "-" "-" "calls/s" ">= 0.8" plain
RP=$RANGE_P; RB=$B
is_num "$RP" && RP="$(mul "$RP" "$RANGE_COUNT")"
is_num "$RB" && RB="$(mul "$RB" "$RANGE_COUNT")"
add_row "3. range, $RANGE_COUNT logs per call" "$RP" "$RB" "-" "-" "logs/s" ">= 0.8" plain

# ---------------------------------------------------------------------------------------
# Cases 4 and 5: one log per cycle (proc + ack) vs a SKIP LOCKED pop.
# Each kind runs BENCH_CYCLE_REPS times, the kinds taking turns (a queue table's pop slows
# down as dead rows pile up at the head of its index, so one run after the other would favour
# whichever ran first after the VACUUM); the median run is reported.
#   4   BEGIN; proc; ack; COMMIT: four round trips
#   4p  the same transaction pipelined as a client would send it: BEGIN + proc in one round
#       trip, ack + COMMIT in the next (the client has the log between the two)
#   4s  one statement, SELECT id, body, pipeproc.ack(name) FROM pipeproc.proc(topic, name):
#       claimed and acked at once, at most once, as the pop hands out a row
#   4's plain column: BEGIN; a one-row UPDATE; SELECT; COMMIT: the same four round trips and a
#       flushed commit with (almost) no work, the floor of any four-statement cycle
log "cases 4-5: one-log proc/ack cycle ($BENCH_Q1_LOGS logs preloaded, $BENCH_CYCLE_REPS run(s) of each)"
cat >"$S/cycle1_txn.sql" <<'EOF'
BEGIN;
SELECT * FROM pipeproc.proc('bench_p', 'bp1');
SELECT pipeproc.ack('bp1');
COMMIT;
EOF
cat >"$S/cycle1_pipe.sql" <<'EOF'
\startpipeline
BEGIN;
SELECT * FROM pipeproc.proc('bench_p', 'bp3');
\endpipeline
\startpipeline
SELECT pipeproc.ack('bp3');
COMMIT;
\endpipeline
EOF
cat >"$S/cycle1_one.sql" <<'EOF'
SELECT id, body, pipeproc.ack('bp4') AS acked FROM pipeproc.proc('bench_p', 'bp4');
EOF
cat >"$S/cycle1_auto.sql" <<'EOF'
SELECT * FROM pipeproc.proc('bench_p', 'bp2');
SELECT pipeproc.ack('bp2');
EOF
cat >"$S/pop1.sql" <<'EOF'
DELETE FROM bench_q WHERE id = (SELECT id FROM bench_q ORDER BY id FOR UPDATE SKIP LOCKED LIMIT 1) RETURNING *;
EOF
cat >"$S/floor4_setup.sql" <<'EOF'
DROP TABLE IF EXISTS bench_one;
CREATE TABLE bench_one (x bigint);
INSERT INTO bench_one VALUES (0);
EOF
cat >"$S/floor4.sql" <<'EOF'
BEGIN;
UPDATE bench_one SET x = x + 1;
SELECT 1;
COMMIT;
EOF
# PgQ consumer: one batch (here of one event) per transaction
pgq_consumer_script() {   # <queue> <select list for the events> <file>
    cat >"$3" <<EOF
BEGIN;
SELECT coalesce(pgq.next_batch('$1', 'bench'), 0) AS batch \\gset
\\if :batch > 0
SELECT $2 FROM pgq.get_batch_events(:batch);
SELECT pgq.finish_batch(:batch);
\\endif
COMMIT;
EOF
}
# median of the values given: numbers (a trailing ! marks an invalid one, and marks the
# median); if any value is not a number (n/a ...), that value
median() {
    local v bad="" mark="" nums=()
    for v in "$@"; do
        if is_num "${v%!}"; then
            nums+=("${v%!}")
            [ "$v" != "${v%!}" ] && mark="!"
        elif [ -z "$bad" ]; then
            bad=$v
        fi
    done
    if [ -n "$bad" ]; then printf '%s' "$bad"; return; fi
    printf '%s\n' "${nums[@]}" | sort -g |
        awk -v m="$mark" '{ a[NR] = $1 } END { printf "%s%s", (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2, m }'
}
pgq_consumer_script bench_pq1 '*' "$S/pgq_consume1.sql"
Q1_OK=1
if [ "$HAVE_EXT" = 1 ] && ! preload_topic bench_p "$BENCH_Q1_LOGS"; then Q1_OK=0; Q1_ERR=$ERR; fi
preload_queue bench_q "$BENCH_Q1_LOGS"
pgq_preload bench_pq1 1 "$BENCH_PGQ1_EVENTS" || true
QP1=$Q
sql -f "$S/floor4_setup.sql" >/dev/null
vacuum_all
# proc bp1 is created by the first cycle (offset '>'); bp2, bp3 and bp4 read the same topic
# afresh: procs only read a topic, so each finds it as the first did.
R4=(); R4P=(); R4S=(); R4B=(); R4F=()
for _ in $(seq "$BENCH_CYCLE_REPS"); do
    if [ "$Q1_OK" = 1 ]; then
        measure_pipeproc - 1 "-T $SECS" "$S/cycle1_txn.sql" 1 "$BENCH_Q1_LOGS" bp1
    else
        P="n/a ($Q1_ERR)"
    fi
    R4+=("$P")
    measure_baseline - 1 "-T $SECS" "$S/pop1.sql" 1 bench_q
    R4B+=("$B")
    if [ "$Q1_OK" = 1 ]; then
        measure_pipeproc - 1 "-T $SECS" "$S/cycle1_pipe.sql" 1 "$BENCH_Q1_LOGS" bp3
    else
        P="n/a ($Q1_ERR)"
    fi
    R4P+=("$P")
    if [ "$Q1_OK" = 1 ]; then
        measure_pipeproc - 1 "-T $SECS" "$S/cycle1_one.sql" 1 "$BENCH_Q1_LOGS" bp4
    else
        P="n/a ($Q1_ERR)"
    fi
    R4S+=("$P")
    measure_baseline - 1 "-T $SECS" "$S/floor4.sql" 1
    R4F+=("$B")
done
P4="$(median "${R4[@]}")"
B4="$(median "${R4B[@]}")"
P4P="$(median "${R4P[@]}")"
P4S="$(median "${R4S[@]}")"
F4="$(median "${R4F[@]}")"
log "  runs: proc+ack ${R4[*]}; pop ${R4B[*]}; pipelined ${R4P[*]}; one statement ${R4S[*]}; floor ${R4F[*]}"
Q=$QP1
measure_pgq_consume bench_pq1 "$BENCH_PGQ1_EVENTS" "$S/pgq_consume1.sql"
add_row "4. proc+ack, 1 log, one transaction" "$P4" "$F4" "$Q" "$B4" "logs/s" ">= 1.0" sl
add_row "4p. the same, pipelined: 2 round trips" "$P4P" "$F4" "-" "$B4" "logs/s" ">= 1.0" sl
add_row "4s. proc+ack in one statement (pop-like)" "$P4S" "-" "-" "$B4" "logs/s" ">= 1.0" sl
if [ "$Q1_OK" = 1 ]; then
    measure_pipeproc - 1 "-T $SECS" "$S/cycle1_auto.sql" 1 "$BENCH_Q1_LOGS" bp2
else
    P="n/a ($Q1_ERR)"
fi
add_row "5. proc; ack (two autocommits), 1 log" "$P" "-" "-" "$B4" "logs/s" "" sl

# ---------------------------------------------------------------------------------------
# Case 6: 100 logs per cycle vs SKIP LOCKED read + delete of 100 rows.
log "case 6: 100-log proc/ack cycle ($BENCH_Q100_LOGS logs preloaded)"
cat >"$S/cycle100.sql" <<'EOF'
BEGIN;
SELECT count(*) FROM pipeproc.proc('bench_p100', 'bp100', count => 100);
SELECT pipeproc.ack('bp100');
COMMIT;
EOF
cat >"$S/pop100.sql" <<'EOF'
BEGIN;
WITH x AS (SELECT id FROM bench_q2 ORDER BY id FOR UPDATE SKIP LOCKED LIMIT 100)
    DELETE FROM bench_q2 q USING x WHERE q.id = x.id RETURNING q.*;
COMMIT;
EOF
pgq_consumer_script bench_pq100 'count(*)' "$S/pgq_consume100.sql"
Q100_OK=1
if [ "$HAVE_EXT" = 1 ] && ! preload_topic bench_p100 "$BENCH_Q100_LOGS"; then Q100_OK=0; fi
Q100_ERR=$ERR
preload_queue bench_q2 "$BENCH_Q100_LOGS"
pgq_preload bench_pq100 100 "$BENCH_PGQ100_EVENTS" || true
QP100=$Q
vacuum_all
if [ "$Q100_OK" = 1 ]; then
    measure_pipeproc - 1 "-T $SECS" "$S/cycle100.sql" 100 "$BENCH_Q100_LOGS" bp100
else
    P="n/a ($Q100_ERR)"
fi
P6=$P
measure_baseline - 1 "-T $SECS" "$S/pop100.sql" 100 bench_q2
Q=$QP100
measure_pgq_consume bench_pq100 "$BENCH_PGQ100_EVENTS" "$S/pgq_consume100.sql"
add_row "6. proc+ack, count 100, one transaction" "$P6" "-" "$Q" "$B" "logs/s" ">= 2.0" sl

# ---------------------------------------------------------------------------------------
# Case 7: proc cost vs topic size. The same one-log cycle (one transaction) on a topic of
# SIZE_SMALL logs (proc from the start) and on one of SIZE_BIG logs (proc over its last
# WINDOW logs), SIZE_TX cycles per run, each run with a fresh proc, runs alternated.
human() { awk -v n="$1" 'BEGIN { if (n >= 1e6 && n % 1e6 == 0) printf "%dM", n/1e6; else if (n >= 1e3 && n % 1e3 == 0) printf "%dk", n/1e3; else printf "%d", n }'; }
log "case 7: proc cost vs topic size ($(human "$BENCH_SIZE_SMALL") vs $(human "$BENCH_SIZE_BIG") logs)"
PS=""; PB=""
if [ "$HAVE_EXT" = 0 ]; then
    PS="n/a ($EXT_ERR)"; PB=$PS
elif ! preload_topic bench_small "$BENCH_SIZE_SMALL" || ! preload_topic bench_big "$BENCH_SIZE_BIG"; then
    PS="n/a ($ERR)"; PB=$PS
else
    vacuum_all
    # the size curve (scale.sh) reuses these topics for the sizes they have
    READY_TOPIC[$BENCH_SIZE_SMALL]=bench_small
    READY_TOPIC[$BENCH_SIZE_BIG]=bench_big
    BIGLEN=""
    if try_sql -c "SELECT pipeproc.length('bench_big')" && BIGLEN="$(cat "$WORK/try.out")" && is_num "$BIGLEN"; then :; else
        BIGLEN=$BENCH_SIZE_BIG
    fi
    small_tx=0; small_t=0; big_tx=0; big_t=0
    for r in $(seq 1 "$BENCH_SIZE_REPS"); do
        order="small big"; [ $(( r % 2 )) = 0 ] && order="big small"
        for which in $order; do
            if [ "$which" = small ]; then topic=bench_small; off=">"; else topic=bench_big; off=":$(( BIGLEN - WINDOW - 1 ))"; fi
            name="bsz_${which}_$r"
            cat >"$S/size_$which.sql" <<EOF
BEGIN;
SELECT * FROM pipeproc.proc('$topic', '$name');
SELECT pipeproc.ack('$name');
COMMIT;
EOF
            # create the proc at its offset outside the measurement: the first call claims the
            # window's first log, which is acked at once
            if ! try_sql -c "SELECT count(*) FROM pipeproc.proc('$topic', '$name', from_offset => '$off')" \
                    -c "SELECT pipeproc.ack('$name')"; then
                PS="n/a ($ERR)"; PB=$PS; break 2
            fi
            pos0="$(proc_pos "$name")"
            if ! pgbench_run 1 "-t $SIZE_TX" "$S/size_$which.sql"; then
                PS="n/a ($ERR)"; PB=$PS; break 2
            fi
            pos1="$(proc_pos "$name")"
            if [ -n "$pos0" ] && [ -n "$pos1" ] && [ $(( pos1 - pos0 )) -ne "$TX" ]; then
                WARNINGS+=("case 7, $topic: $TX cycles delivered $(( pos1 - pos0 )) logs, not one each")
            fi
            if [ "$which" = small ]; then
                small_tx=$(( small_tx + TX )); small_t="$(awk -v a="$small_t" -v n="$TX" -v r="$TPS" 'BEGIN { print a + n / r }')"
            else
                big_tx=$(( big_tx + TX )); big_t="$(awk -v a="$big_t" -v n="$TX" -v r="$TPS" 'BEGIN { print a + n / r }')"
            fi
        done
    done
    if [ -z "$PS" ]; then
        PS="$(awk -v n="$small_tx" -v t="$small_t" 'BEGIN { printf "%.2f", n / t }')"
        PB="$(awk -v n="$big_tx" -v t="$big_t" 'BEGIN { printf "%.2f", n / t }')"
    fi
fi
if [ "$BENCH_SIZE_BIG" -lt 10000000 ]; then
    NOTES+=("case 7's big topic has $(human "$BENCH_SIZE_BIG") logs, not the 10M of the target ($MODE mode)")
fi
add_row "7. proc+ack, $(human "$BENCH_SIZE_SMALL")-log topic" "$PS" "-" "-" "-" "logs/s" "" plain
add_row "7. proc+ack, $(human "$BENCH_SIZE_BIG")-log topic vs $(human "$BENCH_SIZE_SMALL")" "$PB" "$PS" "-" "-" "logs/s" "~ 1.0" plain

fi   # table
# ---------------------------------------------------------------------------------------
# Cases 8 and 9 (what does not exist yet is said, not measured).
# has_fn <name>: a function pipeproc.<name> exists
has_fn() {
    [ "$HAVE_EXT" = 1 ] && try_sql -c "SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'pipeproc' AND p.proname = '$1'" \
        && [ "$(cat "$WORK/try.out")" != 0 ]
}
LIVE_NOTE=""
if want_part table; then
# Case 8: a system proc whose processor returns its input (jsonb_strip_nulls, a built-in C
# function; the bodies have no nulls), 100 logs per step, each result committed to another
# topic, run by run_system_procs(max_logs => 1000) calls; against the same work on plain
# tables: 100 rows taken with SKIP LOCKED, deleted, passed through the same function and
# inserted into an output table, per transaction.
if has_fn system_proc; then
    log "case 8: system proc, identity processor ($BENCH_SYS_LOGS logs preloaded)"
    cat >"$S/sys_run.sql" <<'EOF'
SELECT pipeproc.run_system_procs(max_logs => 1000);
EOF
    cat >"$S/sys_setup.sql" <<'EOF'
SELECT count(*) FROM pipeproc.system_proc('bench_sys', 'bench_sys_in', 'jsonb_strip_nulls(jsonb)',
                                          ARRAY['bench_sys_out'], count => 100);
EOF
    cat >"$S/sys_pop.sql" <<'EOF'
WITH x AS (DELETE FROM bench_sq WHERE id IN (SELECT id FROM bench_sq ORDER BY id FOR UPDATE SKIP LOCKED LIMIT 100) RETURNING body)
INSERT INTO bench_sq_out (body) SELECT jsonb_strip_nulls(body) FROM x;
EOF
    if preload_topic bench_sys_in "$BENCH_SYS_LOGS"; then
        measure_pipeproc "$S/sys_setup.sql" 1 "-T $SECS" "$S/sys_run.sql" 1000 "$BENCH_SYS_LOGS" bench_sys
    else
        P="n/a ($ERR)"
    fi
    P8=$P
    preload_queue bench_sq "$BENCH_SYS_LOGS"
    sql -c "DROP TABLE IF EXISTS bench_sq_out" -c "CREATE TABLE bench_sq_out (id bigserial PRIMARY KEY, body jsonb NOT NULL)" >/dev/null
    vacuum_all
    measure_baseline - 1 "-T $SECS" "$S/sys_pop.sql" 100 bench_sq
    add_row "8. system proc, identity processor" "$P8" "-" "-" "$B" "logs/s" "" sl
else
    add_row "8. system proc, identity processor" "not built yet" "-" "-" "-" "logs/s" "" plain
fi

# Case 9: live proc latency, by live_latency.c (compiled here against libpq): one writer
# commits a log, one listener waits for the notification and takes the log with proc + ack;
# one log in flight at a time, BENCH_LIVE_ITER times. Baseline: a plain queue table, INSERT
# + NOTIFY in one transaction, the listener pops with SKIP LOCKED. Medians in ms.
# live_run <mode> <topic|table>: sets LV to "commit notify notify99 deliver deliver99 empty"
LV=""
live_run() {
    local out="$WORK/live_$1.out"
    wait_ready
    sql -c CHECKPOINT >/dev/null 2>&1 || true
    if "$WORK/live_latency" "$1" "$BENCH_LIVE_ITER" "$2" >"$out" 2>&1; then
        LV="$(awk 'NF == 7 { print $2, $3, $4, $5, $6, $7 }' "$out")"
        log "  live_latency $1: $(cat "$out")"
        [ -n "$LV" ] || { LV="n/a (live_latency printed: $(head -c 100 "$out"))"; return 1; }
    else
        LV="n/a ($(first_error "$out"))"; return 1
    fi
}
log "case 9: live proc latency ($BENCH_LIVE_ITER logs, one in flight)"
LN=""; LD=""; BN=""; BD=""
if ! has_fn live_proc; then
    LN="not built yet"; LD=$LN
elif ! cc -O2 -o "$WORK/live_latency" "$BENCH_DIR/live_latency.c" -I"$("$PGBIN/pg_config" --includedir)" \
        -L"$("$PGBIN/pg_config" --libdir)" -lpq >"$WORK/cc.out" 2>&1; then
    LN="n/a (compiling live_latency.c: $(head -c 100 "$WORK/cc.out"))"; LD=$LN; BN=$LN; BD=$LN
else
    if live_run pipeproc bench_live; then
        read -r _ LN _ LD _ empty <<<"$LV"
        [ "$empty" = 0 ] || WARNINGS+=("case 9: $empty proc calls came back empty after a notification")
        LIVE_NOTE="pipeproc p99: notification $(cut -d' ' -f3 <<<"$LV") ms, log in hand $(cut -d' ' -f5 <<<"$LV") ms; writer's commit call $(cut -d' ' -f1 <<<"$LV") ms (median)"
    else
        LN=$LV; LD=$LV
    fi
    sql -c "DROP TABLE IF EXISTS bench_live_q" -c "CREATE TABLE bench_live_q (id bigserial PRIMARY KEY, body jsonb NOT NULL)" >/dev/null
    if live_run plain bench_live_q; then
        read -r _ BN _ BD _ _ <<<"$LV"
        LIVE_NOTE+="; SKIP LOCKED + NOTIFY p99: notification $(cut -d' ' -f3 <<<"$LV") ms, row in hand $(cut -d' ' -f5 <<<"$LV") ms"
    else
        BN=$LV; BD=$LV
    fi
fi
add_row "9. live proc: commit -> notification" "$LN" "-" "-" "$BN" "ms" "" sl
add_row "9. live proc: commit -> log claimed+acked" "$LD" "-" "-" "$BD" "ms" "" sl
fi   # table
T1=$(date +%s)

# ---------------------------------------------------------------------------------------
# Memory and scale curves (their own files; they append their report to $WORK/report_*.txt).
if want_part memory; then
    # shellcheck source=memory.sh
    . "$BENCH_DIR/memory.sh"
fi
T2=$(date +%s)
if want_part scale; then
    # shellcheck source=scale.sh
    . "$BENCH_DIR/scale.sh"
fi
T3=$(date +%s)

wait_ready
CRASHES="$(grep -cE 'terminated by signal|was terminated by exception' "$TMP/server.log" || true)"
if [ "${CRASHES:-0}" -gt 0 ]; then
    NOTES+=("the server log shows $CRASHES crashed backend(s): $(grep -m1 -E 'terminated by signal|was terminated by exception' "$TMP/server.log" | sed -E 's/^.*(LOG|ERROR): +//')")
fi

# ---------------------------------------------------------------------------------------
# Report.
PGVER="$("$PGBIN/postgres" --version)"
SRVVER="$(sql -c 'SHOW server_version')"
CPU="$(grep -m1 -E '^model name' /proc/cpuinfo | sed -E 's/^model name\s*:\s*//' || true)"
EXTVER="$(sql -c "SELECT extversion FROM pg_extension WHERE extname = 'pipeproc'" || true)"
PGQVER="$(sql -c "SELECT extversion FROM pg_extension WHERE extname = 'pgq'" || true)"

# ratio and table; an n/a cell shows a footnote number, the error is printed below the table
ERRS=()
footnote() {   # sets FN
    local v=$1 i
    FN=$v
    if [[ "$v" != "n/a ("*")" ]]; then return; fi
    v="${v#n/a (}"; v="${v%)}"
    for i in "${!ERRS[@]}"; do
        if [ "${ERRS[$i]}" = "$v" ]; then FN="n/a [$(( i + 1 ))]"; return; fi
    done
    ERRS+=("$v")
    FN="n/a [${#ERRS[@]}]"
}
ratio_of() {   # <pipeproc> <other> [unit]: p / other (other / p for times), "invalid" when a side drained, "-" otherwise
    if is_num "$1" && is_num "$2"; then
        if [ "${3:-}" = ms ]; then set -- "$2" "$1"; fi
        awk -v p="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", p / b; else print "-" }'
    elif [[ "$1" == *! || "$2" == *! ]]; then
        printf 'invalid'
    else
        printf -- '-'
    fi
}
TABLE="$WORK/table.tsv"
BEHIND_PGQ=(); AHEAD_PGQ=0; BEHIND_SL=(); AHEAD_SL=0
{
    printf 'case\tpipeproc\tplain\tPgQ\tSKIP LOCKED\tunit\tvs plain\tvs PgQ\tvs SKIP LOCKED\ttarget\n'
    for row in "${ROWS[@]}"; do
        IFS=$'\t' read -r c p b q l u t tref <<<"$row"
        rb="$(ratio_of "$p" "$b" "$u")"; rq="$(ratio_of "$p" "$q" "$u")"; rl="$(ratio_of "$p" "$l" "$u")"
        if is_num "$rq"; then
            if awk -v r="$rq" 'BEGIN { exit !(r < 1) }'; then BEHIND_PGQ+=("$c ($u): pipeproc $(fmt "$p"), PgQ $(fmt "$q"), ratio $rq"); else AHEAD_PGQ=$(( AHEAD_PGQ + 1 )); fi
        fi
        if is_num "$rl"; then
            if awk -v r="$rl" 'BEGIN { exit !(r < 1) }'; then BEHIND_SL+=("$c ($u): pipeproc $(fmt "$p"), SKIP LOCKED $(fmt "$l"), ratio $rl"); else AHEAD_SL=$(( AHEAD_SL + 1 )); fi
        fi
        ratio=$rb; [ "$tref" = sl ] && ratio=$rl
        shown_t="$t"
        if [ "$t" != - ] && is_num "$ratio"; then
            case "$t" in
                ">= "*) ok="$(awk -v r="$ratio" -v x="${t#>= }" 'BEGIN { print (r >= x) ? "met" : "MISSED" }')" ;;
                "~ "*)  ok="$(awk -v r="$ratio" 'BEGIN { print (r >= 0.8 && r <= 1.25) ? "met" : "MISSED" }')" ;;
                *) ok="" ;;
            esac
            shown_t="$t vs $([ "$tref" = sl ] && echo "SKIP LOCKED" || echo plain) ($ok)"
        fi
        out=("$c")
        for v in "$p" "$b" "$q" "$l"; do fv="$(fmt "$v")"; footnote "$fv"; out+=("$FN"); done
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "${out[@]}" "$u" "$rb" "$rq" "$rl" "$shown_t"
    done
} >"$TABLE"
REPORT="$WORK/report.txt"
{
echo
echo "pipeproc benchmark ($MODE mode: ${SECS} s per measurement)"
echo "date:     $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "machine:  $(nproc) CPUs, ${CPU:-unknown CPU}, $(awk '/MemTotal/ { printf "%.0f GB RAM", $2 / 1048576 }' /proc/meminfo); $( . /etc/os-release 2>/dev/null && echo "${PRETTY_NAME:-}")"
echo "postgres: $PGVER (server $SRVVER); pipeproc ${EXTVER:-not installed}; PgQ ${PGQVER:-not installed}"
echo "server:   temporary instance, shared_buffers 256MB, fsync on, synchronous_commit on, unix socket"
echo "pgbench:  -n -M prepared -T $SECS -c N -j N (case 7: -t $SIZE_TX per run, $BENCH_SIZE_REPS run(s) per topic)"
echo "sizes:    range topic $BENCH_RANGE_LOGS logs; one-log cycles $BENCH_Q1_LOGS; 100-log cycle $BENCH_Q100_LOGS; topic size $BENCH_SIZE_SMALL vs $BENCH_SIZE_BIG;"
echo "          PgQ $BENCH_PGQ1_EVENTS events in batches of 1, $BENCH_PGQ100_EVENTS in batches of 100"
for n in "${NOTES[@]+"${NOTES[@]}"}"; do echo "note:     $n"; done
echo
print_table "$TABLE"
for i in "${!ERRS[@]}"; do echo "[$(( i + 1 ))] ${ERRS[$i]}"; done
echo
echo "plain: cases 1-2 INSERT into a bigserial table; 3 index-ordered SELECT on a plain table; 4 the"
echo "floor of a four-statement cycle: BEGIN; a one-row UPDATE; SELECT 1; COMMIT; 7 the same cycle on"
echo "the small topic. PgQ: 1-2 pgq.insert_event; 4 and 6 batch consumption (next_batch,"
echo "get_batch_events, finish_batch; batches of 1 and 100 events, ticked by the script)."
echo "SKIP LOCKED: 4-6 pop (DELETE ... RETURNING) from a plain queue table (4p, 4s and 5 are compared"
echo "with 4's pop). 4 and 4p: BEGIN; proc; ack; COMMIT, sent as four statements (4) or pipelined as"
echo "BEGIN + proc, then ack + COMMIT (4p); 4s: SELECT id, body, pipeproc.ack(name) FROM"
echo "pipeproc.proc(topic, name), at most once like the pop; median of $BENCH_CYCLE_REPS run(s) of each, taking turns."
echo "8: run_system_procs(max_logs => 1000) calls on a system proc (count 100) whose processor is"
echo "jsonb_strip_nulls(jsonb), each result committed to another topic; SKIP LOCKED: 100 rows per"
echo "transaction deleted from a queue table, passed through jsonb_strip_nulls and inserted into another."
echo "9: median ms per log, one log in flight; SKIP LOCKED = plain queue table, INSERT + NOTIFY, pop on"
echo "notification. vs X = pipeproc / X for rates, X / pipeproc for times: above 1 pipeproc is faster."
echo "A value marked ! ran out of data (invalid)."
[ -n "$LIVE_NOTE" ] && echo "9: $LIVE_NOTE"
if [ "$HAVE_PGQ" = 1 ]; then
    echo "vs PgQ: pipeproc ahead in $AHEAD_PGQ case(s), behind in ${#BEHIND_PGQ[@]}$([ "${#BEHIND_PGQ[@]}" -gt 0 ] && echo ":")"
    for b in "${BEHIND_PGQ[@]+"${BEHIND_PGQ[@]}"}"; do echo "  behind PgQ: $b"; done
fi
echo "vs SKIP LOCKED: pipeproc ahead in $AHEAD_SL case(s), behind in ${#BEHIND_SL[@]}$([ "${#BEHIND_SL[@]}" -gt 0 ] && echo ":")"
for b in "${BEHIND_SL[@]+"${BEHIND_SL[@]}"}"; do echo "  behind SKIP LOCKED: $b"; done
for f in "$WORK/report_mem.txt" "$WORK/report_scale.txt"; do
    if [ -f "$f" ]; then echo; cat "$f"; fi
done
echo
for w in "${WARNINGS[@]+"${WARNINGS[@]}"}"; do echo "WARNING: $w"; done
echo "elapsed: $(( T1 - T0 )) s for the table, $(( T2 - T1 )) s for memory, $(( T3 - T2 )) s for the scale curves, $(( $(date +%s) - T_START )) s in all"
echo "command: cd $(cd "$BENCH_DIR/../.." && pwd) && $INVOKED"
} >"$REPORT"
cat "$REPORT"
if [ -n "$BENCH_OUT" ] && [ "$BENCH_OUT_TMP" = 0 ]; then
    cp "$REPORT" "$BENCH_OUT/latest.txt"
    echo "saved:    $BENCH_OUT/latest.txt$(ls "$BENCH_OUT"/*.png >/dev/null 2>&1 && printf ' and %s' "$(cd "$BENCH_OUT" && ls -- *.png | tr '\n' ' ')")"
fi

# Exit status: 1 when something errored (an n/a figure, a crashed backend); slow figures, a
# drained queue and a missing PgQ or gnuplot never fail the run.
FAILS=0
for e in "${ERRS[@]+"${ERRS[@]}"}"; do
    [ "$HAVE_PGQ" = 0 ] && [[ "$e" == PgQ* ]] && continue
    FAILS=$(( FAILS + 1 ))
done
for f in "$WORK/report_mem.txt" "$WORK/report_scale.txt"; do
    [ -f "$f" ] && FAILS=$(( FAILS + $(grep -c 'n/a' "$f" || true) ))
done
[ "${CRASHES:-0}" -gt 0 ] && FAILS=$(( FAILS + CRASHES ))
if [ "$FAILS" -gt 0 ]; then
    echo "FAILED: $FAILS error(s) above (n/a figures or crashed backends)" >&2
    exit 1
fi
