#!/usr/bin/env bash
# bench/durable.sh — the cost of --store, side by side in one run (docs/benchmarks.md):
#
#   chain    the 1000-state Pass chain, without a store and with one in each durability mode
#   map      an inline Map over 10,000 items (2 Pass states each), the same three ways
#   tasks    200 Task states run by a local program, the same three ways: the difference
#            divided by 200 is the cost of one recorded task result
#   resume   the 10,000-item Map (each item waits 1 ms) killed half way, then resumed:
#            the resumed run's time next to an uninterrupted run's
#   callback a .waitForTaskToken task: send-task-success until the waiting process is done
#
#   bench/durable.sh [-n RUNS]        (median of RUNS, default 5)
#   ASLC=PATH                         the aslc to use (default build/compiler/aslc)
#
# Prints a table (wall ms, with CPU ms in brackets) and writes bench/results/durable-<UTC date>.md.
# A measurement tool, not a test: nothing here runs under ctest.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/.." && pwd)"
RUNS=5
while getopts "n:h" o; do
  case "$o" in
    n) RUNS="$OPTARG" ;;
    *) sed -n '2,17p' "$0"; exit 0 ;;
  esac
done
ASLC="${ASLC:-$repo/build/compiler/aslc}"
[ -x "$ASLC" ] || { echo "durable.sh: no aslc at $ASLC (build it, or set ASLC)" >&2; exit 2; }
PY=/usr/bin/python3
work="$here/work/durable"
rm -rf "$work" && mkdir -p "$work" "$here/results"
cd "$work"

# ---------------------------------------------------------------- workloads
$PY - <<'PY'
import json
# 1000 Pass states in a chain, each computing over a small document
states = {}
for i in range(1000):
    s = {"Type": "Pass", "Parameters": {"i": i, "sum.$": "States.MathAdd($.sum, 1)",
                                        "doc.$": "$.doc"}}
    if i < 999: s["Next"] = "S%d" % (i + 1)
    else: s["End"] = True
    states["S%d" % i] = s
json.dump({"StartAt": "S0", "States": states}, open("chain.json", "w"))
json.dump({"sum": 0, "doc": {"k%d" % i: "v%d" % i for i in range(100)}}, open("chain.in.json", "w"))
# an inline Map over 10,000 items, 2 Pass states each
json.dump({"StartAt": "M", "States": {"M": {"Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": 40,
    "ItemProcessor": {"StartAt": "A", "States": {
        "A": {"Type": "Pass", "Parameters": {"n.$": "States.MathAdd($, 1)"}, "Next": "B"},
        "B": {"Type": "Pass", "Parameters": {"s.$": "States.Format('item {}', $.n)"}, "End": True}}},
    "End": True}}}, open("map.json", "w"))
json.dump({"items": list(range(10000))}, open("map.in.json", "w"))
# the same Map, each item waiting 1 ms (--wait-scale 0.001): long enough to kill half way
json.dump({"StartAt": "M", "States": {"M": {"Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": 40,
    "ItemProcessor": {"StartAt": "W", "States": {
        "W": {"Type": "Wait", "Seconds": 1, "Next": "B"},
        "B": {"Type": "Pass", "Parameters": {"s.$": "States.Format('item {}', $)"}, "End": True}}},
    "End": True}}}, open("mapwait.json", "w"))
