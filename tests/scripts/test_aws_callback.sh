#!/bin/bash
# .waitForTaskToken on service integrations: the binary makes the real,
# signed call (SQS sendMessage, SNS publish) carrying $$.Task.Token, to a
# capture server started here on 127.0.0.1 (tests/servers/aws_capture.py,
# which verifies the signature), then waits in the --store for
# send-task-success / send-task-failure given the token the message carried.
#
#   test_aws_callback.sh ASLC WORKDIR      (ASLC_SOURCE_DIR in the environment)
set -u
ASLC=$1
WORK=$2
SRC=${ASLC_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
rm -rf "$WORK" && mkdir -p "$WORK" || exit 1
cd "$WORK" || exit 1
fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2> /dev/null; wait "$p" 2> /dev/null; done; }
trap cleanup EXIT
export AWS_ACCESS_KEY_ID=AKIDTEST AWS_SECRET_ACCESS_KEY=callback-secret AWS_REGION=us-east-1 \
    AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_WEB_IDENTITY_TOKEN_FILE
python3 "$SRC/tests/servers/aws_capture.py" port capture.log "$SRC/tests/aws/callback/responses.json" 2> capture.err &
PIDS+=($!)
for _ in $(seq 100); do [ -s port ] && break; sleep 0.1; done
[ -s port ] || { echo "test_aws_callback: capture server did not start: $(cat capture.err)" >&2; exit 1; }
export AWS_ENDPOINT_URL=http://127.0.0.1:$(cat port)

"$ASLC" build "$SRC/tests/aws/callback/callback.asl.json" -o cb || exit 1
# the token of the Nth captured request (its message, a JSON text in the form body)
token_of() {
    python3 - "$1" <<'PY'
import json, sys, urllib.parse
lines = [json.loads(l) for l in open("capture.log")]
rec = lines[int(sys.argv[1])]
form = urllib.parse.parse_qs(rec["body"])
msg = form.get("MessageBody", form.get("Message", [""]))[0]
print(json.loads(msg)["token"])
PY
}
wait_requests() {
    for _ in $(seq 200); do
        [ -f capture.log ] && [ "$(wc -l < capture.log)" -ge "$1" ] && return 0
        sleep 0.05
    done
    return 1
}

# Without --store the binary refuses before anything runs.
./cb --input-json '{"order":"o-1"}' > /dev/null 2> nostore.err
[ $? = 2 ] || fail "without --store: exit status"
grep -q "add --store" nostore.err || fail "without --store: $(cat nostore.err)"
[ -s capture.log ] && fail "without --store a request was sent"

./cb --store s.db --name run-1 --input-json '{"order":"o-1"}' --result r.json > out.txt 2> err.txt &
pid=$!
PIDS+=($pid)
wait_requests 1 || fail "no SendMessage arrived: $(cat err.txt)"
tok=$(token_of 0)
python3 - <<'PY' || fail "the SendMessage request: $(head -1 capture.log)"
import json, urllib.parse
r = json.loads(open("capture.log").readline())
f = urllib.parse.parse_qs(r["body"])
assert r["sig_ok"], r.get("sig_detail")
assert f["Action"] == ["SendMessage"], f
assert f["QueueUrl"] == ["https://sqs.us-east-1.amazonaws.com/123456789012/approvals"], f
assert json.loads(f["MessageBody"][0])["order"] == "o-1", f
PY
sleep 0.3
kill -0 $pid 2> /dev/null || fail "the execution did not wait for the token: $(cat err.txt)"
./cb send-task-success --store s.db --task-token "$tok" --task-output '{"approved":true}' > /dev/null || fail "send-task-success"
wait_requests 2 || fail "no Publish after the approval: $(cat err.txt)"
tok2=$(token_of 1)
[ "$tok2" != "$tok" ] || fail "the second task got the first task's token"
python3 -c 'import json,urllib.parse,sys; r=[json.loads(l) for l in open("capture.log")][1]; f=urllib.parse.parse_qs(r["body"]); sys.exit(0 if r["sig_ok"] and f["Action"]==["Publish"] else 1)' ||
    fail "the Publish request: $(sed -n 2p capture.log)"
./cb send-task-failure --store s.db --task-token "$tok2" --error Review.Rejected --cause "too expensive" > /dev/null || fail "send-task-failure"
rc=0; wait $pid || rc=$?
[ $rc = 0 ] || fail "the execution ended with $rc: $(cat err.txt)"
python3 - <<'PY' || fail "result: $(cat r.json)"
import json
r = json.load(open("r.json"))
assert r["status"] == "SUCCEEDED", r
o = r["output"]
assert o["approval"] == {"approved": True}, o
assert o["review"] == {"Error": "Review.Rejected", "Cause": "too expensive"}, o
PY
# the history records the submission and the outcome
./cb history --store s.db --name run-1 > h.json || fail "history"
python3 -c 'import json,sys; t=[e["type"] for e in json.load(open("h.json"))["events"]]; sys.exit(0 if t.count("TaskSubmitted")==2 and "TaskSucceeded" in t and "TaskFailed" in t else 1)' ||
    fail "history: $(head -c 1500 h.json)"
# nothing was sent twice (the delivery is recorded in the store)
[ "$(wc -l < capture.log)" = 2 ] || fail "requests sent: $(wc -l < capture.log)"

[ $fails = 0 ] && echo "test_aws_callback: all passed"
exit $((fails > 0))
