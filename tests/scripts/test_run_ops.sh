#!/bin/bash
# Running compiled workflows as a service would: the start and end log
# lines (name, status, duration, error), --log-format json, journald
# priority prefixes when $JOURNAL_STREAM is stderr, causes on one line;
# bound programs checked at start-up; mock files as AWS ships them (a Task
# the test case does not list fails only when reached, --mock-machine, a
# missing or invalid file named with its problem).
#
#   test_run_ops.sh ASLC WORKDIR
set -u
ASLC=$1
WORK=$2
rm -rf "$WORK" && mkdir -p "$WORK" || exit 1
cd "$WORK" || exit 1
fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }

cat > flow.json << 'EOF'
{"StartAt": "Pick", "States": {
  "Pick": {"Type": "Choice", "Choices": [{"Variable": "$.fail", "BooleanEquals": true, "Next": "Boom"}],
           "Default": "Work"},
  "Work": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage", "End": true},
  "Boom": {"Type": "Fail", "Error": "Broken", "Cause": "first line\nsecond line\tand a tab"}}}
EOF
"$ASLC" build flow.json -o flow --bind "arn:aws:states:::sqs:sendMessage=/bin/cat" 2> err.txt ||
    fail "build flow: $(cat err.txt)"

# ---- text: one start line and one end line at info, with name, status, duration
./flow --name run-1 --log-level info --input-json '{"fail": false}' > out.txt 2> err.txt || fail "flow: $(cat err.txt)"
grep -qx 'info: execution run-1 of flow started' err.txt || fail "no start line: $(cat err.txt)"
grep -Eqx 'info: execution run-1 of flow SUCCEEDED in [0-9]+\.[0-9]{3} s' err.txt || fail "no end line: $(cat err.txt)"
./flow --name run-1 --input-json '{"fail": false}' > out.txt 2> err.txt
[ -s err.txt ] && fail "the default level (warn) logged: $(cat err.txt)"
# A failure: the end line names the error and the cause, on one line.
./flow --name run-2 --input-json '{"fail": true}' > out.txt 2> err.txt
[ $? = 1 ] || fail "the failing run should exit 1"
[ "$(wc -l < err.txt)" = 1 ] || fail "a multi-line cause took several lines: $(cat err.txt)"
grep -Eqx 'error: execution run-2 of flow FAILED in [0-9.]+ s: Error: Broken; Cause: first line\\nsecond line\\tand a tab' err.txt ||
    fail "failure line: $(cat err.txt)"

# ---- json: one object per line
./flow --name run-3 --log-level info --log-format json --input-json '{"fail": true}' > out.txt 2> err.txt
python3 - err.txt << 'EOF' || fail "json log: $(cat err.txt)"
import json, sys
lines = open(sys.argv[1]).read().splitlines()
objs = [json.loads(l) for l in lines]
start = [o for o in objs if o.get("event") == "ExecutionStarted"]
end = [o for o in objs if o.get("event") == "ExecutionEnded"]
assert len(start) == 1 and len(end) == 1, objs
assert start[0]["level"] == "info" and start[0]["execution"] == "run-3" and start[0]["stateMachine"] == "flow"
e = end[0]
assert e["level"] == "error" and e["status"] == "FAILED" and e["error"] == "Broken", e
assert e["cause"] == "first line\nsecond line\tand a tab", e
assert isinstance(e["durationMs"], int) and e["durationMs"] >= 0, e
assert all("time" in o and "message" in o for o in objs)
EOF
./flow --log-format xml < /dev/null > /dev/null 2> err.txt
[ $? = 2 ] || fail "--log-format xml should exit 2"
grep -q -- "--log-format takes text or json" err.txt || fail "--log-format xml: $(cat err.txt)"

# ---- journald: priority prefixes only when JOURNAL_STREAM is stderr's device:inode
: > journal.txt
ino=$(stat -c '%d:%i' journal.txt)
JOURNAL_STREAM=$ino ./flow --name j --log-level info --input-json '{"fail": true}' > /dev/null 2>> journal.txt
grep -q '^<6>info: execution j of flow started$' journal.txt || fail "journal info prefix: $(cat journal.txt)"
grep -q '^<3>error: execution j of flow FAILED' journal.txt || fail "journal error prefix: $(cat journal.txt)"
JOURNAL_STREAM=1:2 ./flow --name j --log-level info --input-json '{"fail": true}' > /dev/null 2> other.txt
grep -q '^<' other.txt && fail "prefixes when JOURNAL_STREAM names another file: $(cat other.txt)"

# ---- bound programs are checked at start-up: exit 2 naming the state and the program
"$ASLC" build flow.json -o flow-missing --bind "arn:aws:states:::sqs:sendMessage=$WORK/no-such-program --x" 2> err.txt ||
    fail "build flow-missing: $(cat err.txt)"
