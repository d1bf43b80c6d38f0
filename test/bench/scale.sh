# test/bench/scale.sh — sourced by run.sh (uses its server, helpers and sizes).
#
# Scale curves: commit rate and proc rate against
#   - topic size      (BENCH_SCALE_SIZES logs in the topic before the point),
#   - number of topics (BENCH_SCALE_TOPICS; commits and procs go round-robin over them),
#   - number of procs on one topic (BENCH_SCALE_PROCS; proc cycles go round-robin over them).
# Each point: new procs are created at offset '$>' (only logs committed after them); then
# pgbench -t <commits> single-log commits (1 client), then -t <cycles> one-log proc+ack
# cycles (BEGIN; proc; ack; COMMIT) that read the logs those commits added.
# commits = max(BENCH_SCALE_COMMITS, 5 x N) and cycles = max(BENCH_SCALE_TX, 5 x N), so every
# topic or proc is visited at least five times per run (a new backend's first visit to a
# topic is cold: it fills the relation cache). Sessions run with synchronous_commit = off: a
# single-log transaction waits ~0.2 ms for its WAL flush on this kind of VM, which would hide
# the per-call costs the curves are for. Tables go to the report; data and PNG plots
# (gnuplot) to $BENCH_OUT. Then the GC curve (gc_curve, below).

SCALE_REPORT="$WORK/report_scale.txt"
SCALE_VISITS=5
SCALE_BASE_PGOPTIONS=$PGOPTIONS
export PGOPTIONS="$SCALE_BASE_PGOPTIONS -c synchronous_commit=off"
: >"$SCALE_REPORT"

cat >"$S/scale_commit.sql" <<'EOF'
SELECT pipeproc.commit(:topic, :body::jsonb);
EOF
cat >"$S/scale_proc.sql" <<'EOF'
BEGIN;
SELECT * FROM pipeproc.proc(:topic, :name);
SELECT pipeproc.ack(:name);
COMMIT;
EOF
# round-robin: pgbench keeps a client's variables from one transaction to the next
cat >"$S/scale_commit_topics.sql" <<'EOF'
\set t (:t + 1) % :n
SELECT pipeproc.commit('bench_st_' || :t::int, :body::jsonb);
EOF
cat >"$S/scale_proc_topics.sql" <<'EOF'
\set t (:t + 1) % :n
BEGIN;
SELECT * FROM pipeproc.proc('bench_st_' || :t::int, 'bench_stp_' || :t::int);
SELECT pipeproc.ack('bench_stp_' || :t::int);
COMMIT;
EOF
cat >"$S/scale_proc_procs.sql" <<'EOF'
\set t (:t + 1) % :n
BEGIN;
SELECT * FROM pipeproc.proc('bench_sp', 'bench_spp_' || :t::int);
SELECT pipeproc.ack('bench_spp_' || :t::int);
COMMIT;
EOF