# 200 Task states run by a local program
states = {}
for i in range(200):
    s = {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f", "ResultPath": "$.r"}
    if i < 199: s["Next"] = "T%d" % (i + 1)
    else: s["End"] = True
    states["T%d" % i] = s
json.dump({"StartAt": "T0", "States": states}, open("tasks.json", "w"))
json.dump({"StartAt": "Ask", "States": {"Ask": {"Type": "Task",
    "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
    "Parameters": {"token.$": "$$.Task.Token"}, "End": True}}}, open("callback.json", "w"))
PY
printf '#!/bin/sh\ncat >/dev/null\necho 1\n' > one.sh
printf '#!/bin/sh\njq -r .token > "$(dirname "$0")/token.txt"\necho "{}"\n' > deliver.sh
chmod +x one.sh deliver.sh
for w in chain map mapwait tasks callback; do "$ASLC" build $w.json -o $w; done
TB="arn:aws:lambda:us-east-1:123456789012:function:f=$work/one.sh"

# median wall and CPU (user + system) time in ms of RUNS runs of a command,
# printed "WALL (CPU)"; a fresh store for each run.  On a shared machine the
# CPU time is the steadier figure: wall time also counts waiting for a core.
median() {  # label, then the command (the word @DB@ becomes a fresh store path)
    local label=$1; shift
    $PY - "$RUNS" "$@" <<'PY'
import os, subprocess, sys, time, statistics
runs = int(sys.argv[1]); cmd = sys.argv[2:]
ts, cs = [], []
for i in range(runs):
    db = "run%d.db" % i
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(db + suffix): os.unlink(db + suffix)
    c = [a.replace("@DB@", db).replace("@NAME@", "e%d" % i) for a in cmd]
    t = time.perf_counter()
    p = subprocess.Popen(c, stdout=subprocess.DEVNULL)
    _, status, ru = os.wait4(p.pid, 0)
    if status != 0: sys.exit("durable.sh: %s exited with %d" % (" ".join(c), status))
    ts.append((time.perf_counter() - t) * 1000)
    cs.append((ru.ru_utime + ru.ru_stime) * 1000)
print("%.1f (%.0f)" % (statistics.median(ts), statistics.median(cs)))
PY
}
wall() { echo "${1%% *}"; }
ratio() {   # "WALL (CPU)" of the base, of the other: "Rx (Rx)"
    $PY -c "import sys; f = lambda s: [float(x.strip('()')) for x in s.split()]
print('%.1fx (%.1fx)' % tuple(y / x for x, y in zip(f(sys.argv[1]), f(sys.argv[2]))))" "$1" "$2"
}

rows=()
row() { rows+=("| $1 | $2 | $3 | $4 |"); printf '%-40s %10s %10s %10s\n' "$1" "$2" "$3" "$4"; }
printf '%-40s %10s %10s %10s\n' "benchmark (wall ms (CPU ms), median of $RUNS)" "no store" "full" "process"
for w in chain map; do
    mem=$(median $w ./$w --input $w.in.json)
    full=$(median $w ./$w --input $w.in.json --store @DB@ --name @NAME@)
    proc=$(median $w ./$w --input $w.in.json --store @DB@ --name @NAME@ --durability process)
    row "$w" "$mem" "$full" "$proc"
    row "$w: ratio to no store, wall (CPU)" "" "$(ratio "$mem" "$full")" "$(ratio "$mem" "$proc")"
done
mem=$(median tasks ./tasks --bind "$TB")
full=$(median tasks ./tasks --bind "$TB" --store @DB@ --name @NAME@)
proc=$(median tasks ./tasks --bind "$TB" --store @DB@ --name @NAME@ --durability process)
row "200 tasks" "$mem" "$full" "$proc"
per_full=$($PY -c "print('%.2f' % (($(wall "$full") - $(wall "$mem")) / 200))")
per_proc=$($PY -c "print('%.2f' % (($(wall "$proc") - $(wall "$mem")) / 200))")
row "per recorded task result (tasks above)" "" "$per_full" "$per_proc"

# resume: an uninterrupted run, then a run killed half way and resumed
whole=$(median mapwait ./mapwait --input map.in.json --wait-scale 0.001 --store @DB@ --name @NAME@)
$PY - "$whole" <<'PY' > resume.txt
import os, signal, subprocess, sys, time
half = float(sys.argv[1].split()[0]) / 2000
for s in ("", "-wal", "-shm"):
    if os.path.exists("resume.db" + s): os.unlink("resume.db" + s)
cmd = ["./mapwait", "--input", "map.in.json", "--wait-scale", "0.001", "--store", "resume.db", "--name", "r"]
p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
time.sleep(half)
p.send_signal(signal.SIGKILL); p.wait()
t = time.perf_counter()
subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True)
print("%.1f" % ((time.perf_counter() - t) * 1000))
PY
row "10,000-item Map: whole run / resumed after a kill half way" "" "$whole" "$(cat resume.txt)"

# callback latency: send-task-success until the waiting process has exited
$PY - "$RUNS" "$work" <<'PY' > callback.txt
import os, subprocess, sys, time, statistics
runs, work = int(sys.argv[1]), sys.argv[2]
ts = []
for i in range(runs):
    if os.path.exists("token.txt"): os.unlink("token.txt")
    p = subprocess.Popen(["./callback", "--store", "cb.db", "--name", "c%d" % i, "--bind",
                          "arn:aws:states:::sqs:sendMessage.waitForTaskToken=%s/deliver.sh" % work],
                         stdout=subprocess.DEVNULL)
    while not (os.path.exists("token.txt") and os.path.getsize("token.txt")): time.sleep(0.005)
    time.sleep(0.2)     # the task is waiting now
    tok = open("token.txt").read().strip()
    t = time.perf_counter()
    subprocess.run(["./callback", "send-task-success", "--store", "cb.db", "--task-token", tok,
                    "--task-output", '{"ok": true}'], stdout=subprocess.DEVNULL, check=True)
    sent = time.perf_counter()
    p.wait()
    ts.append(((time.perf_counter() - t) * 1000, (time.perf_counter() - sent) * 1000))
print("%.1f %.1f" % (statistics.median(a for a, _ in ts), statistics.median(b for _, b in ts)))
PY
read -r cb_all cb_after < callback.txt
row "callback: send-task-success → process done / after the sender exited" "" "$cb_all" "$cb_after"

out="$here/results/durable-$(date -u +%Y%m%dT%H%M%SZ).md"
{
    echo "# bench/durable.sh, $(date -u +%Y-%m-%dT%H:%MZ), median of $RUNS, $(nproc) cores"
    echo
    echo "wall ms (CPU ms, user + system). Load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)."
    echo
    echo "| benchmark | no store | --store (full) | --store --durability process |"
    echo "|---|---:|---:|---:|"
    printf '%s\n' "${rows[@]}"
} > "$out"
echo "written $out"
