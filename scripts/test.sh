#!/usr/bin/env bash
# scripts/test.sh — build, install and run every pipeproc test (regress, isolation, TAP,
# fuzzing, sanitizers).
#
#   scripts/test.sh             install dependencies (scripts/deps.sh), then build and test
#   scripts/test.sh --no-deps   skip the apt step
#   scripts/test.sh --no-fuzz   skip the libFuzzer run (scripts/fuzz.sh)
#   scripts/test.sh --no-asan   skip the ASan/UBSan run of the suites (scripts/asan.sh)
#   scripts/test.sh --no-bench  skip the benchmark's smoke mode (test/bench/run.sh --smoke)
#   scripts/test.sh --keep      keep the temporary test tree even when everything passed
#
# Builds and installs with PGXS as root, copies the tree to a temporary directory owned by
# the unprivileged `postgres` user (initdb refuses to run as root) and runs
# `make installcheck` there; the Makefile's installcheck starts its own temporary servers.
# Then runs the parsers' fuzz harnesses for a short time (phase `fuzz`, one result per
# target) and the suites again against a sanitized build in a private copy of PostgreSQL
# (phase `asan`, one result per suite plus one for sanitizer reports in the server logs).
# Last, the benchmark in smoke mode (phase `bench`: it passes if every case ran; no timing
# is asserted), so that the benchmark cannot rot.
# All output goes to the terminal and to a log file (its path is printed at the end).
# The last line is always `N passed, N failed`; the exit status is non-zero if anything
# failed or if no test ran.
# Environment: PG_CONFIG (default /usr/lib/postgresql/15/bin/pg_config),
#   PIPEPROC_TEST_TIMEOUT (seconds for all installcheck runs together, default 2700),
#   PIPEPROC_TEST_LOG (log file path), PIPEPROC_FUZZ_SECONDS (fuzzing time in all, default 60),
#   PIPEPROC_ASAN_TIMEOUT (seconds per suite of the sanitized run, default 900).
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
TEST_USER=postgres
TIMEOUT=${PIPEPROC_TEST_TIMEOUT:-2700}
FUZZ_SECONDS=${PIPEPROC_FUZZ_SECONDS:-60}

do_deps=1
do_fuzz=1
do_asan=1
do_bench=1
keep=0
for arg in "$@"; do
  case $arg in
    --no-deps) do_deps=0 ;;
    --no-fuzz) do_fuzz=0 ;;
    --no-asan) do_asan=0 ;;
    --no-bench) do_bench=0 ;;
    --keep) keep=1 ;;
    -h|--help) sed -n '2,26p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "test.sh: unknown argument: $arg (try --help)" >&2; exit 2 ;;
  esac
done

LOG=${PIPEPROC_TEST_LOG:-$(mktemp /var/tmp/pipeproc-test.XXXXXX.log)}
: > "$LOG"
chmod 644 "$LOG"

is_root() { [[ ${EUID:-$(id -u)} -eq 0 ]]; }

# Run a command as root (sudo when we are not root).
as_root() {
  if is_root; then "$@"; elif command -v sudo >/dev/null 2>&1; then sudo "$@"; else "$@"; fi
}

