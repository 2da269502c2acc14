#!/bin/bash
# Task error model end to end: Retry and Catch through a compiled binary,
# with real local programs (tests/progs/seq.sh fails on cue with an
# errorType object, crashes, or succeeds; its log gives each attempt's
# input and start time).  One definition, a Choice on $.case picks the
# scenario, so the machine is compiled once and run many times.
#
#   test_task_errors.sh ASLC WORKDIR      (ASLC_SOURCE_DIR in the environment)
. "$(dirname "$0")/lib.sh" "$@"

# run NAME INPUT_JSON [BINARY ARGS...]: run the machine with seq.sh's state
# in $WORK/NAME.seq; result, stdout, stderr in $WORK/NAME.{result,out,err}.
# Returns the binary's exit status.
run() {
    local name=$1 input=$2
    shift 2
    mkdir -p "$WORK/$name.seq"
    # Task programs get a clean environment: seq.sh's variables are passed by name.
    SEQ_DIR=$WORK/$name.seq "$WORK/machine" --input-json "$input" --result "$WORK/$name.result" \
        --pass-env SEQ_DIR --pass-env SEQ_OUTCOMES "$@" >"$WORK/$name.out" 2>"$WORK/$name.err"
}
attempts() { cat "$WORK/$1.seq/n" 2>/dev/null || echo 0; }
# The retry delays the binary logged (unscaled seconds), space separated.
delays() { sed -n 's/.*retrying after [^ ]* in \([0-9.]*\)s.*/\1/p' "$WORK/$1.err" | tr '\n' ' ' | sed 's/ $//'; }

# pids of programs that must not outlive their task, killed on exit anyway.
PIDS=()
cleanup() {
    for f in "${PIDS[@]}"; do
        [ -s "$f" ] && kill -9 "$(cat "$f")" 2>/dev/null
    done
}
trap cleanup EXIT
# dead LABEL PIDFILE: the process whose pid the program recorded is gone.
# (A zombie counts as gone: it was killed, and reaping orphans is init's
# job, which some container inits do not do.)
dead() {
    PIDS+=("$2")
    local st
    if [ ! -s "$2" ]; then
        fail "$1: the program did not record its child's pid"
        return
    fi
    st=$(ps -o stat= -p "$(cat "$2")" 2>/dev/null)
    case $st in
    "" | Z*) ;;
    *) fail "$1: process $(cat "$2") outlived its task (state $st)" ;;
    esac
}

