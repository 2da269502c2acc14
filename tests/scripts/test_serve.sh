#!/bin/bash
# `BINARY serve`: the Step Functions API driven by the real clients, Debian's
# AWS CLI v2 (/usr/bin/aws) and boto3 (/usr/bin/python3), against servers
# this test starts on 127.0.0.1 (port 0: the server picks a free one and logs
# it) and stops.  The protocol, every operation and its errors, pagination,
# SigV4 with --credentials, clean stops.  Executions: test_serve_exec.sh.
#
#   test_serve.sh ASLC WORKDIR      (ASLC_SOURCE_DIR in the environment)
set -u
ASLC=$1
WORK=$2
SRC=${ASLC_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$SRC/tests/scripts/serve_lib.sh"

serve_build three '{"StartAt":"A","States":{
  "A":{"Type":"Pass","Result":{"x":1},"ResultPath":"$.a","Next":"B"},
  "B":{"Type":"Pass","Parameters":{"sum.$":"States.MathAdd($.a.x, 2)"},"Next":"C"},
  "C":{"Type":"Succeed"}}}'

# ---- usage errors: exit 2 before anything listens.
"$WORK/three" serve --help >"$WORK/help.out" 2>&1 || fail "--help exits 0"
grep -q -- "--credentials" "$WORK/help.out" || fail "--help names --credentials"
"$WORK/three" serve >/dev/null 2>"$WORK/nostore.err"
[ $? = 2 ] && grep -q -- "--store" "$WORK/nostore.err" || fail "no --store: exit 2 naming it"
"$WORK/three" serve --store "$WORK/x.db" --listen 0.0.0.0:0 >/dev/null 2>"$WORK/open.err"
[ $? = 2 ] && grep -q -- "needs --credentials" "$WORK/open.err" || fail "non-loopback without credentials: exit 2"
"$WORK/three" serve --store "$WORK/x.db" --workers zero >/dev/null 2>&1
[ $? = 2 ] || fail "--workers zero: exit 2"
"$WORK/three" serve --store "$WORK/x.db" --bogus 1 >/dev/null 2>&1
[ $? = 2 ] || fail "unknown option: exit 2"
echo "not a store" >"$WORK/foreign.db"
"$WORK/three" serve --store "$WORK/foreign.db" >/dev/null 2>"$WORK/foreign.err"
[ $? = 2 ] || fail "a file that is not a store: exit 2"

# ---- the protocol, the state machine, activities, tags (boto3 and raw requests).
serve_start main three --poll-seconds 1
SM=arn:aws:states:us-east-1:123456789012:stateMachine:three
/usr/bin/python3 "$SRC/tests/scripts/serve_checks.py" protocol "$ENDPOINT" "$SM" || fail "protocol checks"

# The AWS CLI v2, as users type it.
aws_ describe-state-machine --state-machine-arn "$SM" >"$WORK/dsm.json" || fail "cli describe-state-machine"
check "cli describe-state-machine" "$WORK/dsm.json" 'r["name"] == "three" and r["type"] == "STANDARD"'
aws_ list-state-machines >"$WORK/lsm.json" || fail "cli list-state-machines"
check "cli list-state-machines" "$WORK/lsm.json" 'len(r["stateMachines"]) == 1'
aws_ create-activity --name cli-act >"$WORK/ca.json" || fail "cli create-activity"
check "cli create-activity" "$WORK/ca.json" 'r["activityArn"].endswith(":activity:cli-act")'
aws_ describe-activity --activity-arn arn:aws:states:us-east-1:123456789012:activity:missing \
    >/dev/null 2>"$WORK/da.err" && fail "cli describe-activity of a missing one succeeds"
grep -q "ActivityDoesNotExist" "$WORK/da.err" || fail "cli shows ActivityDoesNotExist: $(cat "$WORK/da.err")"
aws_ list-activities --max-items 2 >"$WORK/la.json" || fail "cli list-activities"
check "cli pagination (--max-items)" "$WORK/la.json" 'len(r["activities"]) == 2 and "NextToken" in r'
aws_ list-activities --max-items 2 --starting-token "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["NextToken"])' "$WORK/la.json")" \
    >"$WORK/la2.json" || fail "cli list-activities page 2"
check "cli page 2" "$WORK/la2.json" 'len(r["activities"]) == 2'
# start-sync-execution: the CLI sends it to sync-127.0.0.1 (the model's host
# prefix); through an HTTP proxy setting it reaches the server anyway.
HTTP_PROXY=$ENDPOINT http_proxy=$ENDPOINT NO_PROXY= no_proxy= aws_ start-sync-execution \
    --state-machine-arn "$SM" --input '{"n": 2}' >"$WORK/sync.json" || fail "cli start-sync-execution"
check "cli start-sync-execution" "$WORK/sync.json" 'r["status"] == "SUCCEEDED" and json.loads(r["output"]) == {"sum": 3}'
grep -q "execution .* SUCCEEDED after" "$WORK/main.log" || fail "the log has the execution's end line"
aws_ tag-resource --resource-arn "$SM" --tags key=env,value=test || fail "cli tag-resource"
aws_ list-tags-for-resource --resource-arn "$SM" >"$WORK/lt.json" || fail "cli list-tags-for-resource"
check "cli tags" "$WORK/lt.json" '{"key": "env", "value": "test"} in r["tags"]'
aws_ untag-resource --resource-arn "$SM" --tag-keys env || fail "cli untag-resource"
# GET and other paths are not the API.
python3 - "$ENDPOINT" <<'EOF' || fail "GET / answers 404"
import sys, urllib.request, urllib.error
try:
    urllib.request.urlopen(sys.argv[1] + "/", timeout=10)
