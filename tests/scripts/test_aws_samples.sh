#!/bin/bash
# Public AWS sample definitions (tests/aws/samples/, sources in SOURCES.md)
# compiled and started with credentials in the environment and every AWS
# endpoint pointed at an unused local port: each must compile, and each must
# start - no "no way to run Task state" refusal - and then fail only on the
# network.  Samples with callback Tasks (.waitForTaskToken) run with --store
# (the binary refuses them without one); a service the installed models
# lack must be a compile error naming it.  Prints the figure.
#
# Deploy-time placeholders are filled in as a deployment would: ${partition}
# is "aws", a Resource that is only "${Name}" becomes a Lambda function ARN.
#
#   test_aws_samples.sh ASLC WORKDIR
set -u
ASLC=$1
WORK=$2
SRC=${ASLC_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
rm -rf "$WORK" && mkdir -p "$WORK" || exit 1
export AWS_ACCESS_KEY_ID=AKIDSAMPLES AWS_SECRET_ACCESS_KEY=samples-secret AWS_REGION=us-east-1
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_ENDPOINT_URL=http://127.0.0.1:9
unset AWS_PROFILE AWS_SESSION_TOKEN
fails=0 total=0 started=0
for f in "$SRC"/tests/aws/samples/*.asl.json; do
    name=$(basename "$f" .asl.json)
    total=$((total + 1))
    python3 - "$f" "$WORK/$name.json" <<'PY'
import json, re, sys
d = json.load(open(sys.argv[1]))
def walk(v):
    if isinstance(v, dict):
        for k, x in v.items():
            if k == "Resource" and isinstance(x, str):
                m = re.fullmatch(r"\$\{(\w+)\}", x)
                if m:
                    x = "arn:aws:lambda:us-east-1:123456789012:function:" + m.group(1)
                v[k] = x.replace("${partition}", "aws")
            else:
                walk(x)
    elif isinstance(v, list):
        for x in v:
            walk(x)
walk(d)
json.dump(d, open(sys.argv[2], "w"))
PY
    if ! "$ASLC" build "$WORK/$name.json" -o "$WORK/$name" 2> "$WORK/$name.build"; then
        # A service newer than the installed models is a compile error that
        # says so (bedrock-runtime is not in Debian 12's botocore 1.29).
        if grep -q "is not in the AWS service models" "$WORK/$name.build"; then
            echo "not in the models: $name ($(grep -o "the AWS service '[^']*'" "$WORK/$name.build" | head -1))"
            continue
        fi
        echo "FAIL $name: does not compile: $(cat "$WORK/$name.build")" >&2
        fails=$((fails + 1))
        continue
    fi
    store=()
    grep -q '"[^"]*\.waitForTaskToken"' "$f" && store=(--store "$WORK/$name.db" --name "$name")
    timeout 60 "$WORK/$name" --input-json '{}' --wait-scale 0 "${store[@]}" > /dev/null 2> "$WORK/$name.err"
    rc=$?
    if grep -q "no way to run Task state" "$WORK/$name.err"; then
        echo "FAIL $name: refused: $(head -3 "$WORK/$name.err")" >&2
        fails=$((fails + 1))
    elif [ $rc = 2 ]; then
        echo "FAIL $name: exit 2: $(head -3 "$WORK/$name.err")" >&2
        fails=$((fails + 1))
    else
        started=$((started + 1))
        echo "started: $name ($(grep -o 'Error: [^;]*' "$WORK/$name.err" | head -1))"
    fi
done
echo "test_aws_samples: $started of $total public sample definitions start"
[ $fails -eq 0 ]
