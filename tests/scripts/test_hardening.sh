#!/bin/bash
# The compiled binary under hostile conditions (issue 16, and the signal part
# of issue 11): input read with a cap and in constant memory, NUL bytes,
# strict options and environment, output paths checked before anything runs
# and lost output reported as exit 5, the clean environment of task
# programs, task stdout capped, and SIGTERM/SIGINT/SIGHUP aborting the
# execution (exit 4, ABORTED, ExecutionAborted, no process left), also when
# the binary is PID 1 of its own PID namespace.
#
#   test_hardening.sh ASLC WORKDIR      (ASLC_SOURCE_DIR in the environment)
. "$(dirname "$0")/lib.sh" "$@"
build() {   # build NAME JSON
    printf '%s\n' "$2" >"$WORK/$1.json"
    "$ASLC" build "$WORK/$1.json" -o "$WORK/$1" 2>"$WORK/$1.build.err" ||
        { fail "$1: does not build: $(cat "$WORK/$1.build.err")"; return 1; }
}
# expect LABEL STATUS ERR_SUBSTRING CMD...: exit status and a stderr substring.
expect() {
    local label=$1 want=$2 msg=$3
    shift 3
    "$@" >"$WORK/$label.out" 2>"$WORK/$label.err"
    local got=$?
    [ "$got" = "$want" ] || fail "$label: exit $got, want $want; stderr: $(head -c 400 "$WORK/$label.err")"
    [ -z "$msg" ] || grep -qF -- "$msg" "$WORK/$label.err" ||
        fail "$label: stderr lacks '$msg': $(head -c 400 "$WORK/$label.err")"
}

build pass '{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}' || exit 1
P=$WORK/pass

# ---- 1. input: capped at 262144 bytes + 1, constant memory, AWS's message.
LIMIT="Member must have length less than or equal to 262144"
# (`yes` bounded to 64 MB, so that a regression costs this much, not the machine.)
yes | head -c 67108864 | /usr/bin/time -f %M -o "$WORK/yes.rss" "$P" >"$WORK/yes.out" 2>"$WORK/yes.err"
st=${PIPESTATUS[2]}
[ "$st" = 2 ] || fail "yes | wf: exit $st, want 2"
grep -qF "$LIMIT" "$WORK/yes.err" || fail "yes | wf: no size message: $(head -c 300 "$WORK/yes.err")"
rss=$(tail -n 1 "$WORK/yes.rss")
[ "$rss" -lt 16384 ] 2>/dev/null || fail "yes | wf: peak RSS $rss KB, want < 16384"
expect zero 2 "$LIMIT" "$P" --input /dev/zero
python3 -c 'print("\"" + "x" * 262142 + "\"", end="")' >"$WORK/max.json"      # exactly 262144 bytes
expect at-limit 0 "" "$P" --input "$WORK/max.json"
python3 -c 'print("\"" + "x" * 262143 + "\"", end="")' >"$WORK/over.json"     # one byte more
expect over-limit 2 "$LIMIT" "$P" --input "$WORK/over.json"
[ ! -e "$WORK/none.result" ] || fail "result file before the test"
expect over-no-result 2 "" "$P" --input "$WORK/over.json" --result "$WORK/none.result"
[ ! -e "$WORK/none.result" ] || fail "a run refused for its input left a --result file"

# ---- 2. NUL bytes: raw NULs are not JSON; stdin of only NULs is not empty.
head -c 64 /dev/zero | "$P" >"$WORK/nul.out" 2>"$WORK/nul.err"
st=$?
[ "$st" = 2 ] || fail "NUL-only stdin: exit $st, want 2 (it ran with: $(cat "$WORK/nul.out"))"
printf '\0' | "$P" >/dev/null 2>&1 && fail "one NUL byte on stdin ran"
printf ' \n\t' | "$P" >"$WORK/blank.out" 2>&1 || fail "white-space stdin should mean {}"
# "\u0000" inside a string is kept, as AWS keeps it.
"$P" --input-json '{"s":"a\u0000b"}' >"$WORK/nulstr.out" || fail "\\u0000 in a string refused"
check nul-string "$WORK/nulstr.out" 'r == {"s": "a\u0000b"}'