SEQ="aslc:exec:$PROGS/seq.sh"
cat >"$WORK/def.json" <<EOF
{
  "Comment": "Retry and Catch scenarios, picked by \$.case",
  "StartAt": "Dispatch",
  "States": {
    "Dispatch": {"Type": "Choice", "Choices": [
        {"Variable": "\$.case", "StringEquals": "spec", "Next": "Spec"},
        {"Variable": "\$.case", "StringEquals": "max0", "Next": "Max0"},
        {"Variable": "\$.case", "StringEquals": "backoff", "Next": "Backoff"},
        {"Variable": "\$.case", "StringEquals": "maxdelay", "Next": "MaxDelay"},
        {"Variable": "\$.case", "StringEquals": "jitter", "Next": "Jitter"},
        {"Variable": "\$.case", "StringEquals": "counters", "Next": "Counters"},
        {"Variable": "\$.case", "StringEquals": "order", "Next": "Order"},
        {"Variable": "\$.case", "StringEquals": "merge", "Next": "Merge"},
        {"Variable": "\$.case", "StringEquals": "assign", "Next": "InitVars"},
        {"Variable": "\$.case", "StringEquals": "nocatch", "Next": "NoCatch"},
        {"Variable": "\$.case", "StringEquals": "timeout", "Next": "Timeout"},
        {"Variable": "\$.case", "StringEquals": "tpath", "Next": "TimeoutPath"},
        {"Variable": "\$.case", "StringEquals": "heartbeat", "Next": "Heartbeat"},
        {"Variable": "\$.case", "StringEquals": "hbmiss", "Next": "HeartbeatMissed"},
        {"Variable": "\$.case", "StringEquals": "hbpath", "Next": "HeartbeatPath"},
        {"Variable": "\$.case", "StringEquals": "big", "Next": "Big"},
        {"Variable": "\$.case", "StringEquals": "bigall", "Next": "BigAll"},
        {"Variable": "\$.case", "StringEquals": "bigtf", "Next": "BigTaskFailed"},
        {"Variable": "\$.case", "StringEquals": "logs", "Next": "Logs"}
      ]},

    "Spec": {"Type": "Task", "Resource": "$SEQ",
      "Retry": [{"ErrorEquals": ["ErrorA", "ErrorB"], "IntervalSeconds": 1, "BackoffRate": 2.0, "MaxAttempts": 2},
                {"ErrorEquals": ["ErrorC"], "IntervalSeconds": 5}],
      "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "\$.caught", "Next": "Done"}],
      "Next": "Done"},

    "Max0": {"Type": "Task", "Resource": "$SEQ",
      "Retry": [{"ErrorEquals": ["ErrorA"], "MaxAttempts": 0},
                {"ErrorEquals": ["States.ALL"], "IntervalSeconds": 1, "MaxAttempts": 5}],
      "Catch": [{"ErrorEquals": ["ErrorA"], "ResultPath": "\$.caught", "Next": "Done"}],
      "Next": "Done"},

    "Backoff": {"Type": "Task", "Resource": "$SEQ",
      "Parameters": {"rc.\$": "\$\$.State.RetryCount"},
      "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 2, "BackoffRate": 1.5, "MaxAttempts": 3}],
      "End": true},

    "MaxDelay": {"Type": "Task", "Resource": "$SEQ",
      "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 3, "BackoffRate": 4, "MaxAttempts": 4,
                 "MaxDelaySeconds": 20}],
      "End": true},

    "Jitter": {"Type": "Task", "Resource": "$SEQ",
      "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 4, "BackoffRate": 2, "MaxAttempts": 5,
                 "JitterStrategy": "FULL"}],
      "End": true},

    "Counters": {"Type": "Task", "Resource": "$SEQ",
      "Retry": [{"ErrorEquals": ["ErrorA"], "IntervalSeconds": 1, "MaxAttempts": 2},
                {"ErrorEquals": ["ErrorB"], "IntervalSeconds": 1, "MaxAttempts": 2}],
      "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "\$.caught", "Next": "Done"}],
      "Next": "Done"},

    "Order": {"Type": "Task", "Resource": "$SEQ",
      "Catch": [{"ErrorEquals": ["ErrorX"], "ResultPath": "\$.x", "Next": "CaughtX"},
                {"ErrorEquals": ["States.TaskFailed"], "ResultPath": "\$.tf", "Next": "CaughtTaskFailed"},
                {"ErrorEquals": ["States.ALL"], "ResultPath": "\$.all", "Next": "CaughtAll"}],
      "Next": "Done"},
    "CaughtX": {"Type": "Pass", "Parameters": {"by": "ErrorX", "e.\$": "\$.x"}, "End": true},
    "CaughtTaskFailed": {"Type": "Pass", "Parameters": {"by": "States.TaskFailed", "e.\$": "\$.tf"}, "End": true},
    "CaughtAll": {"Type": "Pass", "Parameters": {"by": "States.ALL", "e.\$": "\$.all"}, "End": true},

    "Merge": {"Type": "Task", "Resource": "$SEQ",
      "InputPath": "\$.sub", "Parameters": {"v.\$": "\$.v"},
      "ResultSelector": {"a.\$": "\$.attempt", "in.\$": "\$.input"},
      "ResultPath": "\$.res", "OutputPath": "\$.res",
      "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "\$.error", "Next": "Done"}],
      "Next": "Done"},

    "InitVars": {"Type": "Pass", "Assign": {"stateVar": "initial", "errName": "none"}, "Next": "AssignTask"},
    "AssignTask": {"Type": "Task", "Resource": "$SEQ",
      "Assign": {"stateVar": "from the state's own Assign"},
      "Catch": [{"ErrorEquals": ["States.ALL"], "Assign": {"errName.\$": "\$.Error", "fromCatch": true},
                 "ResultPath": "\$.e", "Next": "ShowVars"}],
      "Next": "ShowVars"},
    "ShowVars": {"Type": "Pass",
      "Parameters": {"stateVar.\$": "\$stateVar", "errName.\$": "\$errName", "in.\$": "\$"}, "End": true},

    "NoCatch": {"Type": "Task", "Resource": "$SEQ", "End": true},

    "Timeout": {"Type": "Task", "Resource": "aslc:exec:$PROGS/hang.sh $WORK/timeout.pid",
      "TimeoutSeconds": 1,
      "Catch": [{"ErrorEquals": ["States.TaskFailed"], "Next": "CaughtTaskFailed"},
                {"ErrorEquals": ["States.Timeout"], "ResultPath": "\$.to", "Next": "Done"}],
      "Next": "Done"},
    "TimeoutPath": {"Type": "Task", "Resource": "aslc:exec:$PROGS/hang.sh $WORK/tpath.pid",
      "TimeoutSecondsPath": "\$.limits.t",
      "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "\$.to", "Next": "Done"}],
      "Next": "Done"},

    "Heartbeat": {"Type": "Task", "Resource": "aslc:exec:$PROGS/beat.sh 5 0.3",
      "TimeoutSeconds": 10, "HeartbeatSeconds": 1, "ResultPath": "\$.r", "End": true},
    "HeartbeatMissed": {"Type": "Task", "Resource": "aslc:exec:$PROGS/beat.sh 2 0.2 hang $WORK/hbmiss.pid",
      "TimeoutSeconds": 10, "HeartbeatSeconds": 1,
      "Catch": [{"ErrorEquals": ["States.Timeout"], "ResultPath": "\$.hb", "Next": "Done"}],
      "Next": "Done"},
    "HeartbeatPath": {"Type": "Task", "Resource": "aslc:exec:$PROGS/beat.sh 2 0.2 hang $WORK/hbpath.pid",
      "HeartbeatSecondsPath": "\$.hb",
      "Catch": [{"ErrorEquals": ["States.Timeout"], "ResultPath": "\$.hbcaught", "Next": "Done"}],
      "Next": "Done"},

    "Big": {"Type": "Task", "Resource": "aslc:exec:$PROGS/big_out.sh 300000",
      "Catch": [{"ErrorEquals": ["States.DataLimitExceeded"], "ResultPath": "\$.e", "Next": "Done"}],
      "Next": "Done"},
    "BigAll": {"Type": "Task", "Resource": "aslc:exec:$PROGS/big_out.sh 300000",
      "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "\$.e", "Next": "Done"}],
      "Next": "Done"},

    "BigTaskFailed": {"Type": "Task", "Resource": "aslc:exec:$PROGS/big_out.sh 300000",
      "Catch": [{"ErrorEquals": ["States.TaskFailed"], "ResultPath": "\$.e", "Next": "Done"}],
      "Next": "Done"},

    "Logs": {"Type": "Task", "Resource": "aslc:exec:$PROGS/logs.sh", "End": true},

    "Done": {"Type": "Pass", "End": true}
  }
}
EOF
if ! "$ASLC" build "$WORK/def.json" -o "$WORK/machine" 2>"$WORK/build.err"; then
    cat "$WORK/build.err" >&2
    echo "FAIL: the definition does not build" >&2
    exit 1
