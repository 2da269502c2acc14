#!/bin/bash
# `BINARY serve`: Standard executions through the real clients (Debian's AWS
# CLI v2 and boto3).  Start, describe, history (reverse, pages), list with
# filters, idempotent starts, stop, redrive; a callback answered with
# `aws stepfunctions send-task-success`; an activity worker written against
# boto3; a restart of the service in the middle of a Wait and of a callback,
# with the same execution described before and after.
#
#   test_serve_exec.sh ASLC WORKDIR      (ASLC_SOURCE_DIR in the environment)
set -u
ASLC=$1
WORK=$2
SRC=${ASLC_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$SRC/tests/scripts/serve_lib.sh"

ACT=arn:aws:states:us-east-1:123456789012:activity:work
cat >"$WORK/deliver.sh" <<EOF
#!/bin/sh
cat >"$WORK/delivered.json"
EOF
cat >"$WORK/flaky.sh" <<EOF
#!/bin/sh
cat >/dev/null
[ -f "$WORK/marker" ] || { echo "not yet" >&2; exit 1; }
echo '{"fixed":true}'
EOF
chmod +x "$WORK/deliver.sh" "$WORK/flaky.sh"

# One state machine with every kind of wait, chosen by the input.
serve_build wf '{"StartAt":"Route","States":{
  "Route":{"Type":"Choice","Choices":[
     {"Variable":"$.kind","StringEquals":"wait","Next":"Sleep"},
     {"Variable":"$.kind","StringEquals":"callback","Next":"Ask"},
     {"Variable":"$.kind","StringEquals":"activity","Next":"Work"},
     {"Variable":"$.kind","StringEquals":"flaky","Next":"Flaky"}],"Default":"Done"},
  "Sleep":{"Type":"Wait","SecondsPath":"$.seconds","Next":"Done"},
  "Ask":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke.waitForTaskToken",
         "Parameters":{"FunctionName":"approver","Payload":{"token.$":"$$.Task.Token","order.$":"$.order"}},
         "ResultPath":"$.answer","Next":"Done"},
  "Work":{"Type":"Task","Resource":"'"$ACT"'","HeartbeatSeconds":30,"TimeoutSeconds":120,
          "ResultPath":"$.work","Next":"Done"},
  "Flaky":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:Flaky","Next":"Done"},
  "Done":{"Type":"Pass","End":true}}}'
SM=arn:aws:states:us-east-1:123456789012:stateMachine:wf
EX=arn:aws:states:us-east-1:123456789012:execution:wf
BINDS=(--bind "arn:aws:states:::lambda:invoke.waitForTaskToken=$WORK/deliver.sh" --bind "arn:aws:lambda:us-east-1:123456789012:function:Flaky=$WORK/flaky.sh")

serve_start one wf "${BINDS[@]}" --poll-seconds 2
/usr/bin/python3 "$SRC/tests/scripts/serve_checks.py" executions "$ENDPOINT" "$SM" || fail "execution checks (boto3)"

# The CLI: start, describe, history.
aws_ start-execution --state-machine-arn "$SM" --name cli-1 --input '{"kind":"none","n":1}' >"$WORK/start.json" ||
    fail "cli start-execution"
check "cli start-execution" "$WORK/start.json" 'r["executionArn"] == "'"$EX"':cli-1"'
/usr/bin/python3 -c 'import sys, serve_client as sc; sc.wait_status(sys.argv[1], sys.argv[2], "SUCCEEDED")' \
    "$ENDPOINT" "$EX:cli-1" || fail "cli-1 does not succeed"
aws_ describe-execution --execution-arn "$EX:cli-1" >"$WORK/desc.json" || fail "cli describe-execution"
check "cli describe-execution" "$WORK/desc.json" 'r["status"] == "SUCCEEDED" and json.loads(r["output"]) == {"kind": "none", "n": 1}'
aws_ get-execution-history --execution-arn "$EX:cli-1" --reverse-order >"$WORK/hist.json" || fail "cli history"
check "cli history, newest first" "$WORK/hist.json" \
    'r["events"][0]["type"] == "ExecutionSucceeded" and r["events"][-1]["type"] == "ExecutionStarted" and [e["id"] for e in r["events"]] == sorted([e["id"] for e in r["events"]], reverse=True)'
