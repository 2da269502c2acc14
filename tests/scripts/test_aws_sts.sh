#!/bin/bash
# Credentials for AWS calls from STS, against a local STS (tests/aws/sts_peer.py,
# started here on 127.0.0.1) that verifies every signature the way AWS does:
#   - a Task's Credentials field (RoleArn, RoleArn.$, JSONata): AssumeRole
#     signed with the chain's keys, the call signed with the role's keys,
#     one AssumeRole per role (cached), a refused role caught as an error;
#     Lambda with a role; taskCredentials in the history;
#   - web identity (AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN), unsigned;
#   - a profile's role_arn + source_profile;
#   - no key, secret, session token or web token in stdout, stderr (debug
#     logs), the history, the result or the generated C.
#
#   test_aws_sts.sh ASLC WORKDIR      (ASLC_SOURCE_DIR in the environment)
. "$(dirname "$0")/lib.sh" "$@"
check() {   # check LABEL FILE EXPR: a Python expression over r (FILE as JSON) and log (the peer's lines)
    python3 - "$2" "$3" "$WORK/peer.log" <<'PY' || fail "$1: $3; got: $(head -c 3000 "$2" 2>/dev/null)"
import json, sys
try:
    r = json.load(open(sys.argv[1]))
except Exception as e:
    print(e, file=sys.stderr); sys.exit(1)
log = [json.loads(l) for l in open(sys.argv[3])]
sys.exit(0 if eval("(" + sys.argv[2] + ")", {"true": True, "false": False, "null": None, "r": r, "log": log}) else 1)
PY
}
PEER_PID=
cleanup() { [ -n "$PEER_PID" ] && kill "$PEER_PID" 2> /dev/null && wait "$PEER_PID" 2> /dev/null; }
trap cleanup EXIT

BASE_SECRET=base-secret-Qx81
SRC_SECRET=source-secret-Zp27
WEB_TOKEN=web-token-Hy53-eyJhbGciOi
export STS_PEER_KEYS="AKIDBASE=$BASE_SECRET,AKIDSOURCE=$SRC_SECRET" STS_PEER_WEB_TOKEN=$WEB_TOKEN
python3 "$SRC/tests/aws/sts_peer.py" "$WORK/port" "$WORK/peer.log" 2> "$WORK/peer.err" &
PEER_PID=$!
for _ in $(seq 100); do [ -s "$WORK/port" ] && break; sleep 0.1; done
PORT=$(cat "$WORK/port" 2> /dev/null)
[ -n "$PORT" ] || { echo "test_aws_sts: the peer did not start: $(cat "$WORK/peer.err")" >&2; exit 1; }
: > "$WORK/peer.log"

unset AWS_PROFILE AWS_SESSION_TOKEN AWS_ROLE_ARN AWS_WEB_IDENTITY_TOKEN_FILE AWS_ROLE_SESSION_NAME \
    AWS_CONTAINER_CREDENTIALS_FULL_URI AWS_CONTAINER_CREDENTIALS_RELATIVE_URI AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
export AWS_REGION=us-east-1 AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null \
    AWS_ENDPOINT_URL=http://127.0.0.1:$PORT

"$ASLC" build "$SRC/tests/aws/sts/roles.asl.json" -o "$WORK/roles" --emit-c "$WORK/roles.c" || exit 1
"$ASLC" build "$SRC/tests/aws/sts/plain.asl.json" -o "$WORK/plain" --emit-c "$WORK/plain.c" || exit 1

# ---- aslc tasks says which role each Task assumes
"$ASLC" tasks "$SRC/tests/aws/sts/roles.asl.json" > "$WORK/tasks.txt" || fail "aslc tasks"
grep -q "^/States/Each/ItemProcessor/States/Dyn	.*; assumes the role at \$.role (Credentials, STS AssumeRole)$" "$WORK/tasks.txt" ||
    fail "aslc tasks, RoleArn.\$: $(cat "$WORK/tasks.txt")"