# ---- 8. strict options and environment variables.
for v in nan inf -inf abc '' ' 1' 1e7 -1 0x10 1,5; do
    expect "scale-[$v]" 2 "--wait-scale" "$P" --wait-scale "$v" --input-json '{}'
done
for v in 0 0.5 2 1e3; do
    expect "scale-ok-[$v]" 0 "" "$P" --wait-scale "$v" --input-json '{}'
done
for v in abc nan inf ''; do
    expect "env-scale-[$v]" 2 "ASLC_WAIT_SCALE" env ASLC_WAIT_SCALE="$v" "$P" --input-json '{}'
done
expect env-scale-ok 0 "" env ASLC_WAIT_SCALE=0 "$P" --input-json '{}'
long81=$(printf 'n%.0s' $(seq 81))
long80=$(printf 'n%.0s' $(seq 80))
for n in "" "a b" "$(printf 'a\nb')" "$(printf 'a\tb')" a/b 'a*b' 'a?b' '<a>' '{a}' '[a]' \
         'a"b' 'a#b' 'a%b' 'a\b' 'a^b' 'a|b' 'a~b' 'a`b' 'a$b' 'a&b' 'a,b' 'a;b' 'a:b' \
         "$(printf 'a\001b')" "$(printf 'a\302\205b')" "$(printf 'a\342\200\250b')" \
         "$(printf 'a\377b')" "$long81"; do
    expect "name-bad" 2 "Invalid Name" "$P" --name "$n" --input-json '{}'
done
big=$(head -c 100000 /dev/zero | tr '\0' n)
expect name-100k 2 "Invalid Name" "$P" --name "$big" --input-json '{}'
for n in order-1042 "$long80" é_ü.1 'a+b=c@d' "$(printf '\360\237\230\200')"; do
    expect "name-ok" 0 "" "$P" --name "$n" --input-json '{}'
done
for v in 0 -1 abc 1.5 '' 99999999999999999999 4097; do
    expect "maxconc-[$v]" 2 "--max-concurrency" "$P" --max-concurrency "$v" --input-json '{}'
done
expect maxconc-ok 0 "" "$P" --max-concurrency 4 --input-json '{}'
for v in 'A=B' '1A' '' 'A-B'; do
    expect "passenv-[$v]" 2 "--pass-env" "$P" --pass-env "$v" --input-json '{}'
done

# ---- 4. output paths are checked before anything runs; lost output is exit 5.
build marked "{\"StartAt\":\"T\",\"States\":{\"T\":{\"Type\":\"Task\",
  \"Resource\":\"aslc:exec:$PROGS/marker.sh $WORK/ran\",\"End\":true}}}" || exit 1
rm -f "$WORK/ran"
expect result-unwritable 2 "--result" "$WORK/marked" --input-json '{}' --result "$WORK/no/such/dir/r.json"
expect history-unwritable 2 "--history" "$WORK/marked" --input-json '{}' --history "$WORK/no/such/dir/h.json"
"$WORK/marked" --input-json '{}' >&- 2>"$WORK/closed.err"
st=$?
[ "$st" = 2 ] || fail "closed stdout: exit $st, want 2"
[ ! -e "$WORK/ran" ] || fail "the task ran although an output could not be written"
expect stdout-full 5 "stdout" sh -c "exec '$P' --input-json '{}' >/dev/full"
expect result-full 5 "--result" "$P" --input-json '{}' --result /dev/full
expect history-full 5 "--history" "$P" --input-json '{}' --history /dev/full
build slowpass '{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":1,"Next":"P"},"P":{"Type":"Pass","End":true}}}' || exit 1
# A reader that is gone before the output is written: EPIPE, exit 5, not 141.
( "$WORK/slowpass" --input-json '{"a":1}' --wait-scale 0.5 2>"$WORK/pipe.err"; echo $? >"$WORK/pipe.st" ) | true
st=$(cat "$WORK/pipe.st")
[ "$st" = 5 ] || fail "closed stdout pipe: exit $st, want 5"
expect result-ok 0 "" "$P" --input-json '{"k":1}' --result "$WORK/ok.result" --history "$WORK/ok.history"
check result-ok "$WORK/ok.result" 'r == {"status": "SUCCEEDED", "output": {"k": 1}}'
check history-ok "$WORK/ok.history" 'r["events"][-1]["type"] == "ExecutionSucceeded"'

