# test/bench/memory.sh — sourced by run.sh (uses its server, helpers and sizes).
#
# Peak resident memory of one backend that commits BENCH_MEM_LOGS logs in commit(logs) calls
# of 10,000 logs and then consumes all of them with one proc, claiming 1,000 logs per
# transaction (proc + ack). The backend reads its own /proc/<pg_backend_pid()>/status
# (pg_read_file, as the benchmark's superuser) at the start and after 10^4, 10^5, 10^6 ...
# logs committed and consumed. Then, in fresh backends, the VmHWM growth of one commit(logs)
# call of 10,000 logs, and of a plain INSERT of the same rows, against the batch's size.
#
# VmHWM (peak RSS) also counts the shared memory the backend has touched (shared_buffers,
# WAL buffers): those pages stay mapped, so RssShmem only grows, and VmHWM - RssShmem is a
# lower bound of the peak private memory. The report prints both.

MEM_REPORT="$WORK/report_mem.txt"
MEM_BATCH=10000
MEM_CLAIM=1000

# status_sql <phase> <logs>: one output row "mem|phase|logs|VmHWM|VmRSS|RssShmem|RssAnon" (kB)
status_sql() {
    cat <<EOF
SELECT 'mem', '$1', $2,
       (regexp_match(s, 'VmHWM:\\s+(\\d+)'))[1], (regexp_match(s, 'VmRSS:\\s+(\\d+)'))[1],
       (regexp_match(s, 'RssShmem:\\s+(\\d+)'))[1], (regexp_match(s, 'RssAnon:\\s+(\\d+)'))[1]
    FROM pg_read_file('/proc/' || pg_backend_pid() || '/status') s;
EOF
}
# is_mark <n>: n is 10^4, 10^5, ... (the points printed)
is_mark() { [[ "$1" =~ ^10000+$ ]]; }
mb() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }

