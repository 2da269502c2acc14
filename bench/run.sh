#!/usr/bin/env bash
# bench/run.sh — aslc side by side with aws-local-stepfunctions (and, for JSONata, with the
# reference implementation npm jsonata), measured in one run, reported as ratios peer/aslc.
#
#   bench/run.sh [-n RUNS] [-f FAST_RUNS] [-s] [-q] [BENCH ...]
#
#   -n RUNS       timed whole-process runs per measurement (default 5; median reported)
#   -f FAST_RUNS  runs for the millisecond-scale aslc start-up measurement (default 30)
#   -s            build aslc from a snapshot of the committed HEAD (git archive) instead of
#                 the working tree, for when the shared tree is mid-edit and does not build
#   -q            quick: RUNS=3, FAST_RUNS=10
#   BENCH         any of: compile startup chain map parallel jsonata (default: all)
#
# Environment:
#   ASLC=PATH       use this aslc; nothing is built
#   BUILD_DIR=DIR   where aslc is built (default: build-bench next to the repository)
#
# Steps: build aslc and its runtime if needed (Release, -j2, only those two targets), npm ci the peers into bench/node_modules if
# needed, build bench/work/timeit, generate the workloads (gen.mjs) with their expected
# outputs, and for every benchmark: check `aslc check` (a construct aslc reports as "not
# supported" is skipped with a note), run aslc and the peer once each and compare both
# outputs with the expected one (check.mjs) — a wrong answer is never timed — then time.
# Prints a table and writes bench/results/<UTC date>.md and .json (not committed).
# This is a measurement tool, not a test: nothing here runs under ctest.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/.." && pwd)"
RUNS=5
FAST_RUNS=30
SNAPSHOT=0
while getopts "n:f:sqh" o; do
  case "$o" in
    n) RUNS="$OPTARG" ;;
    f) FAST_RUNS="$OPTARG" ;;
    s) SNAPSHOT=1 ;;
    q) RUNS=3; FAST_RUNS=10 ;;
    *) sed -n '2,27p' "$0"; exit 0 ;;
  esac
done
shift $((OPTIND - 1))
BENCHES="${*:-compile startup chain map parallel jsonata}"

work="$here/work"
wl="$work/wl"
outd="$work/out"
bind="$work/bin"
mkdir -p "$work" "$outd" "$bind" "$here/results"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
rows="$work/rows.tsv"
notes="$work/notes.txt"
: > "$rows"
: > "$notes"

say() { printf '%s\n' "$*" >&2; }
note() { printf -- '- %s\n' "$*" >> "$notes"; say "note: $*"; }
need() { command -v "$1" >/dev/null 2>&1 || { say "run.sh: $1 is required"; exit 2; }; }
need node; need npm; need cc; need cmake

# ---------------------------------------------------------------- aslc
if [ -n "${ASLC:-}" ]; then
  aslc="$ASLC"
else
  BUILD_DIR="${BUILD_DIR:-$(dirname "$repo")/build-bench}"
  src="$repo"
  if [ "$SNAPSHOT" = 1 ]; then
    # The generated binaries include headers from the source tree, so the snapshot stays.
    src="$work/src"
    BUILD_DIR="$BUILD_DIR-snapshot"
    rm -rf "$src" && mkdir -p "$src"
    git -C "$repo" archive HEAD | tar -x -C "$src"
  fi
  say "building aslc (Release) from $src in $BUILD_DIR"
  if ! { cmake -S "$src" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release >"$work/build.log" 2>&1 &&
         cmake --build "$BUILD_DIR" -j2 --target aslc aslrt >>"$work/build.log" 2>&1; }; then
    grep -E 'error|Error' "$work/build.log" | head -20 >&2 || true
    say "run.sh: aslc does not build from $src (log: $work/build.log); try -s (committed HEAD) or ASLC=..."
    exit 2
  fi
  aslc="$BUILD_DIR/compiler/aslc"
fi
[ -x "$aslc" ] || { say "run.sh: no aslc at $aslc"; exit 2; }
# what was built, recorded now: others may commit while the benchmarks run
if [ -n "${ASLC:-}" ]; then
  commit="given by ASLC"
else
  commit=$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)
  if [ "$SNAPSHOT" = 0 ] && [ -n "$(git -C "$repo" status --porcelain -- compiler runtime grammar 2>/dev/null)" ]; then
    commit="$commit + uncommitted changes"
  fi
fi

