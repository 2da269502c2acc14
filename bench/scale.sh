#!/usr/bin/env bash
# bench/scale.sh — how `aslc check` and `aslc build` grow with the definition.
#
#   bench/scale.sh [-n RUNS] [ASLC ...]
#
#   -n RUNS   timed runs per measurement (default 3; the median is reported)
#   ASLC      one or more aslc executables to compare in the same run (default: the
#             Release build that bench/run.sh makes, ../build-bench/compiler/aslc)
#
# The definitions come from bench/scale.mjs (Pass with Parameters and Assign, Choice
# with And rules, Task with Retry and Catch, Wait, a Map every 100 states).
#   check: 4,000 and 40,000 states.  The 40,000-state definition is 6.4 MB, over
#          AWS's 1 MB definition limit: aslc reports that (and only that) and still
#          runs every other check, so the time is the whole checker's.  The script
#          verifies the 40k diagnostics are exactly the size error.
#   build: 600 and 6,000 states (6,000 is the largest size under the limit), the
#          whole `aslc build`, C compiler included.
# Prints one line per measurement (median wall seconds, peak RSS) and the ratios
# 40k/4k (check) and 6k/600 (build): 10 means linear.  A measurement, not a test.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
RUNS=3
while getopts "n:h" o; do
  case "$o" in
    n) RUNS="$OPTARG" ;;
    *) sed -n '2,20p' "$0"; exit 0 ;;
  esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || set -- "$(dirname "$here")/../build-bench/compiler/aslc"
work="$here/work/scale"
mkdir -p "$work"
for n in 600 4000 6000 40000; do
  [ -f "$work/s$n.asl.json" ] || node "$here/scale.mjs" "$n" "$work/s$n.asl.json"
done

# med CMD...: "SECONDS KIB", medians over RUNS runs (exit status ignored: checked apart)
med() {
  local t m ts=() ms=()
  for _ in $(seq "$RUNS"); do
    /usr/bin/time -o "$work/time.txt" -f '%e %M' "$@" >/dev/null 2>&1 || true
    read -r t m < <(tail -1 "$work/time.txt")
    ts+=("$t"); ms+=("$m")
  done
  printf '%s %s\n' "$(printf '%s\n' "${ts[@]}" | sort -g | sed -n "$(( (RUNS + 1) / 2 ))p")" \
                   "$(printf '%s\n' "${ms[@]}" | sort -g | sed -n "$(( (RUNS + 1) / 2 ))p")"
}

for aslc in "$@"; do
  echo "== $aslc"
  "$aslc" check "$work/s4000.asl.json" >/dev/null
  diag=$("$aslc" check "$work/s40000.asl.json" 2>&1 || true)
  if [ "$(printf '%s\n' "$diag" | grep -c ': /')" -gt 1 ] ||
     ! printf '%s' "$diag" | grep -q "length less than or equal to 1048576"; then
    echo "note: the 40k definition gives other diagnostics than the size limit:"
    printf '%s\n' "$diag" | head -3
  fi
  read -r c4 r4 < <(med "$aslc" check "$work/s4000.asl.json")
  read -r c40 r40 < <(med "$aslc" check "$work/s40000.asl.json")
  read -r b6 q6 < <(med "$aslc" build "$work/s600.asl.json" -o "$work/s600.bin")
  read -r b60 q60 < <(med "$aslc" build "$work/s6000.asl.json" -o "$work/s6000.bin")
  printf 'check  4000 states: %6.2f s %7d KiB\n' "$c4" "$r4"
  printf 'check 40000 states: %6.2f s %7d KiB   ratio %.1f\n' "$c40" "$r40" \
         "$(awk -v a="$c40" -v b="$c4" 'BEGIN{print (b > 0 ? a / b : 0)}')"
  printf 'build   600 states: %6.2f s %7d KiB\n' "$b6" "$q6"
  printf 'build  6000 states: %6.2f s %7d KiB   ratio %.1f\n' "$b60" "$q60" \
         "$(awk -v a="$b60" -v b="$b6" 'BEGIN{print (b > 0 ? a / b : 0)}')"
done