# acked <LIKE pattern>: logs acked so far by the procs whose names match
acked() {
    local v=""
    if try_sql -c "SELECT coalesce(sum(pipeproc.length(topic) - lag), 0) FROM pipeproc.procs WHERE name LIKE '$1'"; then
        v="$(cat "$WORK/try.out")"
    fi
    if is_num "$v"; then printf '%s' "$v"; else printf '%s' ""; fi
}
# best <a> <b>: the larger of two rates (an empty or n/a one loses)
best() { if ! is_num "$1"; then printf '%s' "$2"; elif ! is_num "$2"; then printf '%s' "$1"; else awk -v a="$1" -v b="$2" 'BEGIN { print (a >= b) ? a : b }'; fi; }
# scale_point <what> <commits> <cycles> <proc LIKE pattern> <commit script> <proc script> [pgbench -D args]
#   BENCH_SCALE_REPS commit runs, then as many proc runs; sets SC and SP to the best rate of
#   each kind (interference from other processes only slows a run down), or "n/a (...)"
scale_point() {
    local what=$1 nc=$2 np=$3 pat=$4 cs=$5 ps=$6 a0 a1 r
    shift 6
    SC=""; SP=""
    for r in $(seq 1 "$BENCH_SCALE_REPS"); do
        if pgbench_run 1 "-t $nc" "$cs" "$@" -D "body=$BODY"; then SC="$(best "$SC" "$TPS")"; else SC="n/a ($ERR)"; break; fi
    done
    a0="$(acked "$pat")"
    for r in $(seq 1 "$BENCH_SCALE_REPS"); do
        if pgbench_run 1 "-t $np" "$ps" "$@"; then SP="$(best "$SP" "$TPS")"; else SP="n/a ($ERR)"; return; fi
    done
    a1="$(acked "$pat")"
    if [ -n "$a0" ] && [ -n "$a1" ] && [ $(( a1 - a0 )) -ne $(( np * BENCH_SCALE_REPS )) ]; then
        WARNINGS+=("scale, $what: $(( np * BENCH_SCALE_REPS )) proc cycles delivered $(( a1 - a0 )) logs, not one each")
        SP="$(awk -v r="$SP" -v d=$(( a1 - a0 )) -v n=$(( np * BENCH_SCALE_REPS )) 'BEGIN { printf "%.2f", r * d / n }')"
    fi
}
# scale_curve <id> <x label> <title> <rows file: x \t commit \t proc>: table, data file, plot
scale_curve() {
    local id=$1 xl=$2 title=$3 rows=$4 dat="$BENCH_OUT/scale-$1.tsv"
    {
        echo "$title"
        {
            printf '%s\tcommit/s\tvs first\tproc+ack/s\tvs first\n' "$xl"
            awk -F'\t' '
                function r(v, f) { return (v ~ /^[0-9.]+$/ && f ~ /^[0-9.]+$/ && f > 0) ? sprintf("%.2f", v / f) : "-" }
                function num(v) { return (v ~ /^[0-9.]+$/) ? sprintf("%.0f", v) : v }
                NR == 1 { fc = $2; fp = $3 }
                { printf "%s\t%s\t%s\t%s\t%s\n", $1, num($2), r($2, fc), num($3), r($3, fp) }' "$rows"
        } >"$WORK/scale_$id.table"
        print_table "$WORK/scale_$id.table"
        awk -F'\t' '
            function sum(name, col,   i, lo, hi, n, first, last) {
                n = 0
                for (i = 1; i <= NR; i++) if (v[i, col] ~ /^[0-9.]+$/) {
                    x = v[i, col] + 0; if (n == 0) { lo = x; hi = x; first = x } last = x
                    if (x < lo) lo = x; if (x > hi) hi = x; n++
                }
                if (n < 2) return name ": -"
                return sprintf("%s: last/first %.2f, max/min %.2f", name, last / first, hi / lo)
            }
            { v[NR, 2] = $2; v[NR, 3] = $3 }
            END { print "  " sum("commit", 2) "; " sum("proc+ack", 3) }' "$rows"
        echo
    } >>"$SCALE_REPORT"
    { printf '# %s\n# x\tcommit_per_s\tproc_ack_per_s\n' "$title"
      awk -F'\t' '{ for (i = 2; i <= 3; i++) if ($i !~ /^[0-9.]+$/) $i = "NaN"; print $1 "\t" $2 "\t" $3 }' OFS='\t' "$rows"; } >"$dat"
    if command -v gnuplot >/dev/null 2>&1; then
        if ! gnuplot >"$WORK/gnuplot.out" 2>&1 <<EOF
set terminal pngcairo size 640,400 font ",9"
set output '$BENCH_OUT/scale-$id.png'
set title "pipeproc: $title\n1 client, synchronous_commit off, best of $BENCH_SCALE_REPS run(s) per point ($MODE mode)" noenhanced
set logscale x
set xlabel "$xl" noenhanced
set ylabel "per second (1 client)"
set yrange [0:*]
set grid
set key bottom left
set datafile missing "NaN"
plot '$dat' using 1:2 with linespoints lw 2 pt 7 title "commit(topic, body)", \
     '$dat' using 1:3 with linespoints lw 2 pt 5 title "proc + ack, 1 log"
EOF
        then
            WARNINGS+=("gnuplot failed for scale-$id.png: $(head -c 200 "$WORK/gnuplot.out")")
        fi
    fi
}
# make_topics <from> <to>: topics bench_st_<from> .. bench_st_<to - 1> (one log each, 100
# topics per transaction) and a proc bench_stp_<i> at offset '$>' on each
make_topics() {
    local a=$1 b=$2 i j
    {
        for (( i = a; i < b; i += 100 )); do
            j=$(( i + 100 < b ? i + 100 : b ))
            echo "SELECT cardinality(pipeproc.commit(jsonb_agg(jsonb_build_object('topic', 'bench_st_' || i, 'body', jsonb_build_object('n', 0))))) FROM generate_series($i, $(( j - 1 ))) i;"
            echo "SELECT count(*) FROM generate_series($i, $(( j - 1 ))) i, LATERAL pipeproc.proc('bench_st_' || i, 'bench_stp_' || i, from_offset => '\$>');"
        done
    } >"$S/make_topics.sql"
    try_sql -f "$S/make_topics.sql" >/dev/null
}
# make_procs <from> <to>: procs bench_spp_<from> .. <to - 1> on topic bench_sp at offset '$>'
make_procs() {
    try_sql -c "SELECT count(*) FROM generate_series($1, $(( $2 - 1 ))) i, LATERAL pipeproc.proc('bench_sp', 'bench_spp_' || i, from_offset => '\$>')" >/dev/null
}
max() { if [ "$1" -ge "$2" ]; then echo "$1"; else echo "$2"; fi; }