except urllib.error.HTTPError as e:
    sys.exit(0 if e.code == 404 else 1)
sys.exit(1)
EOF
serve_stop main
grep -q "stopping" "$WORK/main.log" || fail "SIGTERM logs the stop"
[ "$SERVE_RC" = 0 ] || fail "SIGTERM: exit 0, got $SERVE_RC"
grep -q "serve-test-secret" "$WORK/main.log" && fail "a secret reached the log"

# The store keeps activities and the state machine's creation date across restarts.
serve_start again three
aws_ list-activities >"$WORK/la3.json" || fail "cli list-activities after restart"
check "activities survive a restart" "$WORK/la3.json" 'len(r["activities"]) == 5'
aws_ describe-state-machine --state-machine-arn "$SM" >"$WORK/dsm2.json"
python3 - "$WORK/dsm.json" "$WORK/dsm2.json" <<'EOF' || fail "creationDate changed across a restart"
import json, sys
a, b = (json.load(open(p))["creationDate"] for p in sys.argv[1:])
sys.exit(0 if a == b else 1)
EOF
serve_stop again

# ---- a flood: bounded queues answer ThrottlingException, nothing crashes.
serve_build slow '{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":1,"End":true}}}'
serve_start flood slow --workers 1 --max-queue 2 --max-inflight 8
/usr/bin/python3 - "$ENDPOINT" <<'PY' || fail "flood: expected some SUCCEEDED and some ThrottlingException"
import sys, threading
import serve_client as sc
codes = []
def one():
    st, h, body = sc.raw(sys.argv[1], "StartSyncExecution",
                         {"stateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:slow"})
    codes.append("ok" if st == 200 and body.get("status") == "SUCCEEDED" else sc.err_type(body))
ts = [threading.Thread(target=one) for _ in range(24)]
for t in ts: t.start()
for t in ts: t.join()
print(sorted(set(codes)), codes.count("ok"), file=sys.stderr)
sys.exit(0 if "ok" in codes and "ThrottlingException" in codes and
         set(codes) <= {"ok", "ThrottlingException"} else 1)
PY
/usr/bin/python3 -c 'import sys, serve_client as sc; sys.exit(0 if sc.raw(sys.argv[1], "ListStateMachines", {})[0] == 200 else 1)' \
    "$ENDPOINT" || fail "the server answers after the flood"
serve_stop flood
[ "$SERVE_RC" = 0 ] || fail "flood: clean stop, got $SERVE_RC"

# ---- SigV4: --credentials makes every request prove its key.
cat >"$WORK/creds" <<'EOF'
[default]
aws_access_key_id = AKIDSERVETEST
aws_secret_access_key = serve-test-secret
EOF
chmod 600 "$WORK/creds"
serve_start signed three --credentials "$WORK/creds"
/usr/bin/python3 "$SRC/tests/scripts/serve_checks.py" sigv4 "$ENDPOINT" || fail "SigV4 checks"
AWS_SECRET_ACCESS_KEY=wrong aws_ list-activities >/dev/null 2>"$WORK/wrong.err" && fail "cli with a wrong secret succeeds"
grep -q "InvalidSignatureException" "$WORK/wrong.err" || fail "cli wrong secret: $(cat "$WORK/wrong.err")"
aws_ list-activities >/dev/null || fail "cli with the right key"
serve_stop signed
grep -q "serve-test-secret" "$WORK/signed.log" && fail "the secret reached the log"

# ---- systemd: READY=1 / STOPPING=1 through $NOTIFY_SOCKET, and the example unit.
python3 - "$WORK/three" "$WORK/notify.db" <<'PY' || fail "sd_notify readiness"
import os, signal, socket, subprocess, sys, tempfile
path = os.path.join(tempfile.mkdtemp(), "notify")
sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
sock.bind(path)
sock.settimeout(30)
env = dict(os.environ, NOTIFY_SOCKET=path)
p = subprocess.Popen([sys.argv[1], "serve", "--store", sys.argv[2], "--listen", "127.0.0.1:0"], env=env,
                     stderr=subprocess.DEVNULL)
msgs = []
try:
    msgs.append(sock.recv(4096).decode())
    p.send_signal(signal.SIGTERM)
    msgs.append(sock.recv(4096).decode())
    rc = p.wait(30)
finally:
    p.kill()
ok = "READY=1" in msgs[0] and "STOPPING=1" in msgs[1] and rc == 0
if not ok:
    print(msgs, file=sys.stderr)
sys.exit(0 if ok else 1)
PY
if command -v systemd-analyze >/dev/null; then
    sed "s#/usr/local/bin/approval#$WORK/three#" "$SRC/examples/systemd/approval-serve.service" \
        >"$WORK/approval-serve.service"
    systemd-analyze verify "$WORK/approval-serve.service" >"$WORK/verify.out" 2>&1 ||
        fail "systemd-analyze verify: $(cat "$WORK/verify.out")"
else
    fail "systemd-analyze is missing (tools/bootstrap.sh installs systemd)"
fi

serve_done
