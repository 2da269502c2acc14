#!/bin/bash
# The crash harness (docs/durability.md): a workflow with Task, Wait,
# Choice, Parallel, Map and a callback is killed with SIGKILL at random
# points, at least 200 times over several executions, and restarted each
# time with the same command.  Checked:
#   - every execution ends SUCCEEDED with the output and history of an
#     uninterrupted run (random values, tokens and names masked; event ids
#     1..N without gaps or repeats);
#   - random values stay what they first were (every task sees the same UUID,
#     a retry's FULL jitter is drawn once);
#   - no task whose result was recorded ever started again (each task program
#     looks its own ASLC_TASK_KEY up in the store when it starts);
#   - a task in flight at a kill runs again at most once more: no task runs
#     more extra times than there were kills.
# The Map's iterations end in a callback too: their waits park (the
# iteration gives its thread back and runs again by replay once answered),
# so the checks above also cover iterations replayed within one process.
# $1 aslc, $2 work dir.  $ASLC_CRASH_KILLS overrides the 200.
set -eu
ASLC=$1 WORK=$2
KILLS_WANTED=${ASLC_CRASH_KILLS:-200}
PY=/usr/bin/python3
rm -rf "$WORK" && mkdir -p "$WORK/tokens" && cd "$WORK"

cat > wf.json <<'JSON'
{"StartAt": "Init", "States": {
  "Init": {"Type": "Pass", "Next": "T1", "Parameters": {
      "id.$": "States.UUID()", "r.$": "States.MathRandom(1, 1000)", "items": [1, 2, 3, 4]}},
  "T1": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:work",
         "Parameters": {"name": "T1", "v.$": "$.id"}, "ResultPath": "$.t1", "Next": "C"},
  "C": {"Type": "Choice", "Choices": [{"Variable": "$.r", "NumericGreaterThan": 0, "Next": "W"}],
        "Default": "Bad"},
  "Bad": {"Type": "Fail", "Error": "Bad"},
  "W": {"Type": "Wait", "Seconds": 2, "Next": "P"},
  "P": {"Type": "Parallel", "ResultPath": "$.par", "Next": "CB", "Branches": [
     {"StartAt": "B1", "States": {"B1": {"Type": "Task",
        "Resource": "arn:aws:lambda:us-east-1:123456789012:function:work",
        "Parameters": {"name": "B1", "v.$": "$.id"}, "End": true}}},
     {"StartAt": "M", "States": {"M": {"Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": 4,
        "ItemSelector": {"v.$": "$$.Map.Item.Value", "u.$": "States.UUID()"},
        "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Task",
          "Resource": "arn:aws:lambda:us-east-1:123456789012:function:work",
          "Parameters": {"name": "I", "v.$": "$.v", "retry.$": "$$.State.RetryCount"},
          "Retry": [{"ErrorEquals": ["Flaky"], "IntervalSeconds": 1, "MaxAttempts": 2,
                     "JitterStrategy": "FULL"}],
          "ResultPath": "$.res", "Next": "Ok"},
        "Ok": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
          "Parameters": {"FunctionName": "notify",
                         "Payload": {"token.$": "$$.Task.Token", "id.$": "States.Format('item {}', $.v)"}},
          "ResultPath": "$.ok", "End": true}}},
        "End": true}}}]},
  "CB": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
         "Parameters": {"FunctionName": "notify", "Payload": {"token.$": "$$.Task.Token", "id.$": "$.id"}},
         "ResultPath": "$.cb", "Next": "T2"},
  "T2": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:work",
         "Parameters": {"name": "T2", "v.$": "$.id"}, "ResultPath": "$.t2", "End": true}}}
JSON

