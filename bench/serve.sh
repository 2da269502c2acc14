#!/usr/bin/env bash
# bench/serve.sh - the Step Functions API server (`BINARY serve`, docs/serve.md),
# measured in one run:
#
#   1. StartExecution and StartSyncExecution of a 3-state workflow (Pass, Pass,
#      Succeed) at 1, 16 and 64 concurrent connections: requests/s, p50 and p99
#      latency (wrk, Debian's package, with bench/serve_start.lua);
#   2. executions/s sustained with the store in its default durability mode
#      (full: fsync at every commit) and in process mode: N executions started
#      as fast as the server takes them, timed from the first start to the last
#      stop recorded in the store;
#   3. RSS and thread count of the server with 10,000 executions parked in a
#      Wait (and the same with callbacks waiting for a token).
#
#   bench/serve.sh [-d SECONDS] [-n EXECUTIONS] [-p PARKED]
#
# Environment: ASLC=PATH (default: build-bench/compiler/aslc, built if missing).
# Prints a table and writes bench/results/serve-<UTC date>.md (not committed).
# A measurement, not a test: nothing here runs under ctest.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/.." && pwd)"
DUR=10
NEXEC=5000
PARKED=10000
while getopts "d:n:p:h" o; do
  case "$o" in
    d) DUR="$OPTARG" ;;
    n) NEXEC="$OPTARG" ;;
    p) PARKED="$OPTARG" ;;
    *) sed -n '2,21p' "$0"; exit 0 ;;
  esac
done
command -v wrk >/dev/null || { echo "serve.sh: needs wrk (apt-get install wrk)" >&2; exit 1; }

if [ -z "${ASLC:-}" ]; then
  BUILD_DIR="${BUILD_DIR:-$repo/build-bench}"
  if [ ! -x "$BUILD_DIR/compiler/aslc" ]; then
    cmake -S "$repo" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release >/dev/null
    nice cmake --build "$BUILD_DIR" -j2 --target aslc aslrt >/dev/null
  fi
  ASLC="$BUILD_DIR/compiler/aslc"
fi
work="$here/work/serve"
rm -rf "$work" && mkdir -p "$work" "$here/results"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
SM_PREFIX=arn:aws:states:us-east-1:123456789012:stateMachine

cat >"$work/three.json" <<'EOF'
{"StartAt":"A","States":{
  "A":{"Type":"Pass","Result":{"x":1},"ResultPath":"$.a","Next":"B"},
  "B":{"Type":"Pass","Parameters":{"sum.$":"States.MathAdd($.a.x, 2)"},"Next":"C"},
  "C":{"Type":"Succeed"}}}
EOF
cat >"$work/parked.json" <<'EOF'
{"StartAt":"Sleep","States":{"Sleep":{"Type":"Wait","Seconds":3600,"End":true}}}
EOF
cat >"$work/callback.json" <<'EOF'
{"StartAt":"Ask","States":{"Ask":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke.waitForTaskToken",
  "Parameters":{"FunctionName":"ask","Payload":{"token.$":"$$.Task.Token"}},"End":true}}}
EOF
"$ASLC" build "$work/three.json" -o "$work/three" -O2
"$ASLC" build "$work/parked.json" -o "$work/parked" -O2
"$ASLC" build "$work/callback.json" -o "$work/callback" -O2

