#!/usr/bin/env bash
# bench/build_time.sh — how big the generated C is and how long `aslc build` takes, for the
# 100- and 1000-state bench chains, for one aslc or several (before / after) in one run.
#
#   bench/build_time.sh [-n RUNS] ASLC [ASLC ...]
#
#   -n RUNS   timed builds per aslc and workload (default 7; median reported)
#   ASLC      aslc executables to compare, e.g. an installed copy of main's and the working
#             tree's build/compiler/aslc
#
# The aslcs take turns, one build each, so a change in the machine's load falls on all of them
# alike.  Reported per aslc and workload: lines and bytes of `aslc emit-c`, bytes per state,
# and the median wall and CPU time (user + sys of aslc and the C compiler it runs, from
# bench/timeit) of `aslc build`.  The workloads are bench/gen.mjs's compile100 and chain1000.
# A measurement tool, not a test: nothing here runs under ctest.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
RUNS=7
while getopts "n:h" o; do
  case "$o" in
    n) RUNS="$OPTARG" ;;
    *) sed -n '2,15p' "$0"; exit 0 ;;
  esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || { sed -n '2,15p' "$0"; exit 2; }
command -v node >/dev/null || { echo "build_time.sh: node is required (bench/gen.mjs)" >&2; exit 2; }

work="$here/work/build_time"
mkdir -p "$work"
node "$here/gen.mjs" "$work/wl" >/dev/null
if [ ! -x "$here/work/timeit" ] || [ "$here/timeit.c" -nt "$here/work/timeit" ]; then
  cc -std=c11 -O2 -o "$here/work/timeit" "$here/timeit.c"
fi
timeit="$here/work/timeit"
kv() { printf '%s\n' "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '| aslc | workload | states | C lines | C bytes | bytes/state | build wall ms | build CPU ms |\n'
printf '|---|---|---:|---:|---:|---:|---:|---:|\n'
for wl in compile100 chain1000; do
  def="$work/wl/$wl.asl.json"
  states=$(node -e "console.log(Object.keys(JSON.parse(require('fs').readFileSync('$def')).States).length)")
  i=0
  for a in "$@"; do
    "$a" emit-c "$def" > "$work/$i.c"
    : > "$work/$i.wall"; : > "$work/$i.cpu"
    "$a" build "$def" -o "$work/bin$i" >/dev/null      # warm the caches
    i=$((i + 1))
  done
  for _ in $(seq "$RUNS"); do
    i=0
    for a in "$@"; do
      t=$("$timeit" -n 1 -w 0 -- "$a" build "$def" -o "$work/bin$i")
      kv "$t" wall_med >> "$work/$i.wall"
      kv "$t" cpu_med >> "$work/$i.cpu"
      i=$((i + 1))
    done
  done
  i=0
  for a in "$@"; do
    lines=$(wc -l < "$work/$i.c")
    bytes=$(wc -c < "$work/$i.c")
    wall=$(median < "$work/$i.wall")
    cpu=$(median < "$work/$i.cpu")
    awk -v a="$a" -v w="$wl" -v s="$states" -v l="$lines" -v b="$bytes" -v wa="$wall" -v c="$cpu" \
      'BEGIN { printf "| %s | %s | %d | %d | %d | %d | %.0f | %.0f |\n", a, w, s, l, b, b / s, wa * 1000, c * 1000 }'
    i=$((i + 1))
  done
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