aws_ list-executions --state-machine-arn "$SM" --status-filter SUCCEEDED >"$WORK/list.json" || fail "cli list-executions"
check "cli list-executions" "$WORK/list.json" '"'"$EX"':cli-1" in [e["executionArn"] for e in r["executions"]]'

# Restart in the middle of a Wait: the same execution, its deadline kept.
aws_ start-execution --state-machine-arn "$SM" --name sleeper --input '{"kind":"wait","seconds":8}' >/dev/null ||
    fail "start sleeper"
aws_ describe-execution --execution-arn "$EX:sleeper" >"$WORK/sleeper1.json"
serve_stop one
[ "$SERVE_RC" = 0 ] || fail "stop in the middle of a Wait: exit $SERVE_RC"

# Restart in the middle of a callback too: start it with the server down?  No:
# with the server up, then stop it once the token was delivered.
serve_start two wf "${BINDS[@]}"
aws_ describe-execution --execution-arn "$EX:sleeper" >"$WORK/sleeper2.json"
python3 - "$WORK/sleeper1.json" "$WORK/sleeper2.json" <<'PY' || fail "the sleeper is not the same execution after the restart"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:])
# RUNNING, or (on a slow machine the restart can outlast the Wait) SUCCEEDED
# no sooner than the Wait's deadline: the deadline was kept.
same = a["startDate"] == b["startDate"] and a["input"] == b["input"]
sys.exit(0 if same and (b["status"] == "RUNNING" or b["status"] == "SUCCEEDED") else 1)
PY
aws_ start-execution --state-machine-arn "$SM" --name approval --input '{"kind":"callback","order":"A-7"}' >/dev/null ||
    fail "start approval"
for _ in $(seq 200); do [ -s "$WORK/delivered.json" ] && break; sleep 0.05; done
TOKEN=$(python3 -c 'import json,re,sys; print(re.search(r"aslc1\.[A-Za-z0-9_-]+", open(sys.argv[1]).read()).group(0))' \
        "$WORK/delivered.json") || fail "the callback's token was not delivered"
serve_stop two
serve_start three wf "${BINDS[@]}"
aws_ send-task-success --task-token "$TOKEN" --task-output '{"approved":true}' || fail "cli send-task-success"
/usr/bin/python3 -c 'import sys, serve_client as sc; sc.wait_status(sys.argv[1], sys.argv[2], "SUCCEEDED")' \
    "$ENDPOINT" "$EX:approval" || fail "the approval does not succeed after send-task-success"
aws_ describe-execution --execution-arn "$EX:approval" >"$WORK/approval.json"
check "callback output" "$WORK/approval.json" 'json.loads(r["output"])["answer"] == {"approved": True}'
aws_ send-task-success --task-token "$TOKEN" --task-output '{}' >/dev/null 2>"$WORK/again.err" &&
    fail "answering a token twice succeeds"
grep -q "TaskTimedOut" "$WORK/again.err" || fail "answering twice: TaskTimedOut, got $(cat "$WORK/again.err")"
/usr/bin/python3 -c 'import sys, serve_client as sc; sc.wait_status(sys.argv[1], sys.argv[2], "SUCCEEDED", 30)' \
    "$ENDPOINT" "$EX:sleeper" || fail "the sleeper does not finish after the restart"
aws_ get-execution-history --execution-arn "$EX:sleeper" >"$WORK/sleeper-hist.json"
check "the sleeper's history has one start and one Wait" "$WORK/sleeper-hist.json" \
    '[e["type"] for e in r["events"]].count("ExecutionStarted") == 1 and [e["type"] for e in r["events"]].count("WaitStateEntered") == 1 and [e["id"] for e in r["events"]] == list(range(1, len(r["events"]) + 1))'

python3 - "$WORK/sleeper-hist.json" <<'PY' || fail "the sleeper's Wait ended before its deadline"
import datetime, json, sys
ev = json.load(open(sys.argv[1]))["events"]
t = {e["type"]: datetime.datetime.fromisoformat(e["timestamp"]) for e in ev}
sys.exit(0 if (t["WaitStateExited"] - t["ExecutionStarted"]).total_seconds() >= 8 else 1)
PY