fi

# ---- the spec's example: errors A, B, C, B.  Waits 1, 2, 5 s; the fourth
# error (B) finds its retrier exhausted and goes straight to Catch, even
# though ErrorC's retrier still has attempts.  Scaled by 0.05 and measured.
SEQ_OUTCOMES="ErrorA ErrorB ErrorC ErrorB ok" run spec '{"case":"spec"}' \
    --wait-scale 0.05 --log-level info --history "$WORK/spec.history"
check spec "$WORK/spec.result" 'r == {"status": "SUCCEEDED", "output": {"case": "spec", "caught":
    {"Error": "ErrorB", "Cause": "{\"errorType\":\"ErrorB\",\"errorMessage\":\"attempt 4\"}"}}}'
[ "$(attempts spec)" = 4 ] || fail "spec: $(attempts spec) attempts, expected 4"
[ "$(delays spec)" = "1.000 2.000 5.000" ] || fail "spec: delays '$(delays spec)', expected 1 2 5"
check spec-history "$WORK/spec.history" '[e["type"] for e in r["events"]].count("TaskScheduled") == 4 and
    [e["type"] for e in r["events"]].count("TaskFailed") == 4 and [e["type"] for e in r["events"]].count("TaskStateEntered") == 1'
# The binary honours the schedule: gaps between attempt starts are at least
# the scaled delay (0.05, 0.10, 0.25 s), and not much more.
awk '{ t[NR] = $2 } END {
    split("0.05 0.10 0.25", d, " ")
    for (i = 2; i <= NR; i++) {
        gap = (t[i] - t[i-1]) / 1e9
        if (gap < d[i-1] - 0.005 || gap > d[i-1] + 3) { printf "gap %d: %.3f s, want ~%s\n", i-1, gap, d[i-1]; bad = 1 }
    }
    exit bad }' "$WORK/spec.seq/log" || fail "spec: retry intervals not honoured"