# Run a command as the unprivileged test user, with a clean libpq environment.
as_test_user() {
  local -a envs=(env -u PGHOST -u PGPORT -u PGUSER -u PGDATABASE -u PGSERVICE -u PGOPTIONS
                 -u PGDATA -u PGHOSTADDR
                 "PATH=$(dirname "$PG_CONFIG"):/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
  if is_root; then
    local home
    home=$(getent passwd "$TEST_USER" | cut -d: -f6)
    runuser -u "$TEST_USER" -- "${envs[@]}" "HOME=${home:-/tmp}" "$@"
  else
    "${envs[@]}" "$@"
  fi
}

section() { printf '\n=== %s ===\n' "$*"; }

# ---------------------------------------------------------------------------
RESULTS=         # file of "phase<TAB>name<TAB>status" lines, status ok|skipped|FAILED...
WORK=

add_result() { printf '%s\t%s\t%s\n' "$1" "$2" "$3" >> "$RESULTS"; }

# Does result text (stdin) contain a test that neither passed nor was skipped?
has_failures() { awk -F'\t' 'NF && $3 !~ /^(ok|skipped)/ { bad = 1 } END { exit !bad }'; }

# Parse installcheck output (stdin) into result lines (stdout).
# Formats (PostgreSQL 15):
#   +++ regress install-check in  +++         phase markers printed by PGXS
#   +++ isolation install-check in  +++
#   +++ tap install-check in  +++
#   test basic                        ... ok           47 ms      (pg_regress, serial)
#   parallel group (2 tests):  broken basic2
#        broken                       ... FAILED       52 ms      (pg_regress, in a group)
#   test x   ... failed (ignored)     / anything else after "... " (e.g. a diff error) = failed
#   ok 1         - basic    15 ms  /  not ok 2  + x               (PostgreSQL 16+ pg_regress)
#   t/001_basic.pl .. ok                                          (prove)
#   t/002_fail.pl ... (status on a later line: Dubious / Failed n/m subtests)
#   t/002_fail.pl (Wstat: 256 (exited 1) Tests: 1 Failed: 1)     (prove summary report)
parse_output() {
  awk '
    function flush_tap(   f) {
      for (f in tap_pending) {
        if (f in tap_failed) st = "FAILED"
        else if (tap_allok) st = "ok"
        else st = "FAILED (no result)"
        print "tap\t" f "\t" st
      }
      for (f in tap_failed) if (!(f in tap_pending) && !(f in tap_done)) print "tap\t" f "\tFAILED"
      delete tap_pending; delete tap_failed; delete tap_done; tap_allok = 0
    }
    BEGIN { phase = "pg_regress" }
    /^\+\+\+ regress install-check/   { flush_tap(); phase = "regress"; next }
    /^\+\+\+ isolation install-check/ { flush_tap(); phase = "isolation"; next }
    /^\+\+\+ tap install-check/       { flush_tap(); phase = "tap"; next }
    /^=== pipeproc-segment-end ===/   { flush_tap(); phase = "pg_regress"; next }
    phase != "tap" && /^(test +| +)[^ ]+ +\.\.\. / {
      line = $0
      sub(/^ +/, "", line); sub(/^test +/, "", line)
      name = line; sub(/ .*/, "", name)
      st = line; sub(/^[^ ]+ +\.\.\. */, "", st)
      if (st ~ /^ok/) s = "ok"
      else if (st ~ /^failed \(ignored\)/) s = "ok (failed, ignored)"
      else if (st ~ /^FAILED/) s = "FAILED"
      else if (st ~ /^diff: .*No such file/) s = "FAILED (expected output file missing; suite aborted)"
      else s = "FAILED (suite aborted: " substr(st, 1, 60) ")"
      if (s == "FAILED" && st ~ /exited with exit code/) s = "FAILED (test process crashed)"
      print phase "\t" name "\t" s
      next
    }
    phase != "tap" && /^(not )?ok [0-9]+ +[-+] +[^ ]+/ {
      s = ($0 ~ /^not ok/) ? "FAILED" : "ok"
      line = $0; sub(/^(not )?ok [0-9]+ +[-+] +/, "", line); sub(/ .*/, "", line)
      print phase "\t" line "\t" s
      next
    }
    /^[^ ]+\.(pl|t) \.+( |$)/ {
      f = $1; st = $0; sub(/^[^ ]+ \.+ */, "", st)
      if (st ~ /^ok/) { print "tap\t" f "\tok"; tap_done[f] = 1 }
      else if (st ~ /^skipped/) { print "tap\t" f "\tskipped"; tap_done[f] = 1 }
      else if (st ~ /^(Dubious|Failed|No subtests)/) { tap_failed[f] = 1 }
      else tap_pending[f] = 1
      next
    }
    /^[^ ]+\.(pl|t) +\(Wstat: / { tap_failed[$1] = 1; next }
    /^All tests successful\./ || /^Result: PASS/ { tap_allok = 1; next }
    END { flush_tap() }
  '
}

# Run one of the checking scripts (scripts/fuzz.sh, scripts/asan.sh, test/bench/run.sh) with a
# time limit and record its result lines: `<phase> <name> ok ...` or `<phase> <name> FAILED ...`.
# run_check <phase> <script name> <seconds> <command...>
run_check() {
  local phase=$1 name=$2 limit=$3 out rc lines
  shift 3
  out=$(mktemp /tmp/pipeproc-check.XXXXXX)
  set +e
  timeout -k 30 "$limit" "$@" 2>&1 | tee "$out"
  rc=${PIPESTATUS[0]}
  set -e
  lines=$(awk -v p="$phase" '$1 == p && ($3 == "ok" || $3 == "FAILED") {
      st = $0; sub(/^[^ ]+ +[^ ]+ +/, "", st); print p "\t" $2 "\t" st }' "$out")
  rm -f "$out"
  [[ -n $lines ]] && printf '%s\n' "$lines" >> "$RESULTS"
  if (( rc == 124 || rc == 137 )); then
    add_result "$phase" "$name" "FAILED (timed out after ${limit}s)"
  elif (( rc != 0 )) && ! has_failures <<< "$lines"; then
    add_result "$phase" "$name" "FAILED (exit $rc)"
  elif [[ -z $lines ]]; then
    add_result "$phase" "$name" "FAILED (no result)"
  fi
  echo "($name exit status $rc)"
}

# Print one line per test and the final count; returns 0 when all passed and some ran.
finish() {
  local passed failed total
  section "results"
  if [[ -s $RESULTS ]]; then
    awk -F'\t' '{ printf "  %-10s %-40s %s\n", $1, $2, $3 }' "$RESULTS"
  fi
  passed=$(awk -F'\t' '$3 ~ /^(ok|skipped)/' "$RESULTS" | wc -l)
  total=$(wc -l < "$RESULTS")
  failed=$((total - passed))
  echo
  echo "log: $LOG"
  if [[ -n $WORK && -d $WORK ]]; then
    if (( failed == 0 && passed > 0 && keep == 0 )); then
      rm -rf "$WORK"
    else
      echo "test tree kept: $WORK"
    fi
  fi
  if (( total == 0 )); then
    echo "no test ran"
  fi
  rm -f "$RESULTS"
  echo "$passed passed, $failed failed"
  (( failed == 0 && passed > 0 ))
}

show_failure_details() {
  local f base
  section "failure details"
  while IFS= read -r f; do
    echo "----- $f (first 400 lines) -----"
    head -n 400 "$f"
  done < <(find "$WORK" -name regression.diffs -size +0 2>/dev/null | sort)
  # Server logs of pg_regress' temporary instances: show crashes and their context.
  while IFS= read -r f; do
    if grep -qE 'terminated by signal|PANIC|TRAP:|was terminated by|exited with exit code [2-9]' "$f"; then
      echo "----- $f (crash lines, then last 40 lines) -----"
      grep -E 'terminated by signal|PANIC|TRAP:|was terminated by|exited with exit code [2-9]' "$f" | head -n 30
      echo "..."
      tail -n 40 "$f"
    fi
  done < <(find "$WORK" -path '*/log/postmaster.log' 2>/dev/null | sort)
  if [[ -d $WORK/tmp_check/log ]]; then
    local failed_tap
    failed_tap=$(awk -F'\t' '$1 == "tap" && $3 !~ /^(ok|skipped)/ { print $2 }' "$RESULTS")
    for f in $failed_tap; do
      base=$(basename "$f"); base=${base%.*}
      local shown=0 lf
      for lf in "$WORK/tmp_check/log/regress_log_$base" "$WORK/tmp_check/log/${base}"_*.log; do
        [[ -f $lf ]] || continue
        echo "----- $lf (last 80 lines) -----"
        tail -n 80 "$lf"; shown=1
      done
      (( shown )) || echo "(no TAP log found for $f under $WORK/tmp_check/log)"
    done
  fi
}

# Value of a make variable in the test tree (empty if it cannot be evaluated).
make_var() {
  local mk
  mk=$(mktemp /tmp/pipeproc-printvar.XXXXXX.mk)
  # shellcheck disable=SC2016  # $(...) is make syntax here
  printf 'pipeproc-print-var:\n\t@echo "$(strip $(%s))"\n' "$1" > "$mk"
  chmod 644 "$mk"
  as_test_user make -s --no-print-directory -C "$WORK" -f Makefile -f "$mk" \
    PG_CONFIG="$PG_CONFIG" pipeproc-print-var 2>/dev/null | tail -n 1 || true
  rm -f "$mk"
}

main() {
  local start=$SECONDS rc
  RESULTS=$(mktemp /tmp/pipeproc-results.XXXXXX)
  echo "pipeproc tests — $(date -u '+%Y-%m-%d %H:%M:%S UTC') — repo $REPO"

  if (( do_deps )); then
    section "dependencies (scripts/deps.sh)"
    if ! as_root bash "$REPO/scripts/deps.sh"; then
      add_result setup "scripts/deps.sh" "FAILED"
      finish; return 1
    fi
  fi
  if [[ ! -x $PG_CONFIG ]]; then
    echo "pg_config not found at $PG_CONFIG (run scripts/deps.sh)"
    add_result setup "pg_config" "FAILED (missing)"
    finish; return 1
  fi

  section "build: make PG_CONFIG=$PG_CONFIG"
  if ! make -C "$REPO" -j"$(nproc)" PG_CONFIG="$PG_CONFIG"; then
    add_result build "make" "FAILED"
    finish; return 1
  fi
  section "install: make install"
  if ! as_root make -C "$REPO" PG_CONFIG="$PG_CONFIG" install; then
    add_result build "make install" "FAILED"
    finish; return 1
  fi

  section "copy source tree for the test user ($TEST_USER)"
  WORK=$(mktemp -d /tmp/pipeproc-test.XXXXXX)
  tar -C "$REPO" --exclude=./.git -cf - . | tar -C "$WORK" -xf -
  if is_root; then chown -R "$TEST_USER": "$WORK"; fi
  chmod 755 "$WORK"
  echo "test tree: $WORK"

  # Which suites does the Makefile define? (installcheck stops at the first failing
  # suite, so after a failure the remaining suites are run on their own.)
  local -A defined=() listed=()
  local v val
  for v in REGRESS ISOLATION TAP_TESTS; do
    val=$(make_var "$v")
    [[ -n $val ]] && defined[$v]=1
    listed[$v]=$val
  done
  if (( ${#defined[@]} )); then
    echo "suites defined by the Makefile: ${!defined[*]}"
  else
    echo "suites defined by the Makefile: none found (running plain make installcheck)"
  fi

  # installcheck stops at the first failing suite, and pg_regress stops a suite when a
  # test has no expected file; so after a failure the suites (or the tests of a suite)
  # that did not run yet are run again on their own, as long as that makes progress.
  local -A ran=()
  local -a overrides=()
  local deadline=$((SECONDS + TIMEOUT)) attempt=0 seg remaining max_attempts
  max_attempts=$(( $(wc -w <<< "${listed[REGRESS]} ${listed[ISOLATION]}") + 4 ))
  while (( attempt < max_attempts )); do
    attempt=$((attempt + 1))
    remaining=$((deadline - SECONDS))
    if (( remaining <= 30 )); then
      add_result harness "installcheck" "FAILED (time budget of ${TIMEOUT}s used up)"
      break
    fi
    seg="$WORK/.installcheck-$attempt.out"
    section "make installcheck ${overrides[*]} (as $TEST_USER, time limit ${remaining}s)"
    set +e
    as_test_user timeout -k 30 "$remaining" \
      make -C "$WORK" PG_CONFIG="$PG_CONFIG" installcheck "${overrides[@]}" 2>&1 | tee "$seg"
    rc=${PIPESTATUS[0]}
    set -e
    echo "=== pipeproc-segment-end ===" >> "$seg"
    echo "(make installcheck exit status $rc)"

    local seg_results
    seg_results=$(parse_output < "$seg")
    [[ -n $seg_results ]] && printf '%s\n' "$seg_results" >> "$RESULTS"

    local phase
    for phase in regress isolation tap; do
      grep -q "^+++ $phase install-check" "$seg" && ran[$phase]=1
    done
    if (( rc != 0 )); then
      if (( rc == 124 || rc == 137 )); then
        add_result harness "installcheck" "FAILED (timed out)"
        break
      fi
      if ! has_failures <<< "$seg_results"; then
        # make failed but no test failure was recorded: count the harness error
        add_result harness "make installcheck #$attempt" "FAILED (exit $rc, see log)"
      fi
    else
      break
    fi

    # What is left to run?
    overrides=()
    local pending=0 var todo t
    for phase in regress isolation; do
      [[ $phase == regress ]] && var=REGRESS || var=ISOLATION
      if [[ -z ${ran[$phase]:-} ]]; then
        [[ -n ${defined[$var]:-} ]] && pending=1
        continue
      fi
      todo=()
      # tests of an aborted suite that have no result yet — only if this run made progress
      if awk -F'\t' -v p="$phase" '$1 == p && $3 ~ /suite aborted/ { f = 1 } END { exit !f }' <<< "$seg_results"; then
        for t in ${listed[$var]}; do
          awk -F'\t' -v p="$phase" -v t="$t" '$1 == p && $2 == t { f = 1 } END { exit !f }' "$RESULTS" \
            || todo+=("$t")
        done
      fi
      if (( ${#todo[@]} )); then
        overrides+=("$var=${todo[*]}"); pending=1
      else
        overrides+=("$var=")
      fi
    done
    if [[ -n ${ran[tap]:-} ]]; then
      overrides+=("TAP_TESTS=")
    elif [[ -n ${defined[TAP_TESTS]:-} ]]; then
      pending=1
    fi
    (( pending )) || break
    echo "installcheck stopped early; running what did not run yet"
  done

  # Tests the Makefile lists that produced no result line (a suite aborted) count as failed.
  local t phase
  for phase in regress isolation; do
    [[ $phase == regress ]] && v=REGRESS || v=ISOLATION
    for t in ${listed[$v]}; do
      if ! awk -F'\t' -v p="$phase" -v t="$t" '($1 == p || $1 == "pg_regress") && $2 == t { f = 1 } END { exit !f }' "$RESULTS"; then
        add_result "$phase" "$t" "FAILED (did not run)"
      fi
    done
  done

  if (( do_fuzz )); then
    section "fuzz: scripts/fuzz.sh --seconds $FUZZ_SECONDS"
    run_check fuzz scripts/fuzz.sh $((FUZZ_SECONDS + 600)) bash "$REPO/scripts/fuzz.sh" --seconds "$FUZZ_SECONDS"
  fi
  if (( do_asan )); then
    section "asan: scripts/asan.sh (regress, isolation, TAP against an ASan/UBSan build)"
    run_check asan scripts/asan.sh $((3 * ${PIPEPROC_ASAN_TIMEOUT:-900} + 600)) \
      env PG_CONFIG="$PG_CONFIG" bash "$REPO/scripts/asan.sh"
  fi
  if (( do_bench )); then
    section "bench: test/bench/run.sh --smoke (no timing is asserted)"
    run_check bench "test/bench/run.sh --smoke" 900 \
      bash -c 'if BENCH_NO_INSTALL=1 PGBIN="$1" bash "$2/test/bench/run.sh" --smoke; then
                 echo "bench smoke ok (every case ran)"
               else
                 echo "bench smoke FAILED (exit $?)"; exit 1
               fi' bench "$(dirname "$PG_CONFIG")" "$REPO"
  fi

  echo
  echo "test time: $((SECONDS - start))s"
  if has_failures < "$RESULTS"; then
    show_failure_details
  fi
  finish
}

main 2>&1 | tee -a "$LOG"
