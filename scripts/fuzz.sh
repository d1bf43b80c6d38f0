#!/usr/bin/env bash
# scripts/fuzz.sh — build the libFuzzer harnesses of src/parse.c (test/fuzz) and run them.
#
#   scripts/fuzz.sh                    60 seconds in all, split evenly across the targets
#   scripts/fuzz.sh --seconds N        N seconds in all (at least 1 per target)
#   scripts/fuzz.sh --target NAME      run only that target (repeatable)
#   scripts/fuzz.sh --keep             keep the temporary directory (binaries, corpora, logs)
#
# Builds each test/fuzz/fuzz_<target>.c with src/parse.c using clang
# -fsanitize=fuzzer,address,undefined in a temporary directory, copies the seed corpus
# (test/fuzz/corpus/<target>) there, so the repository is never written, and runs the
# targets one after another. Prints one line per target, `fuzz <target> ok (N execs)` or
# `fuzz <target> FAILED (...)`; on a failure the libFuzzer log tail and the crashing input
# are shown and the directory is kept. Exit status non-zero if any target failed.
# Environment: CC (default clang-14, else clang).
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
FUZZ_DIR=$REPO/test/fuzz

seconds=60
keep=0
targets=()
while (( $# )); do
  case $1 in
    --seconds) seconds=${2:?--seconds needs a value}; shift 2 ;;
    --seconds=*) seconds=${1#*=}; shift ;;
    --target) targets+=("${2:?--target needs a value}"); shift 2 ;;
    --keep) keep=1; shift ;;
    -h|--help) sed -n '2,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "fuzz.sh: unknown argument: $1 (try --help)" >&2; exit 2 ;;
  esac
done
if ! [[ $seconds =~ ^[0-9]+$ ]] || (( seconds < 1 )); then
  echo "fuzz.sh: --seconds must be a positive integer" >&2; exit 2
fi

if (( ${#targets[@]} == 0 )); then
  for f in "$FUZZ_DIR"/fuzz_*.c; do
    t=$(basename "$f" .c); targets+=("${t#fuzz_}")
  done
fi
for t in "${targets[@]}"; do
  [[ -f $FUZZ_DIR/fuzz_$t.c ]] || { echo "fuzz.sh: no harness test/fuzz/fuzz_$t.c" >&2; exit 2; }
done

CC=${CC:-}
if [[ -z $CC ]]; then
  if command -v clang-14 >/dev/null 2>&1; then CC=clang-14; else CC=clang; fi
fi
if ! command -v "$CC" >/dev/null 2>&1; then
  echo "fuzz build FAILED (compiler $CC not found; run scripts/deps.sh)"
  exit 1
fi

WORK=$(mktemp -d /tmp/pipeproc-fuzz.XXXXXX)
failed=0
cleanup() {
  if (( failed == 0 && keep == 0 )); then rm -rf "$WORK"; else echo "fuzz directory kept: $WORK"; fi
}
trap cleanup EXIT

per=$(( seconds / ${#targets[@]} ))
(( per >= 1 )) || per=1
CFLAGS=(-g -O1 -std=c11 -Wall -Werror -fno-omit-frame-pointer
        -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
        -I"$REPO/src" -I"$FUZZ_DIR")

# Sanitizer settings for the fuzz processes: stop at the first report of any kind.
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:strict_string_checks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

echo "fuzz: $CC, ${#targets[@]} target(s), ${per}s each, in $WORK"
for t in "${targets[@]}"; do
  bin=$WORK/fuzz_$t
  log=$WORK/$t.log
  if ! "$CC" "${CFLAGS[@]}" -o "$bin" "$FUZZ_DIR/fuzz_$t.c" "$REPO/src/parse.c" > "$WORK/$t.build.log" 2>&1; then
    echo "fuzz $t FAILED (build)"
    sed 's/^/    /' "$WORK/$t.build.log" | head -n 40
    failed=1
    continue
  fi
  mkdir -p "$WORK/corpus/$t" "$WORK/artifacts/$t"
  if [[ -d $FUZZ_DIR/corpus/$t ]]; then
    cp -R "$FUZZ_DIR/corpus/$t/." "$WORK/corpus/$t/"
  fi
  set +e
  # Wall-clock guard in case the fuzzer itself hangs (it stops on its own after $per s).
  timeout -k 10 $((per + 60)) "$bin" -max_total_time="$per" -timeout=10 -max_len=256 \
    -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$WORK/artifacts/$t/" \
    "$WORK/corpus/$t" > "$log" 2>&1
  rc=$?
  set -e
  execs=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "$log" | tail -n 1)
  crash=$(find "$WORK/artifacts/$t" -type f | head -n 1)
  if (( rc == 0 )) && [[ -n $execs && -z $crash ]]; then
    echo "fuzz $t ok ($execs execs)"
  else
    failed=1
    if (( rc == 124 || rc == 137 )); then why="timed out"; else why="exit $rc"; fi
    echo "fuzz $t FAILED ($why${execs:+, $execs execs})"
    echo "    --- last 40 lines of $log ---"
    tail -n 40 "$log" | sed 's/^/    /'
    if [[ -n $crash ]]; then
      echo "    --- crashing input $crash (od -c) ---"
      od -An -c "$crash" | head -n 10 | sed 's/^/    /'
      echo "    reproduce: $bin $crash"
    fi
  fi
done
exit "$failed"