# ---- MaxAttempts 0: the first matching retrier never retries, and the
# States.ALL retrier after it is not consulted.
SEQ_OUTCOMES="ErrorA ok" run max0a '{"case":"max0"}' --wait-scale 0
check max0a "$WORK/max0a.result" 'r["output"]["caught"]["Error"] == "ErrorA"'
[ "$(attempts max0a)" = 1 ] || fail "max0a: $(attempts max0a) attempts, expected 1"
SEQ_OUTCOMES="ErrorB ErrorB ErrorA ok" run max0b '{"case":"max0"}' --wait-scale 0
check max0b "$WORK/max0b.result" 'r["output"]["caught"]["Error"] == "ErrorA"'
[ "$(attempts max0b)" = 3 ] || fail "max0b: $(attempts max0b) attempts, expected 3"

# ---- IntervalSeconds x BackoffRate^k, and $$.State.RetryCount seen by
# Parameters on each attempt.
SEQ_OUTCOMES="E1 E2 E3 ok" run backoff '{"case":"backoff"}' --wait-scale 0.01 --log-level info
check backoff "$WORK/backoff.result" 'r == {"status": "SUCCEEDED", "output": {"attempt": 4, "input": {"rc": 3}}}'
[ "$(delays backoff)" = "2.000 3.000 4.500" ] || fail "backoff: delays '$(delays backoff)', expected 2 3 4.5"
[ "$(cut -d' ' -f3- "$WORK/backoff.seq/log" | tr -d '\n')" = '{"rc":0}{"rc":1}{"rc":2}{"rc":3}' ] ||
    fail "backoff: RetryCount per attempt: $(cut -d' ' -f3- "$WORK/backoff.seq/log" | tr '\n' ' ')"
# One more error than MaxAttempts allows: no catcher, the execution fails
# with the last error.
SEQ_OUTCOMES="E1 E2 E3 E4 ok" run backoff-out '{"case":"backoff"}' --wait-scale 0
check backoff-out "$WORK/backoff-out.result" 'r["status"] == "FAILED" and r["error"] == "E4"'
[ "$(attempts backoff-out)" = 4 ] || fail "backoff-out: $(attempts backoff-out) attempts, expected 4"

# ---- MaxDelaySeconds caps the delay: 3, 12, then 48 and 192 capped at 20.
SEQ_OUTCOMES="E E E E ok" run maxdelay '{"case":"maxdelay"}' --wait-scale 0.001 --log-level info
check maxdelay "$WORK/maxdelay.result" 'r["output"]["attempt"] == 5'
[ "$(delays maxdelay)" = "3.000 12.000 20.000 20.000" ] || fail "maxdelay: delays '$(delays maxdelay)'"

# ---- JitterStrategy FULL: each delay is in [0, interval x rate^k].
SEQ_OUTCOMES="E E E E E ok" run jitter '{"case":"jitter"}' --wait-scale 0.001 --log-level info
check jitter "$WORK/jitter.result" 'r["output"]["attempt"] == 6'
echo "$(delays jitter)" | awk '{
    if (NF != 5) { print "jitter: " NF " delays"; exit 1 }
    cap = 4; same = 0
    for (i = 1; i <= NF; i++) { if ($i < 0 || $i > cap) { print "jitter: delay " $i " outside [0," cap "]"; exit 1 }
                                if ($i == cap) same++; cap *= 2 }
    if (same == NF) { print "jitter: every delay was the maximum"; exit 1 } }' || fail "jitter: $(delays jitter)"