# A task: log its start (key, value), note loudly if the store already
# holds its result, take a little time, log its end, answer.
cat > work.sh <<'SH'
#!/bin/bash
# (plain bash and one sqlite3: the harness kills hundreds of these)
in=$(cat)
dir=$(dirname "$0")
[[ $in =~ \"name\":\"([A-Z0-9]+)\" ]] && name=${BASH_REMATCH[1]}
[[ $in =~ \"v\":(\"[^\"]*\"|[0-9]+) ]] && v=${BASH_REMATCH[1]}
retry=0
[[ $in =~ \"retry\":([0-9]+) ]] && retry=${BASH_REMATCH[1]}
key=${ASLC_TASK_KEY:-} arn=${ASLC_TASK_KEY%%#*} step=${ASLC_TASK_KEY#*#}
echo "start $key $name ${v//\"/}" >> "$dir/runs.log"
n=$(sqlite3 -cmd ".timeout 30000" "$1" \
    "SELECT count(*) FROM steps s JOIN executions e ON s.exec = e.id WHERE e.arn = '$arn' AND s.key = '$step'")
[ "$n" = 0 ] || echo "ran again after its result was recorded: $key" >> "$dir/violations.log"
sleep "0.0$((RANDOM % 40))"
echo "done $key" >> "$dir/runs.log"
if [ "$name" = I ] && [ "$v" = 2 ] && [ "$retry" = 0 ]; then
    echo '{"errorType": "Flaky", "errorMessage": "first attempt of item 2"}'
    exit 1
fi
echo "{\"task\": \"$name\", \"v\": $v}"
SH
chmod +x work.sh
# The callback's delivery: keep the token for the harness to answer.
cat > notify.py <<'PY'
import json, os, sys
p = json.load(sys.stdin)["Payload"]
work = os.path.dirname(os.path.abspath(sys.argv[0]))
with open(os.path.join(work, "tokens", p["token"]), "w") as f:
    f.write(p["id"])
print("{}")
PY

"$ASLC" build wf.json -o wf
run_wf() {  # store name: the same command every time (exec: $! is the binary itself)
    exec ./wf --store "$1" --name "$2" --input-json '{}' --wait-scale 0.05 \
        --bind "arn:aws:lambda:us-east-1:123456789012:function:work=$WORK/work.sh $WORK/$1" \
        --bind "arn:aws:states:::lambda:invoke.waitForTaskToken=$PY $WORK/notify.py" --result "$2.result.json" --history "$2.history.json"
}
answer_tokens() {  # store
    for t in tokens/*; do
        [ -e "$t" ] || continue
        ./wf send-task-success --store "$1" --task-token "$(basename "$t")" \
            --task-output '{"approved": true}' >/dev/null 2>&1 || true
        mv "$t" "$t.answered"
    done
}

# The reference: one uninterrupted execution.
t0=$(date +%s%N)
run_wf ref.db ref >/dev/null 2>ref.err &
pid=$!
while kill -0 $pid 2>/dev/null; do answer_tokens ref.db; sleep 0.02; done
wait $pid || { echo "FAIL: the reference run failed"; cat ref.err; exit 1; }
# Kills fall at random points of a run: 0 to a third of an uninterrupted
# run's time (at least 300 ms), so that the runs between kills get on.
window=$(( ($(date +%s%N) - t0) / 3000000 ))
[ $window -ge 300 ] || window=300

# Normalised history: no timestamps or ids, random values and names masked, sorted.
normalise() {  # history.json name -> lines
    jq -c '.events[] | del(.timestamp, .id, .previousEventId)' "$1" |
        sed -E -e 's/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/UUID/g' \
               -e 's/aslc1\.[A-Za-z0-9_-]{43}/TOKEN/g' -e 's/\\"r\\":[0-9]+/\\"r\\":R/g' \
               -e "s/$2/NAME/g" | sort
}
check_ids() {  # history.json
    jq -e '.events | [.[].id] == [range(1; length + 1)] and all(.[]; .previousEventId < .id)' "$1" >/dev/null
}
check_ids ref.history.json || { echo "FAIL: reference history ids"; exit 1; }
normalise ref.history.json ref > ref.norm
jq -c '.output | del(.id, .r) | walk(if type == "object" and has("u") then del(.u) else . end)' \
    ref.result.json | sed -E 's/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/UUID/g' > ref.out

kills=0 execs=0 runs=0
SECONDS=0
while [ $kills -lt "$KILLS_WANTED" ]; do
    execs=$((execs + 1))
    name="crash$execs" db="crash.db"
    ekills=0
    : > runs.log
    rm -f tokens/*
    # answer callbacks as they come, across the kills (as an approver would)
    ( while :; do answer_tokens $db; sleep 0.05; done ) &
    answerer=$!
    for attempt in $(seq 1 400); do
        runs=$((runs + 1))
        run_wf $db $name >/dev/null 2>>"$name.err" &
        pid=$!
        ms=$(( (RANDOM * 32768 + RANDOM) % window ))
        sleep "$((ms / 1000)).$(printf '%03d' $((ms % 1000)))"
        if kill -0 $pid 2>/dev/null; then
            kill -9 $pid 2>/dev/null || true
            wait $pid 2>/dev/null || true
            kills=$((kills + 1)) ekills=$((ekills + 1))
            continue
        fi
        rc=0
        wait $pid || rc=$?
        [ $rc = 0 ] && break
        echo "FAIL: $name exited $rc"; tail -5 "$name.err"; kill $answerer; exit 1
    done
    kill $answerer; wait $answerer 2>/dev/null || true
    [ -s "$name.result.json" ] && [ "$(jq -r .status "$name.result.json")" = SUCCEEDED ] ||
        { echo "FAIL: $name did not finish"; exit 1; }
    # wait for orphaned task programs of killed runs before reading their logs
    sleep 0.1
    check_ids "$name.history.json" || { echo "FAIL: $name: history ids"; exit 1; }
    normalise "$name.history.json" "$name" > "$name.norm"
    diff ref.norm "$name.norm" > "$name.diff" || { echo "FAIL: $name history differs"; head "$name.diff"; exit 1; }
    jq -c '.output | del(.id, .r) | walk(if type == "object" and has("u") then del(.u) else . end)' \
        "$name.result.json" | sed -E 's/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/UUID/g' > "$name.out"
    cmp -s ref.out "$name.out" || { echo "FAIL: $name output differs"; cat ref.out "$name.out"; exit 1; }
    # the UUID drawn at the start is what every task saw, however often it restarted
    id=$(jq -r .output.id "$name.result.json")
    bad=$(awk -v id="$id" '$1 == "start" && ($3 == "T1" || $3 == "B1" || $3 == "T2") && $4 != id' runs.log | wc -l)
    [ "$bad" = 0 ] || { echo "FAIL: $name: a task saw another UUID"; exit 1; }
    repeats=$(awk '$1 == "start" {n[$2]++} END {r = 0; for (k in n) r += n[k] - 1; print r}' runs.log)
    tasks=$(awk '$1 == "start" {n[$2]++} END {print length(n)}' runs.log)
    [ "$tasks" = 8 ] || { echo "FAIL: $name: $tasks distinct task attempts ran, want 8"; exit 1; }
    # each kill may cut short every task then in flight, each of which then runs once more
    worst=$(awk '$1 == "start" {n[$2]++} END {m = 0; for (k in n) if (n[k] - 1 > m) m = n[k] - 1; print m}' runs.log)
    [ "$worst" -le "$ekills" ] || { echo "FAIL: $name: a task ran $worst extra times, > $ekills kills"; exit 1; }
    echo "$name: $ekills kills, $repeats in-flight repeats, $(jq '.events | length' "$name.history.json") events"
done
if [ -s violations.log ]; then
    echo "FAIL: completed tasks ran again:"; cat violations.log; exit 1
fi
echo "ok: $kills SIGKILLs (window ${window} ms) over $execs executions ($runs runs) in ${SECONDS}s: outputs and histories equal the uninterrupted run"