# ---- 3. task programs get a clean environment.
build env "{\"StartAt\":\"T\",\"States\":{\"T\":{\"Type\":\"Task\",
  \"Resource\":\"aslc:exec:$PROGS/env_names.sh\",\"End\":true}}}" || exit 1
SECRETS=(AWS_SECRET_ACCESS_KEY=s3cr3t AWS_SESSION_TOKEN=t0k AWS_ACCESS_KEY_ID=AKIA
         ASLC_CONNECTION_X_API_KEY_VALUE=k3y MY_VAR=1 LC_ALL=C TZ=UTC LANG=C.UTF-8)
env "${SECRETS[@]}" "$WORK/env" --input-json '{}' >"$WORK/env.out" 2>"$WORK/env.err" ||
    fail "env: $(cat "$WORK/env.err")"
check env-clean "$WORK/env.out" '"PATH" in r and "LC_ALL" in r and "TZ" in r and "LANG" in r and
    not set(r) & {"AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ACCESS_KEY_ID",
                  "ASLC_CONNECTION_X_API_KEY_VALUE", "MY_VAR"}'
env "${SECRETS[@]}" "$WORK/env" --input-json '{}' --pass-env MY_VAR --pass-env AWS_SESSION_TOKEN \
    >"$WORK/env2.out" 2>"$WORK/env2.err" || fail "env2: $(cat "$WORK/env2.err")"
check env-pass "$WORK/env2.out" '"MY_VAR" in r and "AWS_SESSION_TOKEN" in r and
    "AWS_SECRET_ACCESS_KEY" not in r'
# A --bind program too.
build envbind '{"StartAt":"T","States":{"T":{"Type":"Task",
  "Resource":"arn:aws:lambda:us-east-1:123456789012:function:F","End":true}}}' || exit 1
env "${SECRETS[@]}" "$WORK/envbind" --input-json '{}' \
    --bind "arn:aws:lambda:us-east-1:123456789012:function:F=$PROGS/env_names.sh" \
    >"$WORK/env3.out" 2>"$WORK/env3.err" || fail "env3: $(cat "$WORK/env3.err")"
check env-bind "$WORK/env3.out" '"PATH" in r and "AWS_SECRET_ACCESS_KEY" not in r and "MY_VAR" not in r'

# ---- 5. task stdout is capped at what a result could be.
build spaces "{\"StartAt\":\"T\",\"States\":{\"T\":{\"Type\":\"Task\",
  \"Resource\":\"aslc:exec:$PROGS/spaces.sh 3\",\"End\":true}}}" || exit 1
expect spaces 0 "" "$WORK/spaces" --input-json '{}'
check spaces "$WORK/spaces.out" 'r == {"ok": true}'
build flood "{\"StartAt\":\"T\",\"States\":{\"T\":{\"Type\":\"Task\",
  \"Resource\":\"aslc:exec:$PROGS/flood.sh\",\"End\":true}}}" || exit 1
/usr/bin/time -f %M -o "$WORK/flood.rss" "$WORK/flood" --input-json '{}' --result "$WORK/flood.result" \
    >/dev/null 2>"$WORK/flood.err"
st=$?
[ "$st" = 1 ] || fail "flood: exit $st, want 1"
check flood "$WORK/flood.result" 'r["status"] == "FAILED" and r["error"] == "States.DataLimitExceeded"'
rss=$(tail -n 1 "$WORK/flood.rss")
[ "$rss" -lt 24576 ] 2>/dev/null || fail "flood: peak RSS $rss KB, want < 24576"