# ---- one counter per retrier: A, B, A, B all retried (two each)...
SEQ_OUTCOMES="ErrorA ErrorB ErrorA ErrorB ok" run counters '{"case":"counters"}' --wait-scale 0.01 --log-level info
check counters "$WORK/counters.result" 'r["output"] == {"attempt": 5, "input": {"case": "counters"}}'
[ "$(delays counters)" = "1.000 1.000 2.000 2.000" ] || fail "counters: delays '$(delays counters)'"
# ... but a third A exhausts A's retrier and is caught.
SEQ_OUTCOMES="ErrorA ErrorB ErrorA ErrorA ok" run counters2 '{"case":"counters"}' --wait-scale 0
check counters2 "$WORK/counters2.result" 'r["output"]["caught"]["Error"] == "ErrorA" and
    r["output"]["caught"]["Cause"] == "{\"errorType\":\"ErrorA\",\"errorMessage\":\"attempt 4\"}"'
[ "$(attempts counters2)" = 4 ] || fail "counters2: $(attempts counters2) attempts, expected 4"

# ---- Catch order: an exact name first; States.TaskFailed for other task
# errors (a crash is States.TaskFailed itself); States.ALL last.
SEQ_OUTCOMES=ErrorX run orderx '{"case":"order"}'
check orderx "$WORK/orderx.result" 'r["output"]["by"] == "ErrorX" and r["output"]["e"]["Error"] == "ErrorX"'
SEQ_OUTCOMES=ErrorY run ordery '{"case":"order"}'
check ordery "$WORK/ordery.result" 'r["output"] == {"by": "States.TaskFailed", "e": {"Error": "ErrorY",
    "Cause": "{\"errorType\":\"ErrorY\",\"errorMessage\":\"attempt 1\"}"}}'
SEQ_OUTCOMES=crash run ordercrash '{"case":"order"}'
check ordercrash "$WORK/ordercrash.result" 'r["output"]["by"] == "States.TaskFailed" and
    r["output"]["e"]["Error"] == "States.TaskFailed" and "killed by signal 11 (SIGSEGV)" in r["output"]["e"]["Cause"]'

# ---- Catch output: the error output merged into the raw input by the
# catcher's ResultPath; InputPath, ResultSelector and OutputPath do not apply.
SEQ_OUTCOMES=Boom run mergefail '{"case":"merge","sub":{"v":7},"keep":[1,2]}'
check merge-caught "$WORK/mergefail.result" 'r["output"] == {"case": "merge", "sub": {"v": 7}, "keep": [1, 2],
    "error": {"Error": "Boom", "Cause": "{\"errorType\":\"Boom\",\"errorMessage\":\"attempt 1\"}"}}'
# (the same state succeeding goes through all of them)
SEQ_OUTCOMES=ok run mergeok '{"case":"merge","sub":{"v":7},"keep":[1,2]}'
check merge-ok "$WORK/mergeok.result" 'r["output"] == {"a": 1, "in": {"v": 7}}'

# ---- the catcher's Assign runs, the state's own Assign does not.
SEQ_OUTCOMES=Oops run assign '{"case":"assign"}'
check assign "$WORK/assign.result" 'r["output"]["stateVar"] == "initial" and r["output"]["errName"] == "Oops" and
    r["output"]["in"]["e"]["Error"] == "Oops"'
SEQ_OUTCOMES=ok run assignok '{"case":"assign"}'
check assign-ok "$WORK/assignok.result" 'r["output"]["stateVar"] == "from the state'"'"'s own Assign" and
    r["output"]["errName"] == "none"'

# ---- uncaught: the execution fails with the program's error, exit 1.
SEQ_OUTCOMES=Fatal run nocatch '{"case":"nocatch"}'
[ $? = 1 ] || fail "nocatch: exit status is not 1"
check nocatch "$WORK/nocatch.result" 'r == {"status": "FAILED", "error": "Fatal",
    "cause": "{\"errorType\":\"Fatal\",\"errorMessage\":\"attempt 1\"}"}'
