#!/bin/bash
# examples/network/run-local.sh works as its README says: one command starts
# the local servers, builds the workflow, runs it with the public endpoint
# redirected (ASLC_HTTP_ENDPOINT_OVERRIDE), and stops the servers.
#
#   test_network_example.sh ASLC WORKDIR      (ASLC_SOURCE_DIR in the environment)
. "$(dirname "$0")/lib.sh" "$@"

TMPDIR=$WORK bash "$SRC/examples/network/run-local.sh" "$ASLC" >"$WORK/out.json" 2>"$WORK/err.txt"
rc=$?
[ $rc = 0 ] || fail "run-local.sh exited $rc: $(cat "$WORK/err.txt")"
python3 - "$WORK/out.json" <<'PY' || fail "unexpected output: $(cat "$WORK/out.json")"
import json, sys
r = json.load(open(sys.argv[1]))
sys.exit(0 if r["orderId"] == "A-1001" and r["webhookStatus"] == 200 and r["deliveredAt"].endswith("Z") else 1)
PY
# The script cleans up after itself: its temporary folder is gone, which it
# removes after it has stopped and waited for both servers.
ls "$WORK" | grep -q '^aslc-network\.' && fail "run-local.sh left its temporary folder"

# Another input, given as the second argument.
echo '{"orderId": "B-7", "total": 1, "items": []}' >"$WORK/in.json"
TMPDIR=$WORK bash "$SRC/examples/network/run-local.sh" "$ASLC" "$WORK/in.json" >"$WORK/out2.json" 2>"$WORK/err2.txt" ||
    fail "run-local.sh with an input file: $(cat "$WORK/err2.txt")"
grep -q '"orderId":"B-7"' "$WORK/out2.json" || fail "input file not used: $(cat "$WORK/out2.json")"

if [ $fails -ne 0 ]; then
    echo "$fails failure(s)" >&2
    exit 1
fi
echo "test_network_example: all passed"