scale_main() {
    local n topic nc np rows made t0
    if [ "$HAVE_EXT" = 0 ]; then echo "scale curves: n/a ($EXT_ERR)" >"$SCALE_REPORT"; return; fi
    echo "scale curves: 1 client, synchronous_commit off; per point, $BENCH_SCALE_REPS pgbench -t run(s) of single-log" >>"$SCALE_REPORT"
    echo "commits (at least $BENCH_SCALE_COMMITS each), then $BENCH_SCALE_REPS of one-log proc+ack cycles (at least $BENCH_SCALE_TX)" >>"$SCALE_REPORT"
    echo "reading the logs those commits added; the best run of each kind is shown; 'vs first' = rate /" >>"$SCALE_REPORT"
    echo "rate at the first point (flat = 1)." >>"$SCALE_REPORT"
    vacuum_all
    echo >>"$SCALE_REPORT"

    # topic size
    rows="$WORK/scale_size.rows"; : >"$rows"
    for n in $BENCH_SCALE_SIZES; do
        t0=$(date +%s)
        log "scale: topic of $n logs"
        topic="${READY_TOPIC[$n]:-bench_ss_$n}"
        if [ -z "${READY_TOPIC[$n]:-}" ] && ! preload_topic "$topic" "$n"; then
            printf '%s\tn/a (%s)\tn/a (%s)\n' "$n" "$ERR" "$ERR" >>"$rows"; continue
        fi
        # a fresh topic: vacuum it (as the table cases do), so autovacuum does not start mid-point
        [ -z "${READY_TOPIC[$n]:-}" ] && vacuum_topic "$topic"
        if ! try_sql -c "SELECT count(*) FROM pipeproc.proc('$topic', 'bench_ssp_$n', from_offset => '\$>')"; then
            printf '%s\tn/a (%s)\tn/a (%s)\n' "$n" "$ERR" "$ERR" >>"$rows"; continue
        fi
        scale_point "topic of $n logs" "$BENCH_SCALE_COMMITS" "$BENCH_SCALE_TX" "bench_ssp_$n" \
            "$S/scale_commit.sql" "$S/scale_proc.sql" -D "topic=$topic" -D "name=bench_ssp_$n"
        printf '%s\t%s\t%s\n' "$n" "$SC" "$SP" >>"$rows"
        log "  point done in $(( $(date +%s) - t0 )) s"
    done
    scale_curve size "logs in the topic" "rate vs topic size" "$rows"

    # procs on one topic
    rows="$WORK/scale_procs.rows"; : >"$rows"
    made=0
    if ! try_sql -c "SELECT pipeproc.commit('bench_sp', '{\"n\": 0}')"; then
        printf '%s\tn/a (%s)\tn/a (%s)\n' "-" "$ERR" "$ERR" >>"$rows"
    else
        for n in $BENCH_SCALE_PROCS; do
            t0=$(date +%s)
            log "scale: $n procs on one topic"
            if [ "$n" -gt "$made" ]; then
                if ! make_procs "$made" "$n"; then printf '%s\tn/a (%s)\tn/a (%s)\n' "$n" "$ERR" "$ERR" >>"$rows"; continue; fi
                made=$n
            fi
            np=$(max "$BENCH_SCALE_TX" $(( SCALE_VISITS * n )))
            nc=$(max "$BENCH_SCALE_COMMITS" "$np")
            scale_point "$n procs on one topic" "$nc" "$np" "bench\\_spp\\_%" \
                "$S/scale_commit.sql" "$S/scale_proc_procs.sql" -D topic=bench_sp -D t=-1 -D "n=$n"
            printf '%s\t%s\t%s\n' "$n" "$SC" "$SP" >>"$rows"
            log "  point done in $(( $(date +%s) - t0 )) s"
        done
    fi
    scale_curve procs "procs on the topic" "rate vs number of procs on one topic" "$rows"

    # number of topics (last: thousands of topics make the catalogs big for what follows)
    rows="$WORK/scale_topics.rows"; : >"$rows"
    made=0
    for n in $BENCH_SCALE_TOPICS; do
        t0=$(date +%s)
        log "scale: $n topics"
        if [ "$n" -gt "$made" ]; then
            if ! make_topics "$made" "$n"; then printf '%s\tn/a (%s)\tn/a (%s)\n' "$n" "$ERR" "$ERR" >>"$rows"; continue; fi
            log "  created topics $made..$(( n - 1 )) in $(( $(date +%s) - t0 )) s"
            made=$n
        fi
        np=$(max "$BENCH_SCALE_TX" $(( SCALE_VISITS * n )))
        nc=$(max "$BENCH_SCALE_COMMITS" "$np")
        scale_point "$n topics" "$nc" "$np" "bench\\_stp\\_%" \
            "$S/scale_commit_topics.sql" "$S/scale_proc_topics.sql" -D t=-1 -D "n=$n"
        printf '%s\t%s\t%s\n' "$n" "$SC" "$SP" >>"$rows"
        log "  point done in $(( $(date +%s) - t0 )) s"
    done
    scale_curve topics "topics" "rate vs number of topics (round-robin over them)" "$rows"

    gc_curve
}
# GC time vs logs collected. gc() acts on the topics its caller owns (a superuser's call on
# all of them), so the GC topics belong to a role of their own, bench_gc, which makes the
# calls: the other topics of the run are not collected (a role rather than a database of
# its own, so the curve runs on the same server and database as the rest). Per point: a fresh topic of N logs with no proc, a CHECKPOINT,
# then, in one session, SET pipeproc.gc_min_prune_time = 0 and SELECT pipeproc.gc()
# (autocommit: the time includes the commit), timed with clock_timestamp() around it.
# Earlier points' topics are already empty.
gc_curve() {
    local n rows="$WORK/scale_gc.rows" out dat="$BENCH_OUT/scale-gc.tsv" got secs
    if ! has_fn gc; then
        echo "GC time vs logs collected: GC not built yet" >>"$SCALE_REPORT"; return
    fi
    : >"$rows"
    if ! try_sql -c "DROP ROLE IF EXISTS bench_gc" -c "CREATE ROLE bench_gc LOGIN" \
            -c "GRANT USAGE ON SCHEMA pipeproc TO bench_gc"; then
        echo "GC time vs logs collected: n/a ($ERR)" >>"$SCALE_REPORT"; return
    fi
    cat >"$S/gc.sql" <<'EOF'
SET pipeproc.gc_min_prune_time = 0;
SELECT extract(epoch FROM clock_timestamp()) AS t0 \gset
SELECT pipeproc.gc() AS collected \gset
SELECT 'gc', :collected, round((extract(epoch FROM clock_timestamp()) - :t0)::numeric, 4);
EOF
    for n in $BENCH_SCALE_GC; do
        log "scale: gc() of a $n-log topic"
        if ! PGUSER=bench_gc preload_topic "bench_gc_$n" "$n"; then
            printf '%s\tn/a (%s)\t-\n' "$n" "$ERR" >>"$rows"; continue
        fi
        try_sql -c CHECKPOINT >/dev/null || true
        if ! PGUSER=bench_gc try_sql -f "$S/gc.sql"; then
            printf '%s\tn/a (%s)\t-\n' "$n" "$ERR" >>"$rows"; continue
        fi
        got="$(sed -nE 's/^gc\|([0-9]+)\|.*/\1/p' "$WORK/try.out")"
        secs="$(sed -nE 's/^gc\|[0-9]+\|([0-9.]+)$/\1/p' "$WORK/try.out")"
        log "  collected $got logs in $secs s"
        [ "$got" = "$n" ] || WARNINGS+=("scale, gc: a $n-log topic, gc() collected ${got:-?} logs")
        printf '%s\t%s\t%s\n' "$n" "${secs:-n/a (no timing)}" "${got:-?}" >>"$rows"
    done
    {
        echo "GC time vs logs collected (a fresh N-log topic with no proc per point, owned by the calling"
        echo "role so only it is collected; gc_min_prune_time 0, one gc() call in autocommit, with its commit)"
        {
            printf 'logs in the topic\tcollected\tgc() seconds\tlogs/s\n'
            awk -F'\t' '{ r = ($2 ~ /^[0-9.]+$/ && $2 > 0) ? sprintf("%.0f", $3 / $2) : "-"; printf "%s\t%s\t%s\t%s\n", $1, $3, $2, r }' "$rows"
        } >"$WORK/scale_gc.table"
        print_table "$WORK/scale_gc.table"
        echo
    } >>"$SCALE_REPORT"
    { printf '# GC time vs logs collected\n# logs\tseconds\n'
      awk -F'\t' '{ print $1 "\t" (($2 ~ /^[0-9.]+$/) ? $2 : "NaN") }' "$rows"; } >"$dat"
    if command -v gnuplot >/dev/null 2>&1; then
        if ! gnuplot >"$WORK/gnuplot.out" 2>&1 <<EOF
set terminal pngcairo size 640,400 font ",9"
set output '$BENCH_OUT/scale-gc.png'
set title "pipeproc: gc() time vs logs collected\n(one topic, no procs, gc_min_prune_time 0; $MODE mode)" noenhanced
set logscale xy
set xlabel "logs collected"
set ylabel "seconds"
set grid
set key off
set datafile missing "NaN"
plot '$dat' using 1:2 with linespoints lw 2 pt 7
EOF
        then
            WARNINGS+=("gnuplot failed for scale-gc.png: $(head -c 200 "$WORK/gnuplot.out")")
        fi
    fi
}
scale_main
export PGOPTIONS="$SCALE_BASE_PGOPTIONS"