# ---------------------------------------------------------------- peers and tools
if [ ! -f "$here/node_modules/aws-local-stepfunctions/package.json" ] ||
   [ ! -f "$here/node_modules/jsonata/package.json" ]; then
  say "installing the peers (npm ci in $here)"
  (cd "$here" && npm ci --no-audit --no-fund >/dev/null 2>"$work/npm.log") ||
    { cat "$work/npm.log" >&2; exit 2; }
fi
alsf_version=$(node -p "require('$here/node_modules/aws-local-stepfunctions/package.json').version")
jsonata_version=$(node -p "require('$here/node_modules/jsonata/package.json').version")
if [ ! -x "$work/timeit" ] || [ "$here/timeit.c" -nt "$work/timeit" ]; then
  cc -std=c11 -O2 -o "$work/timeit" "$here/timeit.c"
fi
timeit="$work/timeit"
# tm TIMEIT-ARGS...: a timeit line, or one of NAs (with a note) when a timed run fails
tm() { "$timeit" "$@" || { note "a timed run failed: ${*: -3}"; echo "wall_med=NA cpu_med=NA rss_med_kib=NA"; }; }
node "$here/gen.mjs" "$wl" >/dev/null

# ---------------------------------------------------------------- helpers
# kv LINE KEY -> value of KEY=... in a timeit line
kv() { printf '%s\n' "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
median() { sort -g | awk '{a[NR]=$1} END {if (NR == 0) print "NA"; else if (NR % 2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
# row BENCH METRIC UNIT ASLC PEER PEERNAME  (ratio = PEER / ASLC)
row() {
  local ratio=NA
  if [ "$4" != NA ] && [ "$5" != NA ]; then
    ratio=$(awk -v a="$4" -v p="$5" 'BEGIN { if (a > 0) printf "%.1f", p / a; else print "NA" }')
  fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" "$ratio" "$6" >> "$rows"
}
# supported NAME: 0 if aslc accepts the definition; otherwise notes why and returns 1
supported() {
  local msg
  if msg=$("$aslc" check "$wl/$1.asl.json" 2>&1); then return 0; fi
  if printf '%s' "$msg" | grep -q 'not supported'; then
    note "$1 skipped: aslc does not support it yet ($(printf '%s' "$msg" | grep -m1 'not supported' | sed 's/.*: \([^:]*not supported.*\)/\1/'))"
  else
    note "$1: aslc check rejects a valid definition: $(printf '%s' "$msg" | head -3 | tr '\n' ' ')"
  fi
  return 1
}
# build NAME: compiles the workload into $bind/NAME
build() { "$aslc" build "$wl/$1.asl.json" -o "$bind/$1" >"$outd/$1.build.log" 2>&1 || {
  note "$1: aslc build failed: $(head -3 "$outd/$1.build.log" | tr '\n' ' ')"; return 1; }; }
# brief FILE: a file's text on one line; long texts keep their start and their end
brief() { local t; t=$(tr "\n\t" "  " < "$1"); if [ ${#t} -gt 320 ]; then printf "%s ... %s" "${t:0:140}" "${t: -170}"; else printf "%s" "$t"; fi; }
# verify NAME PEER: runs aslc's binary and the peer once each, checks both against expected.
# Sets ok_aslc / ok_peer to 1 or 0.
verify() {
  local n="$1" peer="$2" rc
  ok_aslc=0; ok_peer=0
  rc=0; "$bind/$n" --input "$wl/$n.input.json" >"$outd/$n.aslc.json" 2>"$outd/$n.aslc.err" || rc=$?
  if [ "$rc" != 0 ]; then
    note "$n: aslc binary exited $rc: $(brief "$outd/$n.aslc.err")"
  elif d=$(node "$here/check.mjs" "$wl/$n.expected.json" "$outd/$n.aslc.json"); then ok_aslc=1
  else note "$n: aslc output WRONG: $d"
  fi
  rc=0; node "$here/driver.mjs" "$peer" "$wl/$n.asl.json" "$wl/$n.input.json" >"$outd/$n.$peer.json" 2>"$outd/$n.$peer.err" || rc=$?
  if [ "$rc" != 0 ]; then
    note "$n: $peer exited $rc: $(brief "$outd/$n.$peer.err")"
  elif d=$(node "$here/check.mjs" "$wl/$n.expected.json" "$outd/$n.$peer.json"); then ok_peer=1
  else note "$n: $peer output WRONG: $d"
  fi
}
# phase PEER NAME FIELD [EXTRA]: median over 3 runs of the driver's in-process FIELD (ms)
phase() {
  for _ in 1 2 3; do
    node "$here/driver.mjs" "$1" --phases ${4:-} "$wl/$2.asl.json" "$wl/$2.input.json" 2>&1 >/dev/null |
      sed -n "s/.*$3=\([0-9.]*\).*/\1/p"
  done | median
}
ms() { awk -v s="$1" 'BEGIN { if (s == "NA") print "NA"; else printf "%.3f", s * 1000 }'; }
mib() { awk -v k="$1" 'BEGIN { if (k == "NA") print "NA"; else printf "%.1f", k / 1024 }'; }
# whole NAME PEER RUNS: times aslc's binary and the peer's whole process; adds wall + RSS rows
whole() {
  local n="$1" peer="$2" runs="$3" bench="$4" a p
  a=$(tm -n "$runs" -- "$bind/$n" --input "$wl/$n.input.json")
  p=$(tm -n "$RUNS" -- node "$here/driver.mjs" "$peer" "$wl/$n.asl.json" "$wl/$n.input.json")
  row "$bench" "whole process, wall" ms "$(ms "$(kv "$a" wall_med)")" "$(ms "$(kv "$p" wall_med)")" "$peer"
  row "$bench" "whole process, CPU user+sys" ms "$(ms "$(kv "$a" cpu_med)")" "$(ms "$(kv "$p" cpu_med)")" "$peer"
  row "$bench" "peak RSS" MiB "$(mib "$(kv "$a" rss_med_kib)")" "$(mib "$(kv "$p" rss_med_kib)")" "$peer"
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)

# ---------------------------------------------------------------- 1. compile time
if [[ " $BENCHES " == *" compile "* ]] && supported compile100; then
  say "== compile: 100-state machine"
  if build compile100; then
    verify compile100 alsf
    if [ "$ok_aslc" = 1 ] && [ "$ok_peer" = 1 ]; then
      a=$(tm -n "$RUNS" -- "$aslc" build "$wl/compile100.asl.json" -o "$bind/compile100")
      p=$(tm -n "$RUNS" -- node "$here/driver.mjs" alsf --construct-only "$wl/compile100.asl.json" "$wl/compile100.input.json")
      pc=$(phase alsf compile100 construct --construct-only)
      row "compile 100 states" "aslc build vs node start + load + new StateMachine" ms \
        "$(ms "$(kv "$a" wall_med)")" "$(ms "$(kv "$p" wall_med)")" alsf
      row "compile 100 states" "aslc build vs new StateMachine in-process (parse+validate)" ms \
        "$(ms "$(kv "$a" wall_med)")" "$pc" alsf
      row "compile 100 states" "peak RSS (aslc+cc vs node)" MiB "$(mib "$(kv "$a" rss_med_kib)")" "$(mib "$(kv "$p" rss_med_kib)")" alsf
      # how compile time scales: the 1000-state chain (3 runs: a build takes seconds)
      if supported chain1000; then
        a=$(tm -n 3 -w 0 -- "$aslc" build "$wl/chain1000.asl.json" -o "$bind/chain1000")
        row "compile 1000 states" "aslc build vs new StateMachine in-process (parse+validate)" ms \
          "$(ms "$(kv "$a" wall_med)")" "$(phase alsf chain1000 construct --construct-only)" alsf
      fi
      note "compile: aws-local-stepfunctions has no compile step, it interprets; its nearest equivalent is new StateMachine() (parse + asl-validator), which it repeats on every run. aslc build includes running the C compiler ($("$aslc" build -v "$wl/trivial.asl.json" -o "$bind/trivial" 2>&1 | awk '/^[^ ]*cc /{print $1, $3; exit}'))."
    fi
  fi
fi

# ---------------------------------------------------------------- 2. start-up
if [[ " $BENCHES " == *" startup "* ]] && supported trivial; then
  say "== start-up: Pass -> Succeed"
  if build trivial; then
    verify trivial alsf
    if [ "$ok_aslc" = 1 ] && [ "$ok_peer" = 1 ]; then
      whole trivial alsf "$FAST_RUNS" "start-up (Pass -> Succeed)"
    fi
  fi
fi

# ---------------------------------------------------------------- 3..4. executions
run_exec() { # NAME BENCH-LABEL
  local n="$1" label="$2"
  supported "$n" || return 0
  say "== $label"
  build "$n" || return 0
  verify "$n" alsf
  if [ "$ok_aslc" = 1 ] && [ "$ok_peer" = 1 ]; then
    whole "$n" alsf "$RUNS" "$label"
    row "$label" "aslc whole process vs alsf run() in-process" ms \
      "$(awk -F'\t' -v b="$label" '$1==b && $2=="whole process, wall" {print $4}' "$rows")" \
      "$(phase alsf "$n" run)" alsf
  elif [ "$ok_peer" = 1 ]; then
    row "$label" "whole process, wall (aslc wrong: not timed)" ms NA \
      "$(ms "$(kv "$(tm -n "$RUNS" -- node "$here/driver.mjs" alsf "$wl/$n.asl.json" "$wl/$n.input.json")" wall_med)")" alsf
  fi
}
[[ " $BENCHES " == *" chain "* ]] && run_exec chain1000 "1000-state chain, 50 KB doc"
[[ " $BENCHES " == *" map "* ]] && run_exec map10k "Map, 10,000 items"
[[ " $BENCHES " == *" parallel "* ]] && run_exec par8 "Parallel, 8 branches"

# ---------------------------------------------------------------- 5. JSONata
if [[ " $BENCHES " == *" jsonata "* ]]; then
  for n in jn_filter jn_group jn_string jn_date_iso jn_date; do
    label="JSONata $(awk -F'\t' -v n="$n" '$1==n {sub(/^JSONata /, "", $5); print $5}' "$wl/manifest.tsv")"
    supported "$n" || continue
    say "== $label"
    build "$n" || continue
    verify "$n" jsonata
    if [ "$ok_aslc" = 1 ] && [ "$ok_peer" = 1 ]; then
      whole "$n" jsonata "$RUNS" "$label"
      row "$label" "aslc whole process vs jsonata evaluate() in-process" ms \
        "$(awk -F'\t' -v b="$label" '$1==b && $2=="whole process, wall" {print $4}' "$rows")" \
        "$(phase jsonata "$n" run)" jsonata
    fi
  done
fi

load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# ---------------------------------------------------------------- report
cpu=$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)
mem=$(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)
ccv=$(cc --version | head -1)
nodev=$(node --version)

table() {
  printf '| benchmark | measure | unit | aslc | peer | peer/aslc | peer |\n|---|---|---|---:|---:|---:|---|\n'
  awk -F'\t' '{printf "| %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, ($6 == "NA" ? "NA" : $6 "x"), $7}' "$rows"
}
md="$here/results/$stamp.md"
{
  printf '# aslc benchmarks, %s\n\n' "$stamp"
  printf -- '- aslc: %s (%s)\n' "$commit" "$aslc"
  printf -- '- peers: aws-local-stepfunctions %s (alsf), jsonata %s; node %s\n' "$alsf_version" "$jsonata_version" "$nodev"
  printf -- '- machine: %s, %s cores, %s; %s\n' "$cpu" "$(nproc)" "$mem" "$ccv"
  printf -- '- load average before / after: %s / %s (shared machine: other jobs were running)\n' "$load_before" "$load_after"
  printf -- '- medians of %s whole-process runs (%s for aslc start-up), 3 for in-process phases; 1 warm-up run each\n\n' "$RUNS" "$FAST_RUNS"
  table
  if [ -s "$notes" ]; then printf '\nNotes:\n\n'; cat "$notes"; fi
} > "$md"
jq -R -s --arg date "$stamp" --arg commit "$commit" --arg cpu "$cpu" --arg cores "$(nproc)" --arg mem "$mem" \
  --arg cc "$ccv" --arg node "$nodev" --arg alsf "$alsf_version" --arg jsonata "$jsonata_version" \
  --arg load_before "$load_before" --arg load_after "$load_after" --arg runs "$RUNS" --rawfile notes "$notes" '
  { date: $date, commit: $commit,
    machine: { cpu: $cpu, cores: ($cores | tonumber), memory: $mem, cc: $cc, load_before: $load_before, load_after: $load_after },
    peers: { node: $node, "aws-local-stepfunctions": $alsf, jsonata: $jsonata }, runs: ($runs | tonumber),
    rows: [ split("\n")[] | select(length > 0) | split("\t") |
            { benchmark: .[0], measure: .[1], unit: .[2],
              aslc: (.[3] | tonumber? // null), peer: (.[4] | tonumber? // null),
              ratio: (.[5] | tonumber? // null), peer_name: .[6] } ],
    notes: ($notes | split("\n") | map(select(length > 0) | sub("^- "; ""))) }' "$rows" > "$here/results/$stamp.json"

echo
column -t -s $'\t' -N benchmark,measure,unit,aslc,peer,peer/aslc,peer "$rows" 2>/dev/null || table
if [ -s "$notes" ]; then echo; echo "Notes:"; cat "$notes"; fi
echo
echo "results: $md and ${md%.md}.json"