./flow-missing --input-json '{"fail": true}' > out.txt 2> err.txt
[ $? = 2 ] || fail "a missing bound program should exit 2 before anything runs"
grep -q "Task state 'Work' runs the program '$WORK/no-such-program', which does not exist" err.txt ||
    fail "missing program message: $(cat err.txt)"
grep -q 'execution' err.txt && fail "the execution started with a missing program"
printf 'not executable\n' > plain.txt
./flow-missing --bind "arn:aws:states:::sqs:sendMessage=$WORK/plain.txt" --input-json '{}' > /dev/null 2> err.txt
[ $? = 2 ] || fail "a non-executable bound program should exit 2"
grep -q "which is not an executable file" err.txt || fail "non-executable: $(cat err.txt)"
./flow-missing --bind "arn:aws:states:::sqs:sendMessage=no-such-cmd-aslc" --input-json '{}' > /dev/null 2> err.txt
grep -q "'no-such-cmd-aslc', which is not on \$PATH" err.txt || fail "not on PATH: $(cat err.txt)"

# ---- mock files as AWS ships them
cat > two.json << 'EOF'
{"StartAt": "First", "States": {
  "First": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Parameters": {"FunctionName": "f"},
            "Next": "Pick"},
  "Pick": {"Type": "Choice", "Choices": [{"Variable": "$.go", "BooleanEquals": true, "Next": "Second"}],
           "Default": "Done"},
  "Second": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage", "End": true},
  "Done": {"Type": "Succeed"}}}
EOF
cat > mock.json << 'EOF'
{"StateMachines": {"OrderFlow": {"TestCases": {
   "Short": {"First": "Stop"},
   "Long": {"First": "Go"}}}},
 "MockedResponses": {
   "Stop": {"0": {"Return": {"go": false}}},
   "Go": {"0": {"Return": {"go": true}}}}}
EOF
"$ASLC" build two.json -o two 2> err.txt || fail "build two: $(cat err.txt)"
# The test case lists only the states on its path; the file's key differs from the binary's name.
out=$(./two --mock-config mock.json --mock-case Short 2> err.txt)
[ "$out" = '{"go":false}' ] || fail "mock Short: $out $(cat err.txt)"
out=$(./two --mock-config mock.json --mock-case Short --mock-machine OrderFlow 2> err.txt)
[ "$out" = '{"go":false}' ] || fail "mock --mock-machine: $out $(cat err.txt)"
./two --mock-config mock.json --mock-case Short --mock-machine Nope > /dev/null 2> err.txt
[ $? = 2 ] || fail "--mock-machine naming no machine should exit 2"
grep -q 'mock config mock.json: no state machine named "Nope"' err.txt || fail "--mock-machine Nope: $(cat err.txt)"
# Second is not in the Long case and has no client: it fails when reached.
./two --mock-config mock.json --mock-case Long --result r.json > /dev/null 2> err.txt
[ $? = 1 ] || fail "an unlisted, unrunnable Task should fail the execution when reached: $(cat err.txt)"
python3 -c '
import json, sys
r = json.load(open("r.json"))
assert r["status"] == "FAILED" and r["error"] == "States.TaskFailed", r
assert "no response for state '"'"'Second'"'"'" in r["cause"], r
' || fail "unlisted Task: $(cat r.json)"
# ... and runs when something can run it (Step Functions Local calls the real service).
out=$(./two --mock-config mock.json --mock-case Long --bind 'arn:aws:states:::sqs:sendMessage=/bin/cat' 2> err.txt)
[ "$out" = '{"go":true}' ] || fail "unlisted but bound Task: $out $(cat err.txt)"
# A missing or invalid file names the file and the problem.
./two --mock-config nosuch.json --mock-case Short > /dev/null 2> err.txt
[ $? = 2 ] || fail "a missing mock file should exit 2"
grep -q 'mock config: unable to open nosuch.json: No such file or directory' err.txt || fail "missing mock: $(cat err.txt)"
grep -q -- '-1' err.txt && fail "missing mock file reported with -1 positions: $(cat err.txt)"
printf '{"StateMachines": {}\n' > broken.json
./two --mock-config broken.json --mock-case Short > /dev/null 2> err.txt
[ $? = 2 ] || fail "an invalid mock file should exit 2"
grep -q 'mock config broken.json:[0-9]*:[0-9]*: not JSON: ' err.txt || fail "invalid mock: $(cat err.txt)"

if [ "$fails" -gt 0 ]; then
    echo "$fails failed"
    exit 1
fi
echo "test_run_ops: all passed"