grep -q "^/States/Lambda	arn:aws:states:::lambda:invoke	network: Lambda Invoke over libcurl; assumes arn:aws:iam::111111111111:role/fixed (Credentials, STS AssumeRole)$" \
    "$WORK/tasks.txt" || fail "aslc tasks, RoleArn: $(cat "$WORK/tasks.txt")"

# ---- the Credentials field, keys from the environment
AWS_ACCESS_KEY_ID=AKIDBASE AWS_SECRET_ACCESS_KEY=$BASE_SECRET "$WORK/roles" --name run-1 --log-level debug \
    --input-json '{"roles":[{"role":"arn:aws:iam::222222222222:role/a"},{"role":"arn:aws:iam::222222222222:role/a"},{"role":"arn:aws:iam::333333333333:role/b"}]}' \
    --result "$WORK/roles.result" --history "$WORK/roles.history" > "$WORK/roles.out" 2> "$WORK/roles.err"
R=$WORK/roles.result
check roles-status "$R" 'r["status"] == "SUCCEEDED"'
check roles-fixed "$R" 'r["output"]["fixed"] == {}'
check roles-lambda "$R" 'r["output"]["lambda"] == {"p": {"a": 1}}'
# AssumeRole: signed with the base key, once per role (the Map's two "a" share one, the
# Lambda task reuses "fixed"), with the execution's name as the session
check roles-assume "$R" 'sorted(l["assume"] for l in log if l["action"] == "AssumeRole") ==
    ["arn:aws:iam::111111111111:role/denied", "arn:aws:iam::111111111111:role/fixed",
     "arn:aws:iam::222222222222:role/a", "arn:aws:iam::333333333333:role/b"]'
check roles-assume-signed "$R" 'all(l["key"] == "AKIDBASE" and l["sig_ok"] and l["session"] == "run-1"
    for l in log if l["action"] == "AssumeRole")'
# every service call signed, with its session token, by the key issued for its role
check roles-calls "$R" 'sorted(l["role"] for l in log if l["target"] == "AWSStepFunctions.ListStateMachines") ==
    ["arn:aws:iam::111111111111:role/fixed", "arn:aws:iam::222222222222:role/a",
     "arn:aws:iam::222222222222:role/a", "arn:aws:iam::333333333333:role/b"]'
check roles-calls-signed "$R" 'all(l["sig_ok"] and l["token_ok"] and l["key"].startswith("ASIATMP")
    for l in log if l["action"] == "")'
check roles-lambda-role "$R" '[l["role"] for l in log if "/functions/" in l["path"]] == ["arn:aws:iam::111111111111:role/fixed"]'
check roles-denied "$R" 'r["output"]["denied"]["Error"] == "Sfn.SdkClientException" and
    r["output"]["denied"]["Cause"] == "Unable to assume the role '"'"'arn:aws:iam::111111111111:role/denied'"'"': User: AKIDBASE is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::111111111111:role/denied (Service: Sts, Status Code: 403, Error Code: AccessDenied, Request ID: sts-req-2)"'
check roles-history "$WORK/roles.history" '[e["taskScheduledEventDetails"].get("taskCredentials") for e in (r["events"] if isinstance(r, dict) else r)
    if e["type"] == "TaskScheduled"][:1] == [{"roleArn": "arn:aws:iam::111111111111:role/fixed"}]'

# ---- a RoleArn.$ that is not a string fails the state
AWS_ACCESS_KEY_ID=AKIDBASE AWS_SECRET_ACCESS_KEY=$BASE_SECRET "$WORK/roles" --input-json '{"roles":[{"role":5}]}' \
    --result "$WORK/bad.result" > /dev/null 2>&1
check roles-bad-arn "$WORK/bad.result" 'r["status"] == "FAILED" and r["error"] == "States.Runtime" and
    "RoleArn must be a non-empty string" in r["cause"]'