PID=
start_server() {   # start_server BINARY DB [options]: sets PID, PORT
  local bin=$1 db=$2
  shift 2
  rm -f "$db" "$db"-*
  "$work/$bin" serve --store "$db" --listen 127.0.0.1:0 --log-level warn --max-inflight 4096 "$@" \
    2>"$work/$bin.log" &
  PID=$!
  PORT=
  for _ in $(seq 200); do
    PORT=$(sed -n 's/.*listening on http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/$bin.log" | head -n1)
    [ -n "$PORT" ] && break
    sleep 0.05
  done
  [ -n "$PORT" ] || { echo "serve.sh: $bin did not start: $(cat "$work/$bin.log")" >&2; exit 1; }
}
stop_server() {
  kill -TERM "$PID" 2>/dev/null || true
  wait "$PID" 2>/dev/null || true
}
trap stop_server EXIT

report="$here/results/serve-$stamp.md"
{
  echo "# serve benchmarks, $stamp"
  echo
  echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
  echo "## Requests (3-state workflow, ${DUR}s each, wrk)"
  echo
  echo "| operation | connections | requests/s | p50 ms | p99 ms | errors |"
  echo "|---|---|---|---|---|---|"
} >"$report"

# wrk's --latency table: "50.000%  1.23ms" lines; print p50 p99 in ms.
wrk_run() {   # wrk_run OP CONNS DB_MODE
  local op=$1 conns=$2 threads=$(( $2 < 2 ? 1 : 2 ))
  SM_ARN="$SM_PREFIX:three" OP="$op" wrk -t"$threads" -c"$conns" -d"${DUR}s" --latency \
    -s "$here/serve_start.lua" "http://127.0.0.1:$PORT/" >"$work/wrk-$op-$conns.txt" 2>&1 || true
  python3 - "$work/wrk-$op-$conns.txt" "$op" "$conns" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
def ms(label):
    m = re.search(r"^\s*%s\s+([\d.]+)(us|ms|s)\s*$" % re.escape(label), text, re.M)
    if not m:
        return float("nan")
    v = float(m.group(1))
    return v / 1000 if m.group(2) == "us" else v * 1000 if m.group(2) == "s" else v
rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
errs = re.search(r"Socket errors: (.*)", text)
print("| %s | %s | %.0f | %.2f | %.2f | %s |" % (
    sys.argv[2], sys.argv[3], float(rps.group(1)) if rps else 0, ms("50%"), ms("99%"),
    (bad.group(1) + " non-2xx" if bad else "0") + ("; " + errs.group(1) if errs else "")))
PY
}

# A fresh server per operation: StartExecution leaves executions running.
for op in StartExecution StartSyncExecution; do
  start_server three "$work/three-$op.db"
  for c in 1 16 64; do
    wrk_run "$op" "$c" | tee -a "$report"
  done
  stop_server
done

# ---- sustained executions/s: NEXEC starts, then wait for the last stop.
sustained() {   # sustained MODE
  local mode=$1
  start_server three "$work/sust-$mode.db" --durability "$mode"
  local out
  out=$(python3 "$here/serve_load.py" "$PORT" "$NEXEC" "$SM_PREFIX:three" "$work/sust-$mode.db" done)
  set -- $out
  echo "| $mode | $1 | $2 | $3 |"
  stop_server
}
{
  echo
  echo "## Sustained executions (3-state workflow, $NEXEC executions, 16 client connections)"
  echo
  echo "| durability | executions | seconds (first start to last stop) | executions/s |"
  echo "|---|---|---|---|"
} >>"$report"
for mode in full process; do
  sustained "$mode" | tee -a "$report"
done

# ---- memory with PARKED executions waiting.
parked() {   # parked BINARY LABEL [serve options]
  local bin=$1 label=$2
  shift 2
  start_server "$bin" "$work/park-$bin.db" --durability process --max-queue $((PARKED + 100)) "$@"
  local rss0
  rss0=$(awk '/VmRSS/ {print $2}' "/proc/$PID/status")
  python3 "$here/serve_load.py" "$PORT" "$PARKED" "$SM_PREFIX:$bin" "$work/park-$bin.db" parked >/dev/null
  sleep 1
  local rss threads
  rss=$(awk '/VmRSS/ {print $2}' "/proc/$PID/status")
  threads=$(awk '/Threads/ {print $2}' "/proc/$PID/status")
  echo "| $label | $PARKED | $((rss0 / 1024)) MiB -> $((rss / 1024)) MiB | $threads |"
  stop_server
}
{
  echo
  echo "## Parked executions"
  echo
  echo "| waiting in | executions | server RSS (idle -> with them parked) | threads |"
  echo "|---|---|---|---|"
} >>"$report"
parked parked "Wait 3600 s" | tee -a "$report"
parked callback ".waitForTaskToken" --bind "arn:aws:states:::lambda:invoke.waitForTaskToken=/bin/true" | tee -a "$report"

echo
echo "written: $report"
