#!/bin/bash
# Concurrency budget under load (issue 16): a Map of 2,000 items, MaxConcurrency
# 0, each iteration an inner Map of 2 items; one item in 20 runs a slow task
# program (0.2 s) in both inner iterations, the rest a Pass, so every
# iteration takes a thread slot while only 200 programs are started (the run
# is bounded by the programs, not by process start-up under ASan).  While
# it runs, the binary's threads, its task processes (direct children) and its
# open descriptors are sampled; each must stay within the --max-concurrency
# budget docs/local-tasks.md states:
#     threads   <= N + 2   (N + 1 running states, the signal watcher), plus at
#                            most EXITING threads the kernel still lists after
#                            they were joined (a joined thread's slot is free
#                            at once, its /proc entry goes a moment later; on a
#                            loaded machine several overlap)
#     children  <= N + 1   (one task program per state thread)
#     fds       <= 3 (N + 1) + 16   (three pipes per program, stdio, outputs)
# and afterwards no task process may be left.  Bounded in time: a few
# seconds in all on two cores.
#
#   test_stress_budget.sh ASLC WORKDIR      (ASLC_SOURCE_DIR in the environment)
. "$(dirname "$0")/lib.sh" "$@"
MARK=stress$$
EXITING=8
cat >"$WORK/stress.json" <<EOF2
{"StartAt":"Outer","States":{"Outer":{"Type":"Map","MaxConcurrency":0,"ItemsPath":"\$.items",
  "ItemSelector":{"pair.\$":"States.Array(\$\$.Map.Item.Value, \$\$.Map.Item.Value)"},
  "ItemProcessor":{"StartAt":"Inner","States":{"Inner":{"Type":"Map","MaxConcurrency":0,"ItemsPath":"\$.pair",
    "ItemProcessor":{"StartAt":"Which","States":{
      "Which":{"Type":"Choice","Choices":[{"Variable":"\$.slow","BooleanEquals":true,"Next":"Slow"}],"Default":"Quick"},
      "Quick":{"Type":"Pass","End":true},
      "Slow":{"Type":"Task","Resource":"aslc:exec:$PROGS/slow_echo.sh 0.2 $MARK","End":true}}},"End":true}}},
  "ResultSelector":{"n.\$":"States.ArrayLength(\$)"},"End":true}}}
EOF2
"$ASLC" build "$WORK/stress.json" -o "$WORK/stress" 2>"$WORK/build.err" || { fail "build: $(cat "$WORK/build.err")"; exit 1; }
# run N ITEMS: one run with --max-concurrency N over ITEMS items, sampled every 20 ms.
run() {
    local n=$1 items=$2
    python3 -c 'import json, sys; print(json.dumps({"items": [{"i": i, "slow": i % 20 == 0} for i in range(int(sys.argv[1]))]}))' \
        "$items" >"$WORK/input$n.json"
    "$WORK/stress" --input "$WORK/input$n.json" --max-concurrency "$n" --result "$WORK/r$n.json" \
        >/dev/null 2>"$WORK/r$n.err" &
    local pid=$! thr=0 kids=0 fds=0 t k f
    while kill -0 "$pid" 2>/dev/null; do
        t=$(awk '/^Threads:/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
        k=$(grep -l "^PPid:[[:space:]]*$pid\$" /proc/[0-9]*/status 2>/dev/null | wc -l)
        f=$(ls "/proc/$pid/fd" 2>/dev/null | wc -l)
        [ "${t:-0}" -gt "$thr" ] && thr=$t
        [ "$k" -gt "$kids" ] && kids=$k
        [ "$f" -gt "$fds" ] && fds=$f
        sleep 0.02
    done
    wait "$pid"
    local st=$?
    echo "max-concurrency $n: peak threads $thr, task processes $kids, fds $fds"
    [ "$st" = 0 ] || fail "N=$n: exit $st: $(head -c 300 "$WORK/r$n.err")"
    check "N=$n result" "$WORK/r$n.json" 'r["status"] == "SUCCEEDED" and r["output"] == {"n": '"$items"'}'
    [ "$thr" -le $((n + 2 + EXITING)) ] || fail "N=$n: $thr threads, budget $((n + 2)) (+$EXITING exiting)"
    [ "$kids" -le $((n + 1)) ] || fail "N=$n: $kids task processes, budget $((n + 1))"
    [ "$fds" -le $((3 * (n + 1) + 16)) ] || fail "N=$n: $fds fds, budget $((3 * (n + 1) + 16))"
    [ "$kids" -ge 2 ] || fail "N=$n: never more than $kids task at once: the Maps did not run concurrently"
    if pgrep -f "$MARK" >/dev/null; then
        fail "N=$n: task processes left running"
        for p in $(pgrep -f "$MARK"); do kill -KILL "$p"; done
    fi
}
run 64 2000     # the default budget, the issue's 2,000 items
run 4 200       # a small budget, so the bound is tight

if [ "$fails" -gt 0 ]; then
    echo "$fails failure(s)" >&2
    exit 1
fi
echo "test_stress_budget: all checks passed"