# ---- web identity: no keys, a token file and a role; then a Task role on top (JSONata)
: > "$WORK/peer.log"
printf '%s\n' "$WEB_TOKEN" > "$WORK/web-token"
AWS_WEB_IDENTITY_TOKEN_FILE=$WORK/web-token AWS_ROLE_ARN=arn:aws:iam::555555555555:role/web AWS_ROLE_SESSION_NAME=ci-job \
    "$WORK/plain" --input-json '{"role":"deploy"}' --log-level debug --result "$WORK/web.result" \
    --history "$WORK/web.history" > "$WORK/web.out" 2> "$WORK/web.err"
W=$WORK/web.result
check web-status "$W" 'r["status"] == "SUCCEEDED" and r["output"] == {"chain": {}, "role": {}}'
check web-assume "$W" '[(l["assume"], l["signed"], l["web_token_ok"], l["session"]) for l in log if l["action"] == "AssumeRoleWithWebIdentity"] ==
    [("arn:aws:iam::555555555555:role/web", False, True, "ci-job")]'
check web-then-role "$W" '[(l["assume"], l["role"], l["sig_ok"], l["token_ok"]) for l in log if l["action"] == "AssumeRole"] ==
    [("arn:aws:iam::444444444444:role/deploy", "arn:aws:iam::555555555555:role/web", True, True)]'
check web-calls "$W" '[l["role"] for l in log if l["action"] == ""] ==
    ["arn:aws:iam::555555555555:role/web", "arn:aws:iam::444444444444:role/deploy"] and
    all(l["sig_ok"] and l["token_ok"] for l in log if l["action"] == "")'
# a token STS does not accept: the task fails, naming STS's code, without the token
printf 'not-the-token\n' > "$WORK/bad-token"
AWS_WEB_IDENTITY_TOKEN_FILE=$WORK/bad-token AWS_ROLE_ARN=arn:aws:iam::555555555555:role/web \
    "$WORK/plain" --input-json '{"role":"deploy"}' --result "$WORK/webbad.result" > /dev/null 2> "$WORK/webbad.err"
check web-bad "$WORK/webbad.result" 'r["status"] == "FAILED" and r["error"] == "Sfn.SdkClientException" and
    "Error Code: InvalidIdentityToken" in r["cause"] and "not-the-token" not in r["cause"]'

# ---- a profile's role_arn + source_profile
: > "$WORK/peer.log"
printf '[profile dev]\nrole_arn = arn:aws:iam::666666666666:role/profile\nsource_profile = src\n' > "$WORK/config"
printf '[src]\naws_access_key_id = AKIDSOURCE\naws_secret_access_key = %s\n' "$SRC_SECRET" > "$WORK/credentials"
AWS_PROFILE=dev AWS_CONFIG_FILE=$WORK/config AWS_SHARED_CREDENTIALS_FILE=$WORK/credentials \
    "$WORK/plain" --input-json '{"role":"deploy"}' --result "$WORK/profile.result" > "$WORK/profile.out" 2> "$WORK/profile.err"
P=$WORK/profile.result
check profile-status "$P" 'r["status"] == "SUCCEEDED"'
check profile-assume "$P" '[(l["assume"], l["key"], l["sig_ok"]) for l in log if l["action"] == "AssumeRole"][0] ==
    ("arn:aws:iam::666666666666:role/profile", "AKIDSOURCE", True)'
check profile-call "$P" '[l["role"] for l in log if l["action"] == ""][0] == "arn:aws:iam::666666666666:role/profile"'

# ---- no secret anywhere a user or a log collector sees
secrets=("$BASE_SECRET" "$SRC_SECRET" "$WEB_TOKEN" tmp-secret- tmp-token- ASIATMP)
for f in roles.out roles.err roles.result roles.history roles.c plain.c web.out web.err web.result web.history \
    webbad.result webbad.err profile.out profile.err profile.result; do
    for s in "${secrets[@]}"; do
        grep -q -- "$s" "$WORK/$f" && fail "$f contains '$s': $(grep -o -- ".\{0,60\}$s.\{0,20\}" "$WORK/$f" | head -2)"
    done
done
grep -q "listStateMachines\|ListStateMachines" "$WORK/roles.err" || fail "the debug log shows no calls (is --log-level debug working?)"

[ $fails = 0 ] && echo "test_aws_sts: all passed"
exit $((fails > 0))
