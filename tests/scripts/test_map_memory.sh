#!/bin/bash
# A distributed Map over 200,000 JSON Lines items with a ResultWriter runs in
# memory bounded by its concurrency: items are read lazily and results are
# streamed out.  Keeping every item or result would need well over the bound
# (about 90 MB for these items in a Release build).  $1 aslc, $2 work dir.
set -eu
ASLC=$1 WORK=$2
N=${MAP_MEMORY_ITEMS:-200000}
BOUND_KB=${MAP_MEMORY_BOUND_KB:-40000}
rm -rf "$WORK" && mkdir -p "$WORK/data" "$WORK/out" && cd "$WORK"
awk -v n="$N" 'BEGIN { for (i = 0; i < n; i++)
    printf "{\"id\":%d,\"name\":\"item-%d\",\"pad\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}\n", i, i }' \
    > data/items.jsonl
cat > big.json <<'JSON'
{"StartAt": "M", "States": {"M": {"Type": "Map", "End": true,
  "ItemReader": {"Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": {"InputType": "JSONL"},
                 "Parameters": {"Bucket": "data", "Key": "items.jsonl"}},
  "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
    "StartAt": "P", "States": {"P": {"Type": "Pass", "Parameters": {"id.$": "$.id"}, "End": true}}},
  "ResultWriter": {"Resource": "arn:aws:states:::s3:putObject", "Parameters": {"Bucket": "out", "Prefix": "r"}}}}}
JSON
"$ASLC" build big.json -o big
# Under ASan, freed blocks sit in a quarantine; keep it small so RSS means live memory.
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0:thread_local_quarantine_size_kb=0
/usr/bin/time -v ./big --bucket data=data --bucket out=out --result result.json >/dev/null 2>time.txt
rss=$(awk -F: '/Maximum resident set size/ { gsub(/ /, "", $2); print $2 }' time.txt)
jq -e '.status == "SUCCEEDED"' result.json >/dev/null || { echo "FAIL: $(cat result.json)"; exit 1; }
m=out/$(jq -r .output.ResultWriterDetails.Key result.json)
count=$(jq '[.ResultFiles.SUCCEEDED[].Key] | length' "$m")
lines=$(grep -c '"Status":"SUCCEEDED"' out/r/*/SUCCEEDED_0.json)
echo "items $N, max RSS ${rss} kB (bound ${BOUND_KB} kB), files $count, records $lines"
[ "$lines" = "$N" ] || { echo "FAIL: $lines records, want $N"; exit 1; }
[ "$rss" -lt "$BOUND_KB" ] || { echo "FAIL: max RSS $rss kB over $BOUND_KB kB"; exit 1; }
echo PASS
