#!/bin/bash
# Bindings end to end: `aslc build --bind` and the binary's `--bind` (the
# run-time one wins), patterns with a trailing '*', a real Lambda function
# ARN bound to a local program, and the start-up check that refuses to run a
# workflow whose Task has no way to run (exit 2, nothing runs).
#
#   test_bind.sh ASLC WORKDIR      (ASLC_SOURCE_DIR in the environment)
. "$(dirname "$0")/lib.sh" "$@"
build() {   # build NAME [aslc build options...]: $WORK/NAME.json -> $WORK/NAME
    local name=$1
    shift
    "$ASLC" build "$WORK/$name.json" -o "$WORK/$name" "$@" 2>"$WORK/$name.build.err" ||
        { fail "$name: does not build: $(cat "$WORK/$name.build.err")"; return 1; }
}
# run LABEL BINARY INPUT [ARGS...]: result/out/err in $WORK/LABEL.*; returns the exit status.
run() {
    local label=$1 bin=$2 input=$3
    shift 3
    "$WORK/$bin" --input-json "$input" --result "$WORK/$label.result" "$@" \
        >"$WORK/$label.out" 2>"$WORK/$label.err"
}

GREET=arn:aws:lambda:us-east-1:123456789012:function:Greet
AUDIT=arn:aws:lambda:us-east-1:123456789012:function:Audit:prod

# ---- a definition as deployed to AWS: two Lambda functions by ARN.
cat >"$WORK/aws.json" <<EOF
{
  "Comment": "Deployable as is; runs locally with bindings",
  "StartAt": "Greet",
  "States": {
    "Greet": {"Type": "Task", "Resource": "$GREET",
      "Parameters": {"name.\$": "\$.who"}, "ResultPath": "\$.greeting", "Next": "Audit"},
    "Audit": {"Type": "Task", "Resource": "$AUDIT", "ResultPath": "\$.audit", "End": true}
  }
}
EOF
build aws || exit 1

# Bound at run time, exactly: each function is its program; the program
# gets the effective input and its stdout is the result (as a Lambda payload).
run exact aws '{"who":"Ada"}' --bind "$GREET=$PROGS/tag.sh greet" --bind "$AUDIT=$PROGS/tag.sh audit"
check exact "$WORK/exact.result" 'r == {"status": "SUCCEEDED", "output": {"who": "Ada",
    "greeting": {"by": "greet", "input": {"name": "Ada"}},
    "audit": {"by": "audit", "input": {"who": "Ada", "greeting": {"by": "greet", "input": {"name": "Ada"}}}}}}'

# A pattern with a trailing '*' takes every function of the account; an
# exact binding listed first wins over it, the first match in order decides.
run star aws '{"who":"Bo"}' --bind "arn:aws:lambda:us-east-1:123456789012:function:*=$PROGS/tag.sh any"
check star "$WORK/star.result" 'r["output"]["greeting"]["by"] == "any" and r["output"]["audit"]["by"] == "any"'
run starorder aws '{"who":"Bo"}' --bind "$AUDIT=$PROGS/tag.sh audit" \
    --bind "arn:aws:lambda:us-east-1:123456789012:function:*=$PROGS/tag.sh any"
check star-order "$WORK/starorder.result" 'r["output"]["greeting"]["by"] == "any" and r["output"]["audit"]["by"] == "audit"'
# --bind=RESOURCE=PROGRAM is the same option.
run eqform aws '{"who":"Cy"}' "--bind=arn:aws:lambda:us-east-1:123456789012:function:*=$PROGS/tag.sh eq"
check eq-form "$WORK/eqform.result" 'r["output"]["audit"]["by"] == "eq"'

# Compiled in with `aslc build --bind`: the binary runs with no options...
cp "$WORK/aws.json" "$WORK/awsbound.json"
build awsbound --bind "$GREET=$PROGS/tag.sh built-greet" \
    --bind "arn:aws:lambda:us-east-1:123456789012:function:Audit*=$PROGS/tag.sh built-audit"
run built awsbound '{"who":"Di"}'
check built "$WORK/built.result" 'r["output"]["greeting"]["by"] == "built-greet" and r["output"]["audit"]["by"] == "built-audit"'
# ... and a run-time binding still wins over the compiled-in one.
run override awsbound '{"who":"Di"}' --bind "$AUDIT=$PROGS/tag.sh runtime-audit"
check override "$WORK/override.result" 'r["output"]["greeting"]["by"] == "built-greet" and
    r["output"]["audit"]["by"] == "runtime-audit"'
# The definition the binary carries is the one given, bindings not mixed in.
"$WORK/awsbound" --definition >"$WORK/awsbound.def" 2>/dev/null
check definition "$WORK/awsbound.def" 'r["States"]["Greet"]["Resource"] == "arn:aws:lambda:us-east-1:123456789012:function:Greet"'

