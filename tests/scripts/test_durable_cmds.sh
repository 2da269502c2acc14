#!/bin/bash
# Runs with --store and every store subcommand's exit paths
# (docs/durability.md): names, resume, callbacks (answers, errors, a kill
# while waiting, heartbeats), stop, redrive, list/describe/history, bad
# stores (corrupt, foreign, locked, read-only), two processes on one store.
# $1 aslc, $2 work dir.
set -eu
ASLC=$1 WORK=$2
rm -rf "$WORK" && mkdir -p "$WORK" && cd "$WORK"
fail() { echo "FAIL: $*"; exit 1; }
# expect CODE PATTERN cmd...: exit status CODE, stderr matching PATTERN
expect() {
    local code=$1 pat=$2 rc=0
    shift 2
    "$@" >out.txt 2>err.txt || rc=$?
    [ "$rc" = "$code" ] || { cat err.txt; fail "$* exited $rc, want $code"; }
    [ -z "$pat" ] || grep -q -- "$pat" err.txt || { cat err.txt; fail "$*: stderr lacks '$pat'"; }
}

# ------------------------------------------------------------ names, resume
cat > count.sh <<'SH'
#!/bin/sh
cat > /dev/null
echo run >> "$(dirname "$0")/count.log"
echo '{"done": true}'
SH
chmod +x count.sh
cat > simple.json <<'JSON'
{"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f",
  "ResultPath": "$.t", "End": true}}}
JSON
"$ASLC" build simple.json -o simple
B="arn:aws:lambda:us-east-1:123456789012:function:f=$WORK/count.sh"
expect 2 "needs --name" ./simple --store s.db --bind "$B"
expect 0 "" ./simple --store s.db --name a --input-json '{"x":1}' --bind "$B" --result r.json
[ "$(cat out.txt)" = '{"x":1,"t":{"done":true}}' ] || fail "first run output $(cat out.txt)"
expect 0 "" ./simple --store s.db --name a --input-json '{"x": 1}' --bind "$B" --result r2.json
[ "$(cat out.txt)" = '{"x":1,"t":{"done":true}}' ] || fail "second run output"
cmp -s r.json r2.json || fail "second --result differs"
[ "$(wc -l < count.log)" = 1 ] || fail "the task ran again for a finished execution"
expect 2 "ExecutionAlreadyExists: Execution Already Exists: 'arn:aws:states:us-east-1:123456789012:execution:simple:a'" \
    ./simple --store s.db --name a --input-json '{"x":2}' --bind "$B"

# ------------------------------------------------------- list, describe, history
expect 0 "" ./simple list --store s.db
jq -e '.executions | length == 1 and .[0].status == "SUCCEEDED" and .[0].name == "a"' out.txt >/dev/null ||
    fail "list: $(cat out.txt)"
expect 0 "" ./simple list --store s.db --status RUNNING
jq -e '.executions == []' out.txt >/dev/null || fail "list --status RUNNING"
expect 2 "ValidationException" ./simple list --store s.db --status running
expect 0 "" ./simple describe --store s.db --name a
jq -e '.status == "SUCCEEDED" and .input == "{\"x\":1}" and .output == "{\"x\":1,\"t\":{\"done\":true}}"
       and .redriveStatus == "NOT_REDRIVABLE" and (.startDate | type) == "number"' out.txt >/dev/null ||
    fail "describe: $(cat out.txt)"
expect 2 "ExecutionDoesNotExist: Execution Does Not Exist:" ./simple describe --store s.db --name nope
expect 2 "is required" ./simple describe --store s.db
expect 2 "--store FILE is required" ./simple list
expect 2 "unknown option" ./simple list --store s.db --bogus
expect 0 "" ./simple history --store s.db --name a
jq -e '[.events[].type] == ["ExecutionStarted","TaskStateEntered","LambdaFunctionScheduled",
        "LambdaFunctionStarted","LambdaFunctionSucceeded","TaskStateExited","ExecutionSucceeded"]' out.txt >/dev/null ||
    fail "history: $(cat out.txt)"
