#!/bin/bash
# Callback waits park (docs/durability.md): a Map of 1,000 .waitForTaskToken
# iterations, MaxConcurrency 1000, delivers all 1,000 tokens at once while
# the process runs far fewer threads than that (parked waits hold none),
# survives a SIGKILL while they all wait (nothing is delivered twice on
# resume), and completes as the answers arrive, with each iteration's
# events in the history exactly once.
# $1 aslc, $2 work dir.  $ASLC_PARK_ITEMS overrides the 1,000.
set -eu
ASLC=$1 WORK=$2
N=${ASLC_PARK_ITEMS:-1000}
PY=/usr/bin/python3
rm -rf "$WORK" && mkdir -p "$WORK" && cd "$WORK"
fail() { echo "FAIL: $*"; exit 1; }

cat > park.json <<'JSON'
{"StartAt": "M", "States": {"M": {"Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": 1000, "End": true,
  "ItemProcessor": {"StartAt": "Ask", "States": {"Ask": {"Type": "Task",
    "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
    "Parameters": {"token.$": "$$.Task.Token", "i.$": "$"}, "End": true}}}}}}
JSON
"$ASLC" build park.json -o park
# The delivery: one line per token, written with one write (O_APPEND).
cat > deliver.sh <<'SH'
#!/bin/sh
line=$(cat)
printf '%s\n' "$line" >> "$(dirname "$0")/tokens.jsonl"
echo '{}'
SH
chmod +x deliver.sh
$PY -c "import json; print(json.dumps({'items': list(range($N))}))" > in.json
RUN=(./park --store s.db --name p --input in.json
     --bind "arn:aws:states:::sqs:sendMessage.waitForTaskToken=$WORK/deliver.sh")

# wait_tokens N PID: until N tokens were delivered (or the run ended)
wait_tokens() {
    for _ in $(seq 1 1200); do
        [ -e tokens.jsonl ] && [ "$(wc -l < tokens.jsonl)" -ge "$1" ] && return 0
        kill -0 "$2" 2>/dev/null || fail "the run ended before $1 tokens were delivered"
        sleep 0.1
    done
    fail "only $(wc -l < tokens.jsonl) of $1 tokens delivered in 120 s"
}

"${RUN[@]}" > out1.txt 2> err1.txt &
pid=$!
wait_tokens "$N" $pid
sleep 0.3
threads=$(awk '/^Threads:/ {print $2}' "/proc/$pid/status")
[ "$threads" -le 80 ] || fail "$N parked callback waits run on $threads threads (want at most 80)"
echo "$N callback waits outstanding on $threads threads"
kill -9 $pid; wait $pid 2>/dev/null || true

# Answer the first half while nobody runs the execution, then resume.
$PY - "$N" > answers.txt <<'PY'
import json, sys
seen = {}
for line in open("tokens.jsonl"):
    d = json.loads(line)
    seen.setdefault(d["i"], d["token"])
if len(seen) != int(sys.argv[1]):
    sys.exit("tokens for %d distinct items, want %s" % (len(seen), sys.argv[1]))
for i, tok in sorted(seen.items()):
    print(tok, i)
PY
answer() {  # lines "TOKEN I" on stdin
    xargs -P 4 -n 2 sh -c './park send-task-success --store s.db --task-token "$0" --task-output "{\"got\": $1}" > /dev/null' ||
        fail "send-task-success failed"
}
head -n $((N / 2)) answers.txt | answer
"${RUN[@]}" > out2.txt 2> err2.txt &
pid=$!
sleep 1
kill -0 $pid 2>/dev/null || { cat err2.txt; fail "the resumed run ended early"; }
tail -n +$((N / 2 + 1)) answers.txt | answer
wait $pid || { cat err2.txt; fail "the resumed run failed"; }
[ "$(wc -l < tokens.jsonl)" = "$N" ] || fail "tokens delivered $(wc -l < tokens.jsonl) times, want $N (a delivery ran twice)"
$PY - "$N" out2.txt <<'PY' || fail "output: $(head -c 200 out2.txt)"
import json, sys
out = json.load(open(sys.argv[2]))
assert out == [{"got": i} for i in range(int(sys.argv[1]))], out[:3]
PY
./park history --store s.db --name p > h.json
$PY - "$N" h.json <<'PY' || fail "history"
import collections, json, sys
n = int(sys.argv[1])
ev = json.load(open(sys.argv[2]))["events"]
assert [e["id"] for e in ev] == list(range(1, len(ev) + 1)), "ids are not 1..N"
c = collections.Counter(e["type"] for e in ev)
for t in ("MapIterationStarted", "TaskStateEntered", "TaskScheduled", "TaskSubmitted", "TaskSucceeded",
          "MapIterationSucceeded"):
    assert c[t] == n, (t, c[t])
assert c["TaskFailed"] == 0 and c["TaskStateAborted"] == 0 and c["MapIterationFailed"] == 0, c
assert ev[-1]["type"] == "ExecutionSucceeded"
PY
echo "ok: $N parked callback waits, a kill while parked, resumed, all answered"
