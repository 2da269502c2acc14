#!/bin/bash
# `aslc tasks` and `aslc build -v`: what a user sees about each Task's AWS
# call before anything runs - service, operation, protocol, signing name,
# endpoint variables and default host, the models used - and that a
# binding or a local program is reported as such.
# Models come from a folder made here, so the lines do not depend on the
# installed botocore.
#
#   test_aws_tasks.sh ASLC WORKDIR      (ASLC_SOURCE_DIR in the environment)
. "$(dirname "$0")/lib.sh" "$@"

# A models folder with a version file, holding copies of the installed
# models of the services used (the installed ones are the README's set-up).
BOTO=""
for d in /usr/lib/python3/dist-packages/botocore/data /usr/lib/python3/dist-packages/awscli/botocore/data; do
    [ -d "$d/s3" ] && { BOTO=$d; break; }
done
[ -n "$BOTO" ] || { echo "test_aws_tasks: no botocore models (python3-botocore or awscli)" >&2; exit 1; }
M=$WORK/models/data
mkdir -p "$M"
printf "__version__ = '9.8.7'\n" > "$WORK/models/__init__.py"
for s in s3 stepfunctions sqs iam dynamodb sns; do
    v=$(ls "$BOTO/$s" | sort | tail -1)
    mkdir -p "$M/$s/$v"
    cp "$BOTO/$s/$v/service-2.json" "$M/$s/$v/" || exit 1
done
DEF=$SRC/tests/aws/tasks/tasks.asl.json
V="models: botocore 9.8.7 ($M))"

"$ASLC" tasks "$DEF" --aws-models "$M" > "$WORK/tasks.txt" 2> "$WORK/err.txt" || fail "aslc tasks: $(cat "$WORK/err.txt")"
cat > "$WORK/want.txt" <<WANT
/States/Get	arn:aws:states:::aws-sdk:s3:getObject	network: AWS API call s3 GetObject (rest-xml protocol, signed as s3; endpoint \$AWS_ENDPOINT_URL_S3, \$AWS_ENDPOINT_URL or https://s3.amazonaws.com (us-east-1), else https://s3.REGION.amazonaws.com; $V
/States/Child	arn:aws:states:::states:startExecution.sync:2	network: AWS API call sfn StartExecution (json 1.0 protocol, signed as states; endpoint \$AWS_ENDPOINT_URL_SFN, \$AWS_ENDPOINT_URL or https://states.REGION.amazonaws.com; $V; .sync polls DescribeExecution until the job ends (StopExecution if the execution is aborted)
/States/Queue	arn:aws:states:::sqs:sendMessage.waitForTaskToken	network: AWS API call sqs SendMessage (query protocol, signed as sqs; endpoint \$AWS_ENDPOINT_URL_SQS, \$AWS_ENDPOINT_URL or https://sqs.REGION.amazonaws.com; $V; .waitForTaskToken: sends the call, then waits for send-task-success or send-task-failure (needs --store)
/States/Users	arn:aws:states:::aws-sdk:iam:listUsers	network: AWS API call iam ListUsers (query protocol, signed as iam; endpoint \$AWS_ENDPOINT_URL_IAM, \$AWS_ENDPOINT_URL or https://iam.amazonaws.com (us-east-1), else https://iam.REGION.amazonaws.com; $V
/States/Put	arn:aws:states:::dynamodb:putItem	network: AWS API call dynamodb PutItem (json 1.0 protocol, signed as dynamodb; endpoint \$AWS_ENDPOINT_URL_DYNAMODB, \$AWS_ENDPOINT_URL or https://dynamodb.REGION.amazonaws.com; $V
/States/Each/ItemProcessor/States/Send	arn:aws:states:::sns:publish	network: AWS API call sns Publish (query protocol, signed as sns; endpoint \$AWS_ENDPOINT_URL_SNS, \$AWS_ENDPOINT_URL or https://sns.REGION.amazonaws.com; $V
WANT
diff "$WORK/want.txt" "$WORK/tasks.txt" > "$WORK/diff.txt" || fail "aslc tasks report: $(cat "$WORK/diff.txt")"

# A binding wins over the built-in call, and says so.
"$ASLC" tasks "$DEF" --aws-models "$M" --bind 'arn:aws:states:::dynamodb:putItem=/bin/cat' > "$WORK/bound.txt" ||
    fail "aslc tasks --bind"
grep -qx "/States/Put	arn:aws:states:::dynamodb:putItem	bound: /bin/cat" "$WORK/bound.txt" ||
    fail "a bound AWS task: $(grep Put "$WORK/bound.txt")"

# aslc build -v prints the same report on stderr, before the compiler command.
"$ASLC" build "$DEF" --aws-models "$M" -v -o "$WORK/wf" > "$WORK/build.out" 2> "$WORK/build.err" ||
    fail "aslc build -v: $(cat "$WORK/build.err")"
head -6 "$WORK/build.err" | diff "$WORK/want.txt" - > "$WORK/diff2.txt" || fail "build -v report: $(cat "$WORK/diff2.txt")"
[ -s "$WORK/build.out" ] && fail "build -v wrote to stdout: $(cat "$WORK/build.out")"
# without -v, nothing
"$ASLC" build "$DEF" --aws-models "$M" -o "$WORK/wf" > "$WORK/quiet.out" 2>&1 || fail "aslc build"
[ -s "$WORK/quiet.out" ] && fail "build without -v printed: $(cat "$WORK/quiet.out")"

# An operation the models do not have: aslc tasks refuses the definition,
# naming the action and the models' version.
sed 's/aws-sdk:iam:listUsers/aws-sdk:iam:listUserz/' "$DEF" > "$WORK/bad.json"
"$ASLC" tasks "$WORK/bad.json" --aws-models "$M" > /dev/null 2> "$WORK/bad.err"
rc=$?
[ $rc = 1 ] || fail "an unknown action: exit $rc"
grep -q "the action 'listUserz' is not an operation of 'iam' in botocore 9.8.7" "$WORK/bad.err" ||
    fail "unknown action message: $(cat "$WORK/bad.err")"

[ $fails = 0 ] && echo "test_aws_tasks: all passed"
exit $((fails > 0))