expect 0 "" ./simple history --store s.db --name a --reverse-order --max-results 2
jq -e '[.events[].id] == [7, 6]' out.txt >/dev/null || fail "history --reverse-order"
expect 2 "ExecutionDoesNotExist" ./simple history --store s.db --name nope
expect 2 "no such store\|No such file" ./simple list --store missing.db

# ---------------------------------------------------------------- callbacks
cat > deliver.sh <<'SH'
#!/bin/sh
# the token travels in the input; the program's exit ends only the delivery
jq -r '.Payload.token // .token' > "$(dirname "$0")/token.txt"
echo '{}'
SH
chmod +x deliver.sh
cat > cb.json <<'JSON'
{"StartAt": "Ask", "States": {"Ask": {"Type": "Task",
  "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
  "Parameters": {"FunctionName": "approver", "Payload": {"token.$": "$$.Task.Token"}}, "End": true}}}
JSON
cat > cbdirect.json <<'JSON'
{"StartAt": "Ask", "States": {"Ask": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
  "Parameters": {"token.$": "$$.Task.Token"}, "HeartbeatSeconds": 1, "End": true}}}
JSON
"$ASLC" build cb.json -o cb
"$ASLC" build cbdirect.json -o cbdirect
CB="arn:aws:states:::lambda:invoke.waitForTaskToken=$WORK/deliver.sh"
wait_token() { for _ in $(seq 1 200); do [ -s token.txt ] && return 0; sleep 0.05; done; fail "no token delivered"; }
expect 2 "add --store" ./cb --bind "$CB"

