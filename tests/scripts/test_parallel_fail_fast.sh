#!/bin/bash
# A failure in one Parallel branch (or one Map iteration) stops the others at
# once: siblings waiting 30 s must not hold the state up.  $1 aslc, $2 work dir.
set -eu
ASLC=$1 WORK=$2
rm -rf "$WORK" && mkdir -p "$WORK" && cd "$WORK"

cat > parallel.json <<'JSON'
{"StartAt": "Par", "States": {"Par": {"Type": "Parallel", "End": true, "Branches": [
  {"StartAt": "Long", "States": {"Long": {"Type": "Wait", "Seconds": 30, "End": true}}},
  {"StartAt": "Slow", "States": {"Slow": {"Type": "Wait", "Seconds": 30, "Next": "Done"},
                                 "Done": {"Type": "Pass", "End": true}}},
  {"StartAt": "Boom", "States": {"Boom": {"Type": "Fail", "Error": "Boom", "Cause": "branch 3"}}}]}}}
JSON
cat > map.json <<'JSON'
{"StartAt": "M", "States": {"M": {"Type": "Map", "End": true, "ItemsPath": "$.xs",
  "ItemProcessor": {"StartAt": "C", "States": {
    "C": {"Type": "Choice", "Choices": [{"Variable": "$", "NumericEquals": 3, "Next": "F"}], "Default": "W"},
    "W": {"Type": "Wait", "Seconds": 30, "End": true},
    "F": {"Type": "Fail", "Error": "Item3", "Cause": "bad"}}}}}}
JSON

check() {   # name expected-error args...
    local name=$1 want=$2
    shift 2
    "$ASLC" build "$name.json" -o "$name"
    local t0 t1 rc=0
    t0=$(date +%s.%N)
    "./$name" --result "$name.result.json" "$@" >/dev/null 2>&1 || rc=$?
    t1=$(date +%s.%N)
    local took
    took=$(echo "$t1 - $t0" | bc)
    local err
    err=$(jq -r .error "$name.result.json")
    echo "$name: exit $rc, error $err, ${took}s"
    [ "$rc" = 1 ] || { echo "FAIL: $name should exit 1"; exit 1; }
    [ "$err" = "$want" ] || { echo "FAIL: $name error $err, want $want"; exit 1; }
    [ "$(echo "$took < 15" | bc)" = 1 ] || { echo "FAIL: $name took ${took}s (siblings not stopped)"; exit 1; }
}
check parallel Boom
check map Item3 --input-json '{"xs": [1, 2, 3, 4, 5, 6]}'
echo PASS
