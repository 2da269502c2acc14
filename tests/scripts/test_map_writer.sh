#!/bin/bash
# ResultWriter writes AWS's layout into the folder bound to the bucket:
#   <Prefix>/<MapRunId>/{manifest.json, SUCCEEDED_0.json, FAILED_0.json}
# and the Map's result names the manifest.  $1 aslc, $2 work dir.
set -eu
ASLC=$1 WORK=$2
rm -rf "$WORK" && mkdir -p "$WORK/in" "$WORK/out" && cd "$WORK"
fail() { echo "FAIL: $*"; exit 1; }

printf '{"n":1}\n{"n":2}\n{"n":3,"bad":true}\n{"n":4}\n' > in/items.jsonl
cat > writer.json <<'JSON'
{"StartAt": "M", "States": {"M": {"Type": "Map", "End": true, "Label": "Export",
  "ToleratedFailureCount": 1,
  "ItemReader": {"Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": {"InputType": "JSONL"},
                 "Parameters": {"Bucket": "in-bucket", "Key": "items.jsonl"}},
  "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
    "StartAt": "C", "States": {
      "C": {"Type": "Choice", "Choices": [{"Variable": "$.bad", "IsPresent": true, "Next": "F"}], "Default": "P"},
      "P": {"Type": "Pass", "Parameters": {"double.$": "States.MathAdd($.n, $.n)"}, "End": true},
      "F": {"Type": "Fail", "Error": "BadItem", "Cause": "item 3"}}},
  "ResultWriter": {"Resource": "arn:aws:states:::s3:putObject",
                   "Parameters": {"Bucket": "out-bucket", "Prefix.$": "$.prefix"}}}}}
JSON
"$ASLC" build writer.json -o writer
ASLC_BUCKET_OUT_BUCKET="$WORK/out" ./writer --bucket in-bucket="$WORK/in" \
    --input-json '{"prefix": "jobs/run1"}' --result result.json >/dev/null
jq -e '.status == "SUCCEEDED"' result.json >/dev/null || fail "status: $(cat result.json)"
arn=$(jq -r .output.MapRunArn result.json)
key=$(jq -r .output.ResultWriterDetails.Key result.json)
[ "$(jq -r .output.ResultWriterDetails.Bucket result.json)" = out-bucket ] || fail "bucket"
case "$arn" in arn:aws:states:*:mapRun:writer/Export:*) ;; *) fail "MapRunArn $arn" ;; esac
id=${arn##*:}
[ "$key" = "jobs/run1/$id/manifest.json" ] || fail "manifest key $key"
m=out/$key
[ -f "$m" ] || fail "no $m"
jq -e --arg arn "$arn" '.DestinationBucket == "out-bucket" and .MapRunArn == $arn
    and (.ResultFiles.PENDING == [])' "$m" >/dev/null || fail "manifest $(cat "$m")"
sk=$(jq -r '.ResultFiles.SUCCEEDED[0].Key' "$m")
fk=$(jq -r '.ResultFiles.FAILED[0].Key' "$m")
[ "$sk" = "jobs/run1/$id/SUCCEEDED_0.json" ] || fail "succeeded key $sk"
[ "$fk" = "jobs/run1/$id/FAILED_0.json" ] || fail "failed key $fk"
[ "$(jq -r '.ResultFiles.SUCCEEDED[0].Size' "$m")" = "$(stat -c %s "out/$sk")" ] || fail "size"
# Records: Input/Output as JSON text, Status, the failed one with Error and Cause.
jq -e 'length == 3 and all(.[]; .Status == "SUCCEEDED" and (.ExecutionArn | test(":execution:writer/Export:"))
    and .InputDetails.Included and .StartDate and .StopDate)
    and ([.[].Output | fromjson | .double] | sort == [2, 4, 8])
    and ([.[].Input | fromjson | .n] | sort == [1, 2, 4])' "out/$sk" >/dev/null || fail "SUCCEEDED_0 $(cat "out/$sk")"
jq -e 'length == 1 and .[0].Status == "FAILED" and .[0].Error == "BadItem" and .[0].Cause == "item 3"
    and (.[0].Input | fromjson | .n == 3) and (.[0] | has("Output") | not)' "out/$fk" >/dev/null \
    || fail "FAILED_0 $(cat "out/$fk")"

# JSONL output, COMPACT: the outputs alone, one per line.
jq '.States.M.ResultWriter.WriterConfig = {"OutputType": "JSONL", "Transformation": "COMPACT"}
    | .States.M.ToleratedFailureCount = 0 | .States.M.ItemReader.Parameters.Key = "ok.jsonl"' writer.json > compact.json
printf '{"n":5}\n{"n":6}\n' > in/ok.jsonl
"$ASLC" build compact.json -o compact
./compact --bucket in-bucket=in --bucket out-bucket=out --input-json '{"prefix": "c"}' --result r2.json >/dev/null
k2=$(jq -r .output.ResultWriterDetails.Key r2.json)
f2=out/$(jq -r '.ResultFiles.SUCCEEDED[0].Key' "out/$k2")
[ "$(jq -c .double "$f2" | sort | tr '\n' ' ')" = "10 12 " ] || fail "COMPACT JSONL: $(cat "$f2")"

# A bucket bound nowhere is S3 itself: here an endpoint nobody listens on
# (never AWS), so States.ResultWriterFailed with the SDK's client error.
AWS_ENDPOINT_URL_S3=http://127.0.0.1:9 AWS_ACCESS_KEY_ID=AKIDTEST AWS_SECRET_ACCESS_KEY=test-secret \
    AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null \
    ./writer --bucket in-bucket=in --input-json '{"prefix": "x"}' --result r3.json >/dev/null 2>&1 || true
jq -e '.error == "States.ResultWriterFailed" and (.cause | contains(": S3.SdkClientException: Unable to execute HTTP request"))' \
    r3.json >/dev/null || fail "unbound: $(cat r3.json)"
# Under --mock-config S3 is not called unless ASLC_MOCK_NETWORK=1: the
# bucket must be bound.
echo '{"StateMachines": {"writer": {"TestCases": {"none": {}}}}, "MockedResponses": {}}' > mock.json
AWS_ENDPOINT_URL_S3=http://127.0.0.1:9 AWS_ACCESS_KEY_ID=AKIDTEST AWS_SECRET_ACCESS_KEY=test-secret \
    ./writer --bucket in-bucket=in --mock-config mock.json --mock-case none --input-json '{"prefix": "x"}' --result r4.json >/dev/null 2>&1 || true
jq -e '.error == "States.ResultWriterFailed" and (.cause | contains("ASLC_MOCK_NETWORK=1"))' \
    r4.json >/dev/null || fail "unbound under a mock: $(cat r4.json)"
echo PASS