# ---- issue 11 item 7: signals abort the execution (no store).
build sig "{\"StartAt\":\"T\",\"States\":{\"T\":{\"Type\":\"Task\",
  \"Resource\":\"aslc:exec:$PROGS/sleeper.sh 313.5\",
  \"Retry\":[{\"ErrorEquals\":[\"States.ALL\"],\"MaxAttempts\":3}],
  \"Catch\":[{\"ErrorEquals\":[\"States.ALL\"],\"Next\":\"Caught\"}],\"End\":true},
  \"Caught\":{\"Type\":\"Pass\",\"End\":true}}}" || exit 1
left() { pgrep -f 'sleep 313[.]5' >/dev/null; }
started_task() {    # wait until the task program runs (its sleep is there)
    for _ in $(seq 100); do left && return 0; sleep 0.05; done
    return 1
}
set -m      # job control: background jobs keep SIGINT (else a shell ignores it for them)
for s in TERM INT HUP; do
    "$WORK/sig" --input-json '{}' --result "$WORK/sig-$s.result" --history "$WORK/sig-$s.history" \
        >"$WORK/sig-$s.out" 2>"$WORK/sig-$s.err" &
    pid=$!
    started_task || fail "SIG$s: the task never started"
    t0=$(date +%s%N)
    kill -s "$s" "$pid"
    wait "$pid"
    st=$?
    ms=$((($(date +%s%N) - t0) / 1000000))
    [ "$st" = 4 ] || fail "SIG$s: exit $st, want 4"
    [ "$ms" -lt 5000 ] || fail "SIG$s: took $ms ms"
    check "SIG$s-result" "$WORK/sig-$s.result" 'r["status"] == "ABORTED" and "SIG'"$s"'" in r["cause"]'
    check "SIG$s-history" "$WORK/sig-$s.history" 'r["events"][-1]["type"] == "ExecutionAborted" and
        not any(e["type"] in ("TaskFailed", "PassStateEntered") for e in r["events"])'
    if left; then fail "SIG$s: task processes left running"; for p in $(pgrep -f 'sleep 313[.]5'); do kill -KILL "$p"; done; fi
done
# As PID 1 of a PID namespace (needs root and unshare; CI runs as root).
if [ "$(id -u)" = 0 ] && unshare --pid --fork --mount-proc true 2>/dev/null; then
    unshare --pid --fork --mount-proc "$WORK/sig" --input-json '{}' --result "$WORK/pid1.result" \
        >"$WORK/pid1.out" 2>"$WORK/pid1.err" &
    upid=$!
    started_task || fail "PID 1: the task never started"
    inner=$(pgrep -P "$upid" | head -n 1)
    t0=$(date +%s%N)
    kill -TERM "$inner"
    wait "$upid"
    st=$?
    ms=$((($(date +%s%N) - t0) / 1000000))
    [ "$st" = 4 ] || fail "PID 1: exit $st, want 4; $(cat "$WORK/pid1.err")"
    [ "$ms" -lt 5000 ] || fail "PID 1: took $ms ms"
    check pid1-result "$WORK/pid1.result" 'r["status"] == "ABORTED"'
    if left; then fail "PID 1: task processes left running"; for p in $(pgrep -f 'sleep 313[.]5'); do kill -KILL "$p"; done; fi
else
    echo "note: not root or no unshare: the PID 1 check is skipped" >&2
fi
# An inherited SIGHUP disposition of "ignore" (nohup) is kept.
nohup "$WORK/sig" --input-json '{}' >"$WORK/nohup.out" 2>"$WORK/nohup.err" &
pid=$!
started_task || fail "nohup: the task never started"
kill -HUP "$pid"
sleep 0.3
kill -0 "$pid" 2>/dev/null || fail "nohup: SIGHUP stopped a run started with nohup"
kill -TERM "$pid"
wait "$pid"
st=$?
[ "$st" = 4 ] || fail "nohup then SIGTERM: exit $st, want 4"
set +m

if [ "$fails" -gt 0 ]; then
    echo "$fails failure(s)" >&2
    exit 1
fi
echo "test_hardening: all checks passed"