memory_main() {
    local n c out
    log "memory: one backend commits $BENCH_MEM_LOGS logs ($MEM_BATCH per call), then consumes them ($MEM_CLAIM per claim)"
    if [ "$HAVE_EXT" = 0 ]; then echo "memory: n/a ($EXT_ERR)" >"$MEM_REPORT"; return; fi
    {
        echo "SELECT 'pid', pg_backend_pid();"
        status_sql start 0
        for (( n = MEM_BATCH; n <= BENCH_MEM_LOGS; n += MEM_BATCH )); do
            # the batch arrives as JSON text and is parsed (jsonb_in), as a client's parameter would be
            echo "SELECT cardinality(pipeproc.commit(('[' || string_agg(format('{\"topic\": \"bench_mem\", \"body\": {\"n\": %s, \"payload\": \"%s\"}}', i, repeat('x', 80)), ', ') || ']')::jsonb)) FROM generate_series(1, $MEM_BATCH) i;"
            if is_mark "$n"; then status_sql commit "$n"; fi
        done
        for (( n = MEM_CLAIM; n <= BENCH_MEM_LOGS; n += MEM_CLAIM )); do
            echo "BEGIN;"
            echo "SELECT count(*) FROM pipeproc.proc('bench_mem', 'bench_memp', count => $MEM_CLAIM);"
            echo "SELECT pipeproc.ack('bench_memp');"
            echo "COMMIT;"
            if is_mark "$n"; then status_sql consume "$n"; fi
        done
        echo "SELECT 'consumed', pipeproc.length(topic) - lag FROM pipeproc.procs WHERE name = 'bench_memp';"
    } >"$S/mem.sql"
    out="$WORK/mem.out"
    wait_ready
    if ! "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -At -f "$S/mem.sql" >"$out" 2>&1; then
        echo "memory: n/a ($(first_error "$out"))" >"$MEM_REPORT"; return
    fi
    local pid consumed
    pid="$(sed -nE 's/^pid\|([0-9]+)$/\1/p' "$out")"
    consumed="$(sed -nE 's/^consumed\|([0-9]+)$/\1/p' "$out")"
    [ "$consumed" = "$BENCH_MEM_LOGS" ] || WARNINGS+=("memory: the proc consumed ${consumed:-?} logs, not $BENCH_MEM_LOGS")

    # One call on a batch of 10,000 logs, each kind in a fresh backend warmed up by one small
    # call. The batch is built beforehand by another backend into a table (as JSON text and as
    # jsonb), so the measured backend holds no freed-but-resident memory from building it. Its
    # peak is reset just before the call (Linux: "5" written to /proc/<pid>/clear_refs sets
    # VmHWM to VmRSS; COPY ... TO '/proc/self/clear_refs' makes the backend do it).
    local kind before after size_txt="" size_jsonb=""
    local kinds="commit plain parse commit_text"
    sql >/dev/null <<EOF
DROP TABLE IF EXISTS bench_mem_plain, bench_mem_batch;
CREATE TABLE bench_mem_plain (id bigserial PRIMARY KEY, body jsonb NOT NULL);
CREATE TABLE bench_mem_batch AS
    SELECT '[' || string_agg(format('{"topic": "bench_mem1", "body": {"n": %s, "payload": "%s"}}', i, repeat('x', 80)), ', ') || ']' AS txt
    FROM generate_series(1, $MEM_BATCH) i;
ALTER TABLE bench_mem_batch ADD COLUMN logs jsonb, ADD COLUMN jsonb_bytes int;
UPDATE bench_mem_batch SET logs = txt::jsonb, jsonb_bytes = pg_column_size(txt::jsonb);
EOF
    declare -A D_HWM=() D_SHM=() WHAT=(
        [commit]="pipeproc.commit(logs), batch given as jsonb"
        [plain]="INSERT INTO plain table SELECT the bodies of the jsonb batch"
        [parse]="only parse the JSON text into jsonb (text::jsonb), no write"
        [commit_text]="pipeproc.commit(text::jsonb): parse and commit, as a client call"
    )
    for kind in $kinds; do
        {
            if [ "$kind" = plain ]; then
                echo "INSERT INTO bench_mem_plain (body) VALUES ('{\"n\": 0}');"
            else
                echo "SELECT cardinality(pipeproc.commit('[{\"topic\": \"bench_mem1\", \"body\": {\"n\": 0}}]'));"
            fi
            # (sizes from the row's stored form; the value itself is read only by the call)
            echo "SELECT 'size', octet_length(txt), jsonb_bytes FROM bench_mem_batch;"
            echo "COPY (SELECT 5) TO '/proc/self/clear_refs';"
            status_sql before 0
            case "$kind" in
                commit)      echo "SELECT cardinality(pipeproc.commit(logs)) FROM bench_mem_batch;" ;;
                plain)       echo "INSERT INTO bench_mem_plain (body) SELECT e -> 'body' FROM bench_mem_batch b, jsonb_array_elements(b.logs) e;" ;;
                parse)       echo "SELECT jsonb_array_length(txt::jsonb) FROM bench_mem_batch;" ;;
                commit_text) echo "SELECT cardinality(pipeproc.commit(txt::jsonb)) FROM bench_mem_batch;" ;;
            esac
            status_sql after 0
        } >"$S/mem1_$kind.sql"
        wait_ready
        if ! "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -At -f "$S/mem1_$kind.sql" >"$WORK/mem1_$kind.out" 2>&1; then
            D_HWM[$kind]="n/a ($(first_error "$WORK/mem1_$kind.out"))"; continue
        fi
        size_txt="$(sed -nE 's/^size\|([0-9]+)\|([0-9]+)$/\1/p' "$WORK/mem1_$kind.out")"
        size_jsonb="$(sed -nE 's/^size\|([0-9]+)\|([0-9]+)$/\2/p' "$WORK/mem1_$kind.out")"
        before="$(grep '^mem|before|' "$WORK/mem1_$kind.out")"
        after="$(grep '^mem|after|' "$WORK/mem1_$kind.out")"
        # peak during the call above the RSS at its start
        D_HWM[$kind]=$(( $(cut -d'|' -f4 <<<"$after") - $(cut -d'|' -f5 <<<"$before") ))
        D_SHM[$kind]=$(( $(cut -d'|' -f6 <<<"$after") - $(cut -d'|' -f6 <<<"$before") ))
    done

    {
        echo "memory: one backend (pid $pid) commits $BENCH_MEM_LOGS logs in commit(logs) calls of $MEM_BATCH logs (each"
        echo "batch sent as JSON text and parsed, as a client's parameter would be), then consumes them all with"
        echo "proc(count => $MEM_CLAIM) + ack, one claim per transaction; /proc/<pid>/status, MB. Shared memory the"
        echo "backend touches (buffers it writes or reads) stays in its RSS, so RssShmem grows with the data;"
        echo "VmHWM - RssShmem bounds the private peak from below."
        {
            printf 'phase\tlogs\tVmHWM\tRssShmem\tVmHWM - RssShmem\tRssAnon now\n'
            grep '^mem|' "$out" | while IFS='|' read -r _ ph n hwm _ shm anon; do
                printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$ph" "$n" "$(mb "$hwm")" "$(mb "$shm")" "$(mb $(( hwm - shm )))" "$(mb "$anon")"
            done
        } >"$WORK/mem.tsv"
        print_table "$WORK/mem.tsv"
        if [ -n "$size_txt" ] && [ -n "$size_jsonb" ]; then
            echo "one call on a batch of $MEM_BATCH logs ($(mb $(( size_txt / 1024 ))) MB as JSON text, $(mb $(( size_jsonb / 1024 ))) MB as jsonb), each in a"
            echo "fresh backend after a small warm-up call, the batch stored beforehand by another backend; growth ="
            echo "peak during the call (VmHWM reset just before it) - VmRSS before it; x = growth / JSON text size:"
            {
                printf 'call\tpeak growth MB\tx batch\tof which shared MB\tprivate MB\tx batch\n'
                for kind in $kinds; do
                    if is_num "${D_HWM[$kind]:-}"; then
                        printf '%s\t%s\t%s\t%s\t%s\t%s\n' "${WHAT[$kind]}" "$(mb "${D_HWM[$kind]}")" \
                            "$(awk -v d="${D_HWM[$kind]}" -v b="$size_txt" 'BEGIN { printf "%.1f", d * 1024 / b }')" \
                            "$(mb "${D_SHM[$kind]}")" "$(mb $(( D_HWM[$kind] - D_SHM[$kind] )))" \
                            "$(awk -v d=$(( D_HWM[$kind] - D_SHM[$kind] )) -v b="$size_txt" 'BEGIN { printf "%.1f", d * 1024 / b }')"
                    else
                        printf '%s\t%s\t-\t-\t-\t-\n' "${WHAT[$kind]}" "${D_HWM[$kind]:-n/a}"
                    fi
                done
            } >"$WORK/mem1.tsv"
            print_table "$WORK/mem1.tsv"
        fi
    } >"$MEM_REPORT"
}
memory_main
