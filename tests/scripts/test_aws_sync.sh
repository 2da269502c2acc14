#!/bin/bash
# .sync Tasks (states:startExecution .sync and .sync:2, batch:submitJob.sync,
# glue:startJobRun.sync) polling a local fake job API (tests/servers/aws_jobs.py)
# whose jobs run for two polls and then succeed or fail.
#   test_aws_sync.sh ASLC WORKDIR
set -u
ASLC=$1
WORK=$2
SRC=${ASLC_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
rm -rf "$WORK" && mkdir -p "$WORK" || exit 1
python3 "$SRC/tests/servers/aws_jobs.py" "$WORK/jobs.log" > "$WORK/port" &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null' EXIT
for _ in $(seq 100); do [ -s "$WORK/port" ] && break; sleep 0.1; done
export AWS_ACCESS_KEY_ID=AKIDSYNC AWS_SECRET_ACCESS_KEY=sync-secret AWS_REGION=us-east-1
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null ASLC_AWS_POLL_SECONDS=0.05
export AWS_ENDPOINT_URL=http://127.0.0.1:$(head -1 "$WORK/port")
"$ASLC" build "$SRC/tests/aws/peers/sync.asl.json" -o "$WORK/sync" || exit 1
timeout 120 "$WORK/sync" --result "$WORK/r.json" > /dev/null 2> "$WORK/err"
python3 - "$WORK/r.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
assert r["status"] == "SUCCEEDED", r
o = r["output"]
assert o["sync"] == {"Status": "SUCCEEDED", "Output": "{\"done\": {\"n\": 1}}", "Input": "{\"n\":1}"}, o["sync"]
assert o["sync2"] == {"Status": "SUCCEEDED", "Output": {"done": {"n": 2}}}, o["sync2"]
c = json.loads(o["childFailed"]["Cause"])
assert o["childFailed"]["Error"] == "States.TaskFailed" and c["Status"] == "FAILED" and c["Error"] == "ChildFailed", o
assert o["batch"]["Status"] == "SUCCEEDED", o["batch"]
assert o["batchFailed"]["Error"] == "States.TaskFailed" and json.loads(o["batchFailed"]["Cause"])["Status"] == "FAILED"
assert o["glue"] == {"State": "SUCCEEDED", "Name": "etl"}, o["glue"]
assert o["glueStart"]["JobName"] == "etl", o["glueStart"]
PY
rc=$?
# each job was polled until it ended (three describes: two RUNNING, one final)
n=$(grep -c '"op": "DescribeExecution"' "$WORK/jobs.log")
[ "$n" = 9 ] || { echo "FAIL: $n DescribeExecution calls, expected 9" >&2; rc=1; }
[ $rc = 0 ] && echo "test_aws_sync: all passed"
exit $rc