SEQ_OUTCOMES=crash run nocatchcrash '{"case":"nocatch"}'
check nocatch-crash "$WORK/nocatchcrash.result" 'r["status"] == "FAILED" and r["error"] == "States.TaskFailed" and
    r["cause"].endswith("seq.sh'"'"' was killed by signal 11 (SIGSEGV)")'

# ---- the slow scenarios (real seconds: timeouts are not scaled) run side by
# side, then are checked.
#  timeout:   TimeoutSeconds 1 -> States.Timeout with an empty cause, not
#             matched by States.TaskFailed; the program and its child are gone.
#  tpath:     TimeoutSecondsPath from the input.
#  heartbeat: beats every 0.3 s keep a 1.5 s task alive under a 1 s heartbeat.
#  hbmiss:    the beats stop -> States.Timeout, nothing left behind.
#  hbpath:    HeartbeatSecondsPath from the input.
t0=$(date +%s%N)
run timeout '{"case":"timeout"}' --history "$WORK/timeout.history" &
run tpath '{"case":"tpath","limits":{"t":1}}' &
run heartbeat '{"case":"heartbeat"}' &
run hbmiss '{"case":"hbmiss"}' &
run hbpath '{"case":"hbpath","hb":1}' &
wait
t1=$(date +%s%N)
check timeout "$WORK/timeout.result" 'r["output"] == {"case": "timeout", "to": {"Error": "States.Timeout", "Cause": ""}}'
check timeout-history "$WORK/timeout.history" '"TaskTimedOut" in [e["type"] for e in r["events"]]'
[ $(((t1 - t0) / 1000000)) -lt 15000 ] || fail "timeouts (programs sleep 30 s): took $(((t1 - t0) / 1000000)) ms for 1 s timeouts"
dead timeout "$WORK/timeout.pid"
check tpath "$WORK/tpath.result" 'r["output"]["to"] == {"Error": "States.Timeout", "Cause": ""}'
dead tpath "$WORK/tpath.pid"
check heartbeat "$WORK/heartbeat.result" 'r["output"]["r"] == {"beats": 5}'
check hbmiss "$WORK/hbmiss.result" 'r["output"]["hb"] == {"Error": "States.Timeout", "Cause": ""}'
dead hbmiss "$WORK/hbmiss.pid"
check hbpath "$WORK/hbpath.result" 'r["output"]["hbcaught"]["Error"] == "States.Timeout"'
dead hbpath "$WORK/hbpath.pid"

# A TimeoutSecondsPath value that is not a positive integer is States.Runtime,
# which no catcher takes (not even States.ALL); the program never starts.
rm -f "$WORK/tpath.pid"
run tpathbad '{"case":"tpath","limits":{"t":0}}'
check tpath-bad "$WORK/tpathbad.result" 'r["status"] == "FAILED" and r["error"] == "States.Runtime" and
    "must be a positive integer" in r["cause"]'
[ -e "$WORK/tpath.pid" ] && fail "tpath-bad: the program ran"

# ---- a result over 256 KiB: States.DataLimitExceeded, caught by name and
# by States.ALL.
run big '{"case":"big"}'
check big "$WORK/big.result" 'r["output"]["e"]["Error"] == "States.DataLimitExceeded" and
    "exceeding the maximum number of bytes" in r["output"]["e"]["Cause"]'
run bigall '{"case":"bigall"}'
check bigall "$WORK/bigall.result" 'r["output"]["e"]["Error"] == "States.DataLimitExceeded"'

# States.TaskFailed matches every error but States.Timeout (AWS's error
# handling guide), States.* names included.
run bigtf '{"case":"bigtf"}'
check bigtf "$WORK/bigtf.result" 'r["output"]["e"]["Error"] == "States.DataLimitExceeded"'

# ---- the program's stderr lines are logged at info, tagged with the state;
# the heartbeat line is not logged.  At the default level they are quiet.
run logs '{"case":"logs"}' --log-level info
check logs "$WORK/logs.result" 'r["output"] == 42'
grep -qx 'info: \[Logs\] hello from stderr' "$WORK/logs.err" || fail "logs: no tagged stderr line: $(cat "$WORK/logs.err")"
grep -qx 'info: \[Logs\] no newline at end' "$WORK/logs.err" || fail "logs: last line without newline not logged"
grep -q 'aslc:heartbeat' "$WORK/logs.err" && fail "logs: the heartbeat line was logged"
run logsquiet '{"case":"logs"}'
grep -q 'hello from stderr' "$WORK/logsquiet.err" && fail "logs: program stderr shown at the default log level"

if [ $fails -ne 0 ]; then
    echo "$fails failure(s)" >&2
    exit 1
fi
echo "test_task_errors: all passed"
