#!/usr/bin/env bash
# Measures, from a clean tree: the configure + build time, the number of tests, and the demo's wall time.
#
#   scripts/measure-build.sh [--source copy|clone|inplace] [--jobs N] [--keep] [--tests]
#
#   --source copy     (default) copy the working tree's files (tracked and untracked, minus .gitignore'd ones,
#                     as `git ls-files -co --exclude-standard` lists them) into a new temp dir and build there:
#                     what a fresh clone of the current state would be, uncommitted changes included.
#   --source clone    `git clone` the repository (its committed HEAD) into a new temp dir.
#   --source inplace  build in the repository itself, in a dedicated build dir (build-measure/), rm -rf'd first.
#   --jobs N          build parallelism (default 2)
#   --keep            keep the temp tree
#   --tests           also time a full `ctest` run
#
# Steps timed, each from nothing (no ccache, no previous build dir):
#   cmake -S . -B BUILD -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
#   cmake --build BUILD -j N
#   ctest --test-dir BUILD -N | tail -1                    (the test count)
#   BUILD/bin/crmsync run pipelines/demo.yaml [--store FRESH.db]
# The demo gets a fresh store: through `--store` when `crmsync run --help` offers it, otherwise by running in
# the fresh tree (copy/clone) or a temp copy of it (inplace), where no store exists yet.
# Prints the figures and, last, one JSON line with them. Exit status: non-zero when a step fails.
set -euo pipefail

source_mode=copy
jobs=2
keep=0
run_tests=0
while [ $# -gt 0 ]; do
  case "$1" in
    --source) source_mode="${2:?--source needs copy, clone or inplace}"; shift 2 ;;
    --jobs|-j) jobs="${2:?--jobs needs a number}"; shift 2 ;;
    --keep) keep=1; shift ;;
    --tests) run_tests=1; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "measure-build: unknown argument $1" >&2; exit 2 ;;
  esac
done

repo="$(cd "$(dirname "$0")/.." && pwd)"
tmp="$(mktemp -d "${TMPDIR:-/tmp}/crmsync-measure-build.XXXXXX")"
cleanup() {
  if [ "$keep" = 1 ]; then echo "kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" -v p="${3:-1}" 'BEGIN { printf "%.*f", p, b - a }'; }

# A copy of the working tree's files (what `git clone` of the current state would give), into $1.
copy_tree() {
  mkdir -p "$1"
  (cd "$repo" && git ls-files -z --cached --others --exclude-standard |
    while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
    tar --null -T - -cf -) | tar -xf - -C "$1"
}

case "$source_mode" in
  copy)
    tree="$tmp/src"
    copy_tree "$tree"
    build="$tree/build"
    ;;
  clone)
    tree="$tmp/src"
    git clone --quiet "$repo" "$tree"
    build="$tree/build"
    ;;
  inplace)
    tree="$repo"
    build="$repo/build-measure"
    rm -rf "$build"
    ;;
  *) echo "measure-build: --source must be copy, clone or inplace" >&2; exit 2 ;;
esac

unset CMAKE_CXX_COMPILER_LAUNCHER CMAKE_C_COMPILER_LAUNCHER
log="$tmp/logs"
mkdir -p "$log"
echo "== crmsync build measurement =="
echo "tree:   $tree ($source_mode)"
echo "host:   $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(nproc) CPUs; $(c++ --version | head -1); $(cmake --version | head -1); ninja $(ninja --version)"

t0=$(now)
if ! cmake -S "$tree" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$log/configure.log" 2>&1; then
  tail -30 "$log/configure.log"; echo "configure FAILED"; exit 1
fi
t1=$(now)
if ! cmake --build "$build" -j "$jobs" >"$log/build.log" 2>&1; then
  grep -E 'error|FAILED' "$log/build.log" | head -30; echo "build FAILED"; exit 1
fi
t2=$(now)
configure_s=$(elapsed "$t0" "$t1")
build_s=$(elapsed "$t1" "$t2")
total_s=$(elapsed "$t0" "$t2")
echo "configure: ${configure_s} s"
echo "build:     ${build_s} s (-j $jobs, $(grep -c '^\[' "$log/build.log" || true) ninja steps)"
echo "total:     ${total_s} s"

count_line="$(ctest --test-dir "$build" -N | tail -1)"
tests="$(echo "$count_line" | grep -oE '[0-9]+' | tail -1)"
echo "tests:     ${tests:-?}   ($count_line)"

test_s=null
test_result=null
if [ "$run_tests" = 1 ]; then
  t0=$(now)
  if ctest --test-dir "$build" -j "$jobs" --output-on-failure >"$log/ctest.log" 2>&1; then test_result='"passed"'; else test_result='"failed"'; fi
  test_s=$(elapsed "$t0" "$(now)")
  echo "ctest:     ${test_s} s, $(grep -E 'tests passed' "$log/ctest.log" || echo 'see log')"
fi

# The demo, with a fresh store.
demo_s=null
demo_status=null
demo_cmd=""
if [ -f "$tree/pipelines/demo.yaml" ]; then
  crmsync="$build/bin/crmsync"
  if "$crmsync" run --help 2>/dev/null | grep -q -- '--store'; then
    demo_dir="$tree"
    demo_args=(run pipelines/demo.yaml --store "$tmp/demo-store.db")
  elif [ "$source_mode" = inplace ]; then
    demo_dir="$tmp/demo-tree"
    copy_tree "$demo_dir"
    demo_args=(run pipelines/demo.yaml)
  else
    demo_dir="$tree"  # a fresh tree: no store yet
    demo_args=(run pipelines/demo.yaml)
  fi
  demo_cmd="(cd $demo_dir && $crmsync ${demo_args[*]})"
  t0=$(now)
  set +e
  (cd "$demo_dir" && "$crmsync" "${demo_args[@]}") >"$log/demo.log" 2>&1
  demo_status=$?
  set -e
  demo_s=$(elapsed "$t0" "$(now)" 3)
  echo "demo:      ${demo_s} s, exit status $demo_status   $demo_cmd"
  if [ "$demo_status" != 0 ]; then tail -20 "$log/demo.log"; fi
else
  echo "demo:      pipelines/demo.yaml not found in the tree; skipped"
fi

printf '{"benchmark": "build", "source": "%s", "jobs": %s, "configure_seconds": %s, "build_seconds": %s, "configure_build_seconds": %s, "tests": %s, "ctest_seconds": %s, "ctest_result": %s, "demo_seconds": %s, "demo_exit_status": %s}\n' \
  "$source_mode" "$jobs" "$configure_s" "$build_s" "$total_s" "${tests:-null}" "$test_s" "$test_result" "$demo_s" "$demo_status"
if [ "$demo_status" != null ] && [ "$demo_status" != 0 ]; then exit 1; fi