# A binding's program takes arguments, split on white space, no shell.
run args aws '{"who":"Ed"}' --bind "$GREET=$PROGS/big_out.sh 3" --bind "$AUDIT=$PROGS/tag.sh a;b|c"
check args "$WORK/args.result" 'r["output"]["greeting"] == "aaa" and r["output"]["audit"]["by"] == "a;b|c"'

# A bound program's failure is the function's failure (errorType -> Error).
run boundfail aws '{"who":"Fa"}' --bind "$GREET=$PROGS/fail_lambda.sh" --bind "$AUDIT=$PROGS/ok.sh"
check bound-fail "$WORK/boundfail.result" 'r == {"status": "FAILED", "error": "CustomError",
    "cause": "{\"errorType\":\"CustomError\",\"errorMessage\":\"it broke\"}"}'

# Malformed --bind: usage error, exit 2.
run badbind aws '{}' --bind "no-equals-sign"
rc=$?
[ $rc = 2 ] || fail "bad --bind: exit $rc, expected 2"

# ---- the start-up check.  Mark writes a file when it runs; Notify is a
# MediaConvert job, a service aslc has no built-in invoker for.
cat >"$WORK/sns.json" <<EOF
{
  "StartAt": "Mark",
  "States": {
    "Mark": {"Type": "Task", "Resource": "aslc:exec:$PROGS/marker.sh $WORK/mark.ran", "Next": "Notify"},
    "Notify": {"Type": "Task", "Resource": "arn:aws:states:::mediaconvert:createJob",
      "Parameters": {"TopicArn": "arn:aws:sns:us-east-1:123456789012:alerts", "Message.\$": "\$.msg"},
      "ResultPath": "\$.sns", "Next": "Fan"},
    "Fan": {"Type": "Parallel", "End": true, "Branches": [
      {"StartAt": "Queue", "States": {
        "Queue": {"Type": "Task", "Resource": "arn:aws:states:::eks:runJob",
                  "Parameters": {"QueueUrl": "q", "MessageBody.\$": "\$.msg"}, "End": true}}}]}
  }
}
EOF
build sns || exit 1
run preflight sns '{"msg":"hi"}'
rc=$?
[ $rc = 2 ] || fail "preflight: exit $rc, expected 2"
[ -e "$WORK/mark.ran" ] && fail "preflight: an earlier state ran before the check refused the workflow"
grep -q "'Notify'" "$WORK/preflight.err" && grep -q 'arn:aws:states:::mediaconvert:createJob' "$WORK/preflight.err" ||
    fail "preflight: stderr does not name the state and resource: $(cat "$WORK/preflight.err")"
grep -q "'Queue'" "$WORK/preflight.err" && grep -q 'arn:aws:states:::eks:runJob' "$WORK/preflight.err" ||
    fail "preflight: the Task inside the Parallel branch is not reported: $(cat "$WORK/preflight.err")"
[ -s "$WORK/preflight.out" ] && fail "preflight: something on stdout: $(cat "$WORK/preflight.out")"
grep -q '"SUCCEEDED"' "$WORK/preflight.result" 2>/dev/null && fail "preflight: a result says SUCCEEDED"

# One binding missing is still refused; nothing runs.
run preflight1 sns '{"msg":"hi"}' --bind "arn:aws:states:::mediaconvert:createJob=$PROGS/tag.sh sns"
rc=$?
[ $rc = 2 ] || fail "preflight (one missing): exit $rc, expected 2"
grep -q "'Notify'" "$WORK/preflight1.err" && fail "preflight (one missing): Notify reported though bound"
[ -e "$WORK/mark.ran" ] && fail "preflight (one missing): an earlier state ran"

# Bound (one exactly, one by pattern), the same binary runs.
run bound sns '{"msg":"hi"}' --bind "arn:aws:states:::mediaconvert:createJob=$PROGS/tag.sh sns" \
    --bind "arn:aws:states:::eks:*=$PROGS/tag.sh sqs"
check preflight-bound "$WORK/bound.result" 'r["status"] == "SUCCEEDED" and
    r["output"] == [{"by": "sqs", "input": {"QueueUrl": "q", "MessageBody": "hi"}}]'
[ -e "$WORK/mark.ran" ] || fail "bound: Mark did not run"

# A mock config that lists the states passes the check too.
cat >"$WORK/mock.json" <<'EOF'
{"StateMachines": {"sns": {"TestCases": {"ok": {"Notify": "Sent", "Queue": "Queued"}}}},
 "MockedResponses": {"Sent": {"0": {"Return": {"MessageId": "m-1"}}},
                     "Queued": {"0": {"Return": {"MessageId": "q-1"}}}}}
EOF
rm -f "$WORK/mark.ran"
run mocked sns '{"msg":"hi"}' --mock-config "$WORK/mock.json" --mock-case ok
check preflight-mocked "$WORK/mocked.result" 'r["output"] == [{"MessageId": "q-1"}]'

if [ $fails -ne 0 ]; then
    echo "$fails failure(s)" >&2
    exit 1
fi
echo "test_bind: all passed"
