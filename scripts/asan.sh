#!/usr/bin/env bash
# scripts/asan.sh — run the regress, isolation and TAP suites against an AddressSanitizer +
# UndefinedBehaviorSanitizer build of pipeproc.
#
#   scripts/asan.sh             build, install privately, run every suite
#   scripts/asan.sh --no-tap    skip the TAP suite
#   scripts/asan.sh --keep      keep the temporary directory even when everything passed
#
# Nothing is written outside a temporary directory: the PostgreSQL installation named by
# PG_CONFIG is copied there (its binaries find lib/ and share/ relative to bin/, so the copy
# is self-contained), the source tree is copied there without .git, pipeproc.so is built
# with -fsanitize=address,undefined and installed into the copy only. The copy's `postgres`
# is replaced by a wrapper that starts the real (uninstrumented) server with the ASan
# runtime in LD_PRELOAD, so only server processes carry it. The suites run as the
# unprivileged `postgres` user (initdb refuses root) through the Makefile's installcheck,
# each on its own temporary instance.
# A suite fails if a test fails; the run also fails if any server or node log contains a
# sanitizer report. Prints one line per suite (`asan <suite> ok|FAILED ...`), one for the
# sanitizer reports, then `N passed, N failed`; exit status non-zero if anything failed.
# Environment: PG_CONFIG (default /usr/lib/postgresql/15/bin/pg_config),
#   PIPEPROC_ASAN_TIMEOUT (seconds per suite, default 900).
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
TEST_USER=postgres
SUITE_TIMEOUT=${PIPEPROC_ASAN_TIMEOUT:-900}
SAN_FLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer"
ASAN_OPTS="detect_leaks=0:halt_on_error=1:abort_on_error=0:print_summary=1:detect_odr_violation=0"
UBSAN_OPTS="print_stacktrace=1:halt_on_error=1"
REPORT_RE='ERROR: AddressSanitizer|runtime error:|SUMMARY: |ERROR: LeakSanitizer|ASan runtime does not come first'

do_tap=1
keep=0
for arg in "$@"; do
  case $arg in
    --no-tap) do_tap=0 ;;
    --keep) keep=1 ;;
    -h|--help) sed -n '2,21p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "asan.sh: unknown argument: $arg (try --help)" >&2; exit 2 ;;
  esac
done

is_root() { [[ ${EUID:-$(id -u)} -eq 0 ]]; }

PASSED=0
FAILED=0
WORK=
result() {   # result <name> <status...>
  local name=$1; shift
  echo "asan $name $*"
  if [[ $1 == ok* ]]; then PASSED=$((PASSED + 1)); else FAILED=$((FAILED + 1)); fi
}
finish() {
  if [[ -n $WORK && -d $WORK ]]; then
    if (( FAILED == 0 && PASSED > 0 && keep == 0 )); then
      rm -rf "$WORK"
    else
      echo "asan directory kept: $WORK"
    fi
  fi
  echo "$PASSED passed, $FAILED failed"
  (( FAILED == 0 && PASSED > 0 ))
}
setup_failed() { result setup "FAILED ($*)"; finish; exit 1; }

[[ -x $PG_CONFIG ]] || { echo "pg_config not found at $PG_CONFIG"; setup_failed "pg_config missing"; }
CC=$("$PG_CONFIG" --cc | awk '{ print $1 }')
LIBASAN=$(readlink -f "$("$CC" -print-file-name=libasan.so)" || true)
[[ -f $LIBASAN ]] || setup_failed "no ASan runtime for $CC (libasan)"

WORK=$(mktemp -d /tmp/pipeproc-asan.XXXXXX)
chmod 755 "$WORK"
PREFIX=$WORK/pg
SRC=$WORK/src
echo "asan: work directory $WORK, ASan runtime $LIBASAN"