rm -f token.txt
./cb --store s.db --name c1 --bind "$CB" >c1.out 2>c1.err &
pid=$!
wait_token
tok=$(cat token.txt)
[ ${#tok} -ge 40 ] && [ ${#tok} -le 2048 ] || fail "token length ${#tok}"
expect 2 "InvalidToken: Invalid Token: 'Invalid token'" ./cb send-task-success --store s.db --task-token FakeTaskToken --task-output '{}'
expect 2 "TaskDoesNotExist" ./cb send-task-success --store s.db --task-token "aslc1.$(printf 'A%.0s' $(seq 1 43))" --task-output '{}'
expect 2 "InvalidOutput" ./cb send-task-success --store s.db --task-token "$tok" --task-output '{not json'
expect 2 "is required" ./cb send-task-success --store s.db --task-token "$tok"
expect 0 "" ./cb send-task-heartbeat --store s.db --task-token "$tok"
# a kill while waiting, and a restart: still waiting on the same token
kill -9 $pid; wait $pid 2>/dev/null || true
./cb --store s.db --name c1 --bind "$CB" >c1.out 2>c1.err &
pid=$!
sleep 0.3
kill -0 $pid 2>/dev/null || fail "the resumed callback task did not wait"
t0=$(date +%s%N)
expect 0 "" ./cb send-task-success --store s.db --task-token "$tok" --task-output '{"approved": "yes"}'
[ "$(cat out.txt)" = "{}" ] || fail "send-task-success prints $(cat out.txt)"
rc=0; wait $pid || rc=$?
t1=$(date +%s%N)
[ $rc = 0 ] || { cat c1.err; fail "callback execution exited $rc"; }
[ "$(cat c1.out)" = '{"approved":"yes"}' ] || fail "callback output $(cat c1.out)"
echo "callback answered in $(( (t1 - t0) / 1000000 )) ms (send-task-success included)"
[ $(( (t1 - t0) / 1000000 )) -lt 2000 ] || fail "the answer took too long to arrive"
expect 2 "TaskTimedOut: Task Timed Out: 'Provided task does not exist anymore'" \
    ./cb send-task-success --store s.db --task-token "$tok" --task-output '{}'
expect 2 "TaskTimedOut" ./cb send-task-heartbeat --store s.db --task-token "$tok"

# failure answer
rm -f token.txt
./cb --store s.db --name c2 --bind "$CB" >c2.out 2>c2.err &
pid=$!
wait_token
expect 0 "" ./cb send-task-failure --store s.db --task-token "$(cat token.txt)" --error Rejected --cause "not today"
rc=0; wait $pid || rc=$?
[ $rc = 1 ] || fail "failure answer: exit $rc"
grep -q "Error: Rejected; Cause: not today" c2.err || fail "failure answer: $(cat c2.err)"

# a missed heartbeat: States.Timeout
expect 1 "States.Timeout" ./cbdirect --store s.db --name c3 --bind "arn:aws:states:::sqs:sendMessage.waitForTaskToken=$WORK/count.sh"

# --------------------------------------------------------------------- stop
cat > wait.json <<'JSON'
{"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 30, "End": true}}}
JSON
"$ASLC" build wait.json -o waitwf
./waitwf --store s.db --name w1 --result w1.json >/dev/null 2>w1.err &
pid=$!
sleep 0.3
expect 0 "" ./waitwf stop --store s.db --name w1 --error Operator --cause "by hand"
jq -e '.stopDate | type == "number"' out.txt >/dev/null || fail "stop output"
rc=0; wait $pid || rc=$?
[ $rc = 4 ] || fail "stopped execution exited $rc, want 4"
jq -e '.status == "ABORTED" and .error == "Operator"' w1.json >/dev/null || fail "stopped --result $(cat w1.json)"
expect 0 "" ./waitwf history --store s.db --name w1
jq -e '.events[-1].type == "ExecutionAborted" and .events[-1].executionAbortedEventDetails.error == "Operator"' out.txt >/dev/null ||
    fail "stop: history $(cat out.txt)"
expect 0 "" ./waitwf stop --store s.db --name w1
expect 2 "ExecutionDoesNotExist" ./waitwf stop --store s.db --name nope
# stopped and started again with the same command: reported as ABORTED
expect 4 "" ./waitwf --store s.db --name w1

# ------------------------------------------------------------------ redrive
cat > flaky.sh <<'SH'
#!/bin/sh
cat > /dev/null
d=$(dirname "$0")
echo run >> "$d/flaky.log"
[ -e "$d/fixed" ] || { sleep 1; echo '{"errorType": "Broken", "errorMessage": "not yet"}'; exit 1; }
echo '"ok"'
SH
chmod +x flaky.sh
cat > redrive.json <<'JSON'
{"StartAt": "First", "States": {
  "First": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f", "ResultPath": "$.first", "Next": "P"},
  "P": {"Type": "Parallel", "ResultPath": "$.p", "End": true, "Branches": [
    {"StartAt": "Good", "States": {"Good": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f", "End": true}}},
    {"StartAt": "Bad", "States": {"Bad": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:g", "End": true}}}]}}}
JSON
"$ASLC" build redrive.json -o redrivewf
rm -f count.log
RB=(--bind "arn:aws:lambda:us-east-1:123456789012:function:f=$WORK/count.sh"
    --bind "arn:aws:lambda:us-east-1:123456789012:function:g=$WORK/flaky.sh")
expect 2 "ExecutionDoesNotExist" ./redrivewf redrive --store s.db --name r1 "${RB[@]}"
expect 1 "Broken" ./redrivewf --store s.db --name r1 --input-json '{"k": 1}' "${RB[@]}"
expect 0 "" ./redrivewf describe --store s.db --name r1
jq -e '.status == "FAILED" and .redriveStatus == "REDRIVABLE"' out.txt >/dev/null || fail "describe failed: $(cat out.txt)"
touch fixed
expect 0 "" ./redrivewf redrive --store s.db --name r1 "${RB[@]}" --history r1.history.json
[ "$(cat out.txt)" = '{"k":1,"first":{"done":true},"p":[{"done":true},"ok"]}' ] || fail "redrive output $(cat out.txt)"
[ "$(wc -l < count.log)" = 2 ] || fail "redrive reran succeeded tasks ($(wc -l < count.log) runs of f, want 2)"
[ "$(wc -l < flaky.log)" = 2 ] || fail "the failed task ran $(wc -l < flaky.log) times, want 2"
jq -e '[.events[].type] | index("ExecutionFailed") < index("ExecutionRedriven") and .[-1] == "ExecutionSucceeded"' r1.history.json >/dev/null ||
    fail "redrive history $(jq -c '[.events[].type]' r1.history.json)"
jq -e '.events | [.[].id] == [range(1; length + 1)]' r1.history.json >/dev/null || fail "redrive history ids"
expect 0 "" ./redrivewf describe --store s.db --name r1
jq -e '.status == "SUCCEEDED" and .redriveCount == 1 and (.redriveDate | type) == "number"' out.txt >/dev/null ||
    fail "describe after redrive: $(cat out.txt)"
expect 2 "ExecutionNotRedrivable: Execution is SUCCEEDED and cannot be redriven" ./redrivewf redrive --store s.db --name r1 "${RB[@]}"
# A Distributed Map reruns as the same Map Run, redriven: MapRunRedriven
# (AWS's event) with its mapRunArn and redriveCount; only the failed child
# runs again.
cat > item.sh <<'SH'
#!/bin/sh
i=$(cat)
d=$(dirname "$0")
echo "$i" >> "$d/item.log"
[ "$i" != 2 ] || [ -e "$d/fixed2" ] || { echo '{"errorType": "Broken", "errorMessage": "item 2"}'; exit 1; }
echo "$i"
SH
chmod +x item.sh
cat > dmap.json <<'JSON'
{"StartAt": "M", "States": {"M": {"Type": "Map", "ItemsPath": "$.items", "End": true, "MaxConcurrency": 1,
  "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
    "StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:i",
      "End": true}}}}}}
JSON
"$ASLC" build dmap.json -o dmapwf
IB=(--bind "arn:aws:lambda:us-east-1:123456789012:function:i=$WORK/item.sh")
expect 1 "" ./dmapwf --store s.db --name dm --input-json '{"items": [1, 2, 3]}' "${IB[@]}"
touch fixed2
expect 0 "" ./dmapwf redrive --store s.db --name dm "${IB[@]}" --history dm.history.json
[ "$(cat out.txt)" = '[1,2,3]' ] || fail "Map Run redrive output $(cat out.txt)"
[ "$(sort item.log | uniq -c | awk '{print $1}' | tr -d '\n')" = 121 ] ||
    fail "Map Run redrive reran succeeded children: $(sort item.log | uniq -c | tr '\n' ' ')"
jq -e '[.events[] | select(.type == "MapRunStarted" or .type == "MapRunRedriven")] as $r
       | ($r | map(.type)) == ["MapRunStarted", "MapRunRedriven"]
       and $r[1].mapRunRedrivenEventDetails.redriveCount == 1
       and $r[1].mapRunRedrivenEventDetails.mapRunArn == $r[0].mapRunStartedEventDetails.mapRunArn
       and ([.events[].type] | index("ExecutionRedriven") < index("MapRunRedriven"))' dm.history.json >/dev/null ||
    fail "Map Run redrive history $(jq -c '[.events[] | [.type, .mapRunRedrivenEventDetails]]' dm.history.json)"
./waitwf --store s.db --name w2 >/dev/null 2>&1 &
pid=$!
sleep 0.3
expect 2 "ExecutionNotRedrivable: Execution is RUNNING and cannot be redriven" ./waitwf redrive --store s.db --name w2
kill -9 $pid; wait $pid 2>/dev/null || true

# ------------------------------------------------ a Wait keeps its deadline
# The deadline is recorded as an absolute time before the Wait sleeps; a
# kill and the same command again leave that record alone and the resumed
# run ends only once it has passed (not a fresh 2 s after the restart).
cat > wait2.json <<'JSON'
{"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 2, "End": true}}}
JSON
"$ASLC" build wait2.json -o wait2wf
deadline() {
    sqlite3 -cmd ".timeout 5000" s.db "SELECT s.value FROM steps s JOIN executions e ON s.exec = e.id
        WHERE e.name = 'w3' AND s.value GLOB '[0-9]*.[0-9]*' AND s.key NOT LIKE '%!'"
}
./wait2wf --store s.db --name w3 >/dev/null 2>&1 &
pid=$!
for _ in $(seq 1 100); do [ -n "$(deadline)" ] && break; sleep 0.05; done
d1=$(deadline)
[ -n "$d1" ] || fail "no Wait deadline recorded"
kill -9 $pid; wait $pid 2>/dev/null || true
expect 0 "" ./wait2wf --store s.db --name w3
[ "$(deadline)" = "$d1" ] || fail "the Wait's deadline changed on resume: $d1 -> $(deadline)"
/usr/bin/python3 -c "import sys, time; sys.exit(0 if time.time() >= float(sys.argv[1]) else 1)" "$d1" ||
    fail "the resumed Wait ended before its recorded deadline $d1"

# ------------------------------------------------------------- two processes
rm -f count.log
cat > slow.sh <<'SH'
#!/bin/sh
cat > /dev/null
echo run >> "$(dirname "$0")/count.log"
sleep "$(cat "$(dirname "$0")/slow.delay")"
echo '{"slow": true}'
SH
chmod +x slow.sh
echo 1 > slow.delay
SB="arn:aws:lambda:us-east-1:123456789012:function:f=$WORK/slow.sh"
./simple --store s.db --name two --bind "$SB" >two1.out 2>two1.err &
p1=$!
sleep 0.3
./simple --store s.db --name two --bind "$SB" >two2.out 2>two2.err &
p2=$!
wait $p1 || fail "first of two processes"
wait $p2 || fail "second of two processes"
cmp -s two1.out two2.out || fail "two processes report different outputs"
[ "$(wc -l < count.log)" = 1 ] || fail "two processes ran the task $(wc -l < count.log) times"

# ------------------------------------------------- a signal with a store
# SIGTERM (systemd stop) ends the process, not the execution: it stays
# RUNNING, its task program is stopped, and the same command resumes it.
rm -f count.log
echo 5 > slow.delay
./simple --store s.db --name term --bind "$SB" --result term.json >term.out 2>term.err &
pid=$!
for _ in $(seq 50); do [ -s count.log ] && break; sleep 0.1; done
kill -TERM $pid
rc=0; wait $pid || rc=$?
[ "$rc" = 4 ] || { cat term.err; fail "SIGTERM with --store exited $rc, want 4"; }
grep -q "left RUNNING" term.err || fail "SIGTERM message: $(cat term.err)"
jq -e '.status == "RUNNING"' term.json >/dev/null || fail "--result after SIGTERM: $(cat term.json)"
expect 0 "" ./simple describe --store s.db --name term
jq -e '.status == "RUNNING"' out.txt >/dev/null || fail "after SIGTERM: $(cat out.txt)"
echo 0 > slow.delay
expect 0 "" ./simple --store s.db --name term --bind "$SB"
[ "$(cat out.txt)" = '{"t":{"slow":true}}' ] || fail "resume after SIGTERM: $(cat out.txt)"
[ "$(wc -l < count.log)" = 2 ] || fail "the stopped task should run once more, ran $(wc -l < count.log) times"

# ------------------------------------------ JSONata's clock and randomness
# $now(), $millis(), $random() and $uuid() are recorded: the run resumed
# after a kill computes what the killed one computed.
cat > jn.json <<'JSON'
{"QueryLanguage": "JSONata", "StartAt": "P", "States": {
  "P": {"Type": "Pass", "Output": "{% {'n': $now(), 'm': $millis(), 'r': $random(), 'u': $uuid(), 's': $shuffle([1,2,3,4,5,6,7,8])} %}", "Next": "T"},
  "T": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f",
        "Arguments": "{% $states.input %}", "End": true}}}
JSON
"$ASLC" build jn.json -o jn
cat > seen.sh <<'SH'
#!/bin/sh
cat >> "$(dirname "$0")/seen.log"
echo >> "$(dirname "$0")/seen.log"
sleep "$(cat "$(dirname "$0")/seen.delay")"
echo '{}'
SH
chmod +x seen.sh
rm -f seen.log; echo 5 > seen.delay
JB="arn:aws:lambda:us-east-1:123456789012:function:f=$WORK/seen.sh"
./jn --store s.db --name jn --bind "$JB" >/dev/null 2>&1 &
pid=$!
for _ in $(seq 50); do [ -s seen.log ] && break; sleep 0.1; done
sleep 0.05
kill -9 $pid; wait $pid 2>/dev/null || true
echo 0 > seen.delay
sleep 0.01
expect 0 "" ./jn --store s.db --name jn --bind "$JB"
[ "$(grep -c . seen.log)" = 2 ] || fail "JSONata: the task should have run twice, ran $(grep -c . seen.log)"
[ "$(sed -n 1p seen.log)" = "$(sed -n 3p seen.log)" ] ||
    fail "JSONata values changed on resume: $(cat seen.log)"
# and they are fresh for another execution
expect 0 "" ./jn --store s.db --name jn2 --bind "$JB"
[ "$(sed -n 5p seen.log)" != "$(sed -n 1p seen.log)" ] || fail "JSONata values repeated in a new execution"

# ------------------------------------------------------------ bad stores
head -c 20000 /dev/urandom > corrupt.db
sum=$(md5sum < corrupt.db)
expect 2 "left untouched" ./simple --store corrupt.db --name a --bind "$B"
[ "$(md5sum < corrupt.db)" = "$sum" ] || fail "the corrupt store was changed"
expect 2 "left untouched" ./simple list --store corrupt.db
/usr/bin/python3 -c "import sqlite3; c = sqlite3.connect('foreign.db'); c.execute('create table t (x)'); c.commit()"
expect 2 "not an aslc store" ./simple --store foreign.db --name a --bind "$B"
# locked: another process holds the write lock longer than the busy timeout
/usr/bin/python3 - <<'PY' &
import sqlite3, time
c = sqlite3.connect("s.db", isolation_level=None)
c.execute("BEGIN EXCLUSIVE")
open("locked", "w").close()
time.sleep(2)
c.execute("ROLLBACK")
PY
locker=$!
for _ in $(seq 1 100); do [ -e locked ] && break; sleep 0.02; done
ASLC_STORE_BUSY_MS=200 expect 2 "locked" ./simple --store s.db --name locked1 --bind "$B"
wait $locker
expect 0 "" ./simple describe --store s.db --name a    # nothing lost
# read-only: a read-only bind mount when this machine allows one, else a read-only file as non-root
mkdir -p rodir && cp s.db rodir/ && rm -f rodir/s.db-wal rodir/s.db-shm
if mount --bind rodir rodir 2>/dev/null && mount -o remount,ro,bind rodir 2>/dev/null; then
    expect 2 "not writable" ./simple --store rodir/s.db --name ro1 --bind "$B"
    umount rodir
    echo "read-only store checked on a read-only mount"
elif [ "$(id -u)" != 0 ]; then
    chmod 0555 rodir && chmod 0444 rodir/s.db
    expect 2 "not writable" ./simple --store rodir/s.db --name ro1 --bind "$B"
    chmod 0755 rodir
else
    echo "note: cannot make a read-only mount here (root in a container): read-only store not checked"
fi
echo "ok: store subcommands, callbacks, stop, redrive, two processes, bad stores"