# An activity worker written against boto3.
aws_ create-activity --name work >/dev/null || fail "create-activity work"
for i in 1 2 3; do
    fl=false; [ $i = 3 ] && fl=true
    aws_ start-execution --state-machine-arn "$SM" --name "job-$i" --input '{"kind":"activity","n":'$i',"fail":'$fl'}' \
        >/dev/null || fail "start job-$i"
done
/usr/bin/python3 "$SRC/tests/scripts/serve_checks.py" worker "$ENDPOINT" "$ACT" 3 || fail "the boto3 worker"
/usr/bin/python3 "$SRC/tests/scripts/serve_checks.py" activity-results "$ENDPOINT" "$EX" || fail "activity results"

# Redrive: a failed Task runs again once its program is fixed.
aws_ start-execution --state-machine-arn "$SM" --name flaky --input '{"kind":"flaky"}' >/dev/null || fail "start flaky"
/usr/bin/python3 -c 'import sys, serve_client as sc; sc.wait_status(sys.argv[1], sys.argv[2], "FAILED")' \
    "$ENDPOINT" "$EX:flaky" || fail "flaky does not fail"
touch "$WORK/marker"
/usr/bin/python3 - "$ENDPOINT" "$EX:flaky" <<'PY' || fail "redrive"
import sys, serve_client as sc
st, h, b = sc.raw(sys.argv[1], "RedriveExecution", {"executionArn": sys.argv[2], "clientToken": "t-1"})
assert st == 200 and isinstance(b.get("redriveDate"), float), (st, b)
st2, h, b2 = sc.raw(sys.argv[1], "RedriveExecution", {"executionArn": sys.argv[2], "clientToken": "t-1"})
assert st2 == 200 and b2["redriveDate"] == b["redriveDate"], (st2, b2)
d = sc.wait_status(sys.argv[1], sys.argv[2], "SUCCEEDED")
assert d["redriveCount"] == 1, d
st, h, b = sc.raw(sys.argv[1], "RedriveExecution", {"executionArn": sys.argv[2]})
assert st == 400 and sc.err_type(b) == "ExecutionNotRedrivable", (st, b)
PY
serve_stop three
[ "$SERVE_RC" = 0 ] || fail "clean stop: exit $SERVE_RC"
grep -q "execution cli-1 SUCCEEDED after" "$WORK/one.log" || fail "an execution's end is logged"
grep -q "aslc1\." "$WORK"/*.log && fail "a task token reached the log"

# Without the server: a one-shot run's activity served by get-activity-task.
serve_build act '{"StartAt":"Work","States":{"Work":{"Type":"Task","Resource":"'"$ACT"'","HeartbeatSeconds":30,"End":true}}}'
# The worker polls first, before the store exists (a worker's loop starts
# whenever it likes); the run creates the store while the worker waits.
"$WORK/act" get-activity-task --store "$WORK/oneshot.db" --activity work --worker-name cli --wait-seconds 40 \
    >"$WORK/task.json" 2>"$WORK/worker.err" &
WORKER=$!
"$WORK/act" --store "$WORK/oneshot.db" --name j1 --input-json '{"n":5}' >"$WORK/oneshot.out" 2>"$WORK/oneshot.err" &
ONESHOT=$!
wait "$WORKER" || fail "get-activity-task: $(cat "$WORK/worker.err")"
check "get-activity-task" "$WORK/task.json" 'r["taskToken"].startswith("aslc1.") and json.loads(r["input"]) == {"n": 5}'
TOKEN=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["taskToken"])' "$WORK/task.json") ||
    kill "$ONESHOT"     # nobody will answer: do not wait for it forever
"$WORK/act" send-task-success --store "$WORK/oneshot.db" --task-token "$TOKEN" --task-output '{"doubled":10}' \
    >/dev/null || fail "send-task-success --store"
wait "$ONESHOT" || fail "the one-shot activity run: $(cat "$WORK/oneshot.err")"
check "one-shot output" "$WORK/oneshot.out" 'r == {"doubled": 10}'
"$WORK/act" get-activity-task --store "$WORK/oneshot.db" --activity work --wait-seconds 0 >"$WORK/none.json" ||
    fail "get-activity-task with nothing queued"
check "no task: {}" "$WORK/none.json" 'r == {}'

serve_done