# --- 1. a private copy of the PostgreSQL installation ------------------------------------
# Directories to copy (each at the same absolute path under $PREFIX); a directory inside
# one already copied is skipped.
sysbin=$("$PG_CONFIG" --bindir)
dirs=()
for d in "$(dirname "$sysbin")" "$sysbin" "$("$PG_CONFIG" --pkglibdir)" "$("$PG_CONFIG" --sharedir)" \
         "$("$PG_CONFIG" --pkgincludedir)" "$("$PG_CONFIG" --includedir-server)"; do
  skip=0
  for c in "${dirs[@]}"; do [[ $d == "$c" || $d == "$c"/* ]] && skip=1; done
  (( skip )) || dirs+=("$d")
done
for d in "${dirs[@]}"; do
  mkdir -p "$PREFIX$(dirname "$d")"
  cp -a "$d" "$PREFIX$d"
done
# symlinks pointing to absolute paths would lead back into the system installation
if [[ -n $(find "$PREFIX" -type l -lname '/*' -print -quit) ]]; then
  find "$PREFIX" -type l -lname '/*' | head -n 5
  setup_failed "the PostgreSQL copy has absolute symlinks"
fi
PRIV_PG_CONFIG=$PREFIX$sysbin/pg_config
PRIV_BIN=$PREFIX$sysbin
for what in --bindir --pkglibdir --sharedir; do
  v=$("$PRIV_PG_CONFIG" "$what")
  [[ $v == "$PREFIX"/* ]] || setup_failed "pg_config $what of the copy is $v, not inside $PREFIX"
done
echo "asan: private PostgreSQL: pkglibdir $("$PRIV_PG_CONFIG" --pkglibdir), sharedir $("$PRIV_PG_CONFIG" --sharedir)"
rm -f "$("$PRIV_PG_CONFIG" --pkglibdir)"/pipeproc.so "$("$PRIV_PG_CONFIG" --sharedir)"/extension/pipeproc*

# A preloaded ASan runtime in an uninstrumented executable initialises lazily, at the first
# intercepted call. In postgres that call is a malloc inside newlocale() in libp11-kit's
# constructor (postgres -> libldap -> libgnutls -> libp11-kit), made while glibc holds its
# locale lock for writing. The initialisation looks up the optional symbol swift_demangle
# and calls dlerror(), which translates the message with gettext, which takes the same lock
# for reading: glibc returns EDEADLK, the unlock that follows releases the writer's lock,
# the writer's own unlock then corrupts it, and the process hangs at its next locale call
# (bindtextdomain). A preloaded stub defining swift_demangle makes the lookup succeed, so
# there is no message to translate. (Seen with the GCC 12 and LLVM 14 runtimes, glibc 2.36.)
STUB=$PREFIX/asan_swift_stub.so
cat > "$WORK/asan_swift_stub.c" <<'STUBEOF'
/* asan_swift_stub.c: written by pipeproc scripts/asan.sh (see the comment there) */
#include <stddef.h>
#include <stdint.h>

extern char *swift_demangle(const char *name, size_t len, char *buf,
							size_t *buflen, uint32_t flags);

char *
swift_demangle(const char *name, size_t len, char *buf, size_t *buflen,
			   uint32_t flags)
{
	return NULL;				/* "not a Swift name": ASan demangles as usual */
}
STUBEOF
"$CC" -shared -fPIC -O1 -o "$STUB" "$WORK/asan_swift_stub.c" || setup_failed "building the swift_demangle stub"

# The server wrapper: the real binary runs with the ASan runtime preloaded. It keeps the
# wrapper's path as argv[0], so that the server records the wrapper as its executable in
# postmaster.opts, which `pg_ctl restart` runs again.
mv "$PRIV_BIN/postgres" "$PRIV_BIN/postgres.real"
cat > "$PRIV_BIN/postgres" <<EOF
#!/bin/bash
# written by pipeproc scripts/asan.sh: the server with the ASan runtime preloaded
export LD_PRELOAD="$LIBASAN $STUB\${LD_PRELOAD:+ \$LD_PRELOAD}"
export ASAN_OPTIONS="$ASAN_OPTS" UBSAN_OPTIONS="$UBSAN_OPTS"
exec -a "$PRIV_BIN/postgres" "$PRIV_BIN/postgres.real" "\$@"
EOF
chmod 755 "$PRIV_BIN/postgres"
[[ -L $PRIV_BIN/postmaster ]] && ln -sfn postgres "$PRIV_BIN/postmaster"

# --- 2. the source tree, built with the sanitizers -------------------------------------
mkdir -p "$SRC"
tar -C "$REPO" --exclude=./.git -cf - . | tar -C "$SRC" -xf -
if is_root; then chown -R "$TEST_USER": "$WORK"; fi

# Run a command as the unprivileged test user (or as ourselves when not root), with a clean
# libpq environment and the private installation first in PATH.
as_test_user() {
  local -a envs=(env -u PGHOST -u PGPORT -u PGUSER -u PGDATABASE -u PGSERVICE -u PGOPTIONS
                 -u PGDATA -u PGHOSTADDR -u LD_PRELOAD
                 "PATH=$PRIV_BIN:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
  if is_root; then
    local home
    home=$(getent passwd "$TEST_USER" | cut -d: -f6)
    runuser -u "$TEST_USER" -- "${envs[@]}" "HOME=${home:-/tmp}" "$@"
  else
    "${envs[@]}" "$@"
  fi
}

MAKEVARS=(PG_CONFIG="$PRIV_PG_CONFIG" with_llvm=no PG_CFLAGS="$SAN_FLAGS" PG_LDFLAGS="$SAN_FLAGS")
if ! as_test_user make -C "$SRC" -s "${MAKEVARS[@]}" clean > "$WORK/build.log" 2>&1 ||
   ! as_test_user make -C "$SRC" -j"$(nproc)" "${MAKEVARS[@]}" >> "$WORK/build.log" 2>&1 ||
   ! as_test_user make -C "$SRC" "${MAKEVARS[@]}" install >> "$WORK/build.log" 2>&1; then
  tail -n 40 "$WORK/build.log"
  setup_failed "build or install, see $WORK/build.log"
fi
so=$("$PRIV_PG_CONFIG" --pkglibdir)/pipeproc.so
syms=$(nm -D "$so" 2>/dev/null || true)
if [[ $syms != *__asan_report* || $syms != *__ubsan_handle* ]]; then
  setup_failed "$so is missing or not instrumented"
fi
echo "asan: built and installed $so (instrumented)"

# --- 3. the suites ----------------------------------------------------------------------
# run_suite <name> <make variable overrides...>: one installcheck with only that suite.
run_suite() {
  local name=$1 out rc n
  shift
  out=$WORK/$name.out
  set +e
  as_test_user timeout -k 30 "$SUITE_TIMEOUT" \
    make -C "$SRC" "${MAKEVARS[@]}" installcheck "$@" > "$out" 2>&1
  rc=$?
  set -e
  if [[ $name == tap ]]; then
    n=$(grep -cE '^[^ ]+\.(pl|t) \.+ ok' "$out" || true)
  else
    n=$(grep -cE '^(test +| +)[^ ]+ +\.\.\. ok|^ok [0-9]+ ' "$out" || true)
  fi
  if (( rc == 0 )); then
    result "$name" "ok ($n tests passed)"
  else
    if (( rc == 124 || rc == 137 )); then
      result "$name" "FAILED (timed out after ${SUITE_TIMEOUT}s; $n tests passed)"
    else
      result "$name" "FAILED (make exit $rc; $n tests passed)"
    fi
    echo "    --- last 40 lines of $out ---"
    tail -n 40 "$out" | sed 's/^/    /'
    find "$SRC" -name regression.diffs -size +0 -exec sh -c 'echo "    --- $1 (first 60 lines) ---"; head -n 60 "$1" | sed "s/^/    /"' _ {} \;
  fi
}

run_suite regress ISOLATION= TAP_TESTS=
run_suite isolation REGRESS= TAP_TESTS=
if (( do_tap )); then
  run_suite tap REGRESS= ISOLATION=
fi

# --- 4. sanitizer reports in the server and node logs ----------------------------------
mapfile -t logs < <(find "$SRC" -type f -path '*/log/*' \( -name '*.log' -o -name 'regress_log_*' \) | sort)
reports=0
for f in "${logs[@]}"; do
  if grep -qE "$REPORT_RE" "$f"; then
    reports=$((reports + 1))
    echo "    --- sanitizer report in $f ---"
    grep -nE -B2 -A30 "$REPORT_RE" "$f" | head -n 80 | sed 's/^/    /'
  fi
done
if (( ${#logs[@]} == 0 )); then
  result sanitizers "FAILED (no server log found)"
elif (( reports == 0 )); then
  result sanitizers "ok (no report in ${#logs[@]} logs)"
else
  result sanitizers "FAILED (reports in $reports of ${#logs[@]} logs)"
fi

finish
