#!/bin/bash
# Network tasks end to end through compiled binaries: an HTTP Task against
# tests/servers/http_echo.py and Lambda (function ARN and lambda:invoke)
# against tests/servers/lambda_api.py, both started here on 127.0.0.1 and
# stopped on exit.  Nothing leaves the machine.
#
#   test_network_e2e.sh ASLC WORKDIR      (ASLC_SOURCE_DIR in the environment)
. "$(dirname "$0")/lib.sh" "$@"

check() {   # check LABEL FILE EXPR: a Python expression over r (FILE parsed as JSON)
    python3 - "$2" "$3" <<'EOF' || fail "$1: $3; got: $(head -c 1500 "$2" 2>/dev/null)"
import json, sys
try:
    r = json.load(open(sys.argv[1]))
except Exception as e:
    print(e, file=sys.stderr); sys.exit(1)
sys.exit(0 if eval("(" + sys.argv[2] + ")", {"true": True, "false": False, "null": None, "r": r,
                                              "json": json}) else 1)
EOF
}

# ---- servers: each prints its port on its first line.
SERVER_PIDS=()
cleanup() {
    for p in "${SERVER_PIDS[@]}"; do
        kill "$p" 2>/dev/null
        wait "$p" 2>/dev/null
    done
}
trap cleanup EXIT
start_server() {    # start_server NAME SCRIPT [ARGS...]: sets PORT
    local name=$1 script=$2
    shift 2
    python3 "$SRC/tests/servers/$script" "$@" >"$WORK/$name.port" 2>"$WORK/$name.log" &
    SERVER_PIDS+=($!)
    for _ in $(seq 100); do
        PORT=$(head -n1 "$WORK/$name.port" 2>/dev/null)
        [ -n "$PORT" ] && return 0
        sleep 0.05
    done
    echo "FAIL: $name did not start: $(cat "$WORK/$name.log")" >&2
    exit 1
}
SECRET="k3y-$$-$RANDOM-not-to-be-seen"
start_server http http_echo.py "$SECRET"
HTTP_PORT=$PORT
start_server lambda lambda_api.py
LAMBDA_PORT=$PORT

# An environment with nothing from the host's AWS set-up in it.
AWSENV=(env -u AWS_PROFILE -u AWS_SESSION_TOKEN -u AWS_ENDPOINT_URL -u AWS_DEFAULT_REGION
    AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_REGION=us-east-1
    AWS_ACCESS_KEY_ID=AKIDTESTLAMBDA AWS_SECRET_ACCESS_KEY=testsecretkey
    AWS_ENDPOINT_URL_LAMBDA=http://127.0.0.1:$LAMBDA_PORT)

# =================================================================== HTTP
cat >"$WORK/http.json" <<'EOF'
{
  "Comment": "Every HTTP Task field against the local echo server; the base URL comes from the input",
  "StartAt": "PostForm",
  "States": {
    "PostForm": {
      "Type": "Task",
      "Resource": "arn:aws:states:::http:invoke",
      "Parameters": {
        "ApiEndpoint.$": "States.Format('{}/echo', $.base)",
        "Method": "POST",
        "Headers": {"X-Trace": "t-1", "Accept": "application/json"},
        "QueryParameters": {"q": "a b&c", "page": 2},
        "RequestBody": {"name.$": "$.who", "tags": ["x", "y"]},
        "Transform": {"RequestBodyEncoding": "URL_ENCODED",
                      "RequestEncodingOptions": {"ArrayFormat": "BRACKETS"}}
      },
      "ResultSelector": {"status.$": "$.StatusCode", "text.$": "$.StatusText", "echo.$": "$.ResponseBody",
                         "ctype.$": "$.Headers.content-type"},
      "ResultPath": "$.form",
      "Next": "PutJson"
    },
    "PutJson": {
      "Type": "Task",
      "Resource": "arn:aws:states:::http:invoke",
      "Parameters": {
        "ApiEndpoint.$": "States.Format('{}/echo', $.base)",
        "Method": "PUT",
        "RequestBody": {"n": [1, 2], "s": "é"}
      },
      "ResultSelector": {"method.$": "$.ResponseBody.method", "body.$": "$.ResponseBody.body",
                         "ctype.$": "$.ResponseBody.headers.content-type"},
      "ResultPath": "$.json",
      "Next": "Missing"
    },
    "Missing": {
      "Type": "Task",
      "Resource": "arn:aws:states:::http:invoke",
      "Parameters": {"ApiEndpoint.$": "States.Format('{}/status/404', $.base)", "Method": "GET"},
      "ResultSelector": {"path.$": "$.ResponseBody.path"},
      "ResultPath": "$.reached",
      "Retry": [{"ErrorEquals": ["States.Http.StatusCode.503"], "MaxAttempts": 5}],
      "Catch": [{"ErrorEquals": ["States.Http.StatusCode.404"], "ResultPath": "$.missing", "Next": "Authenticated"}],
      "Next": "Authenticated"
    },
    "Authenticated": {
      "Type": "Task",
      "Resource": "arn:aws:states:::http:invoke",
      "Parameters": {
        "ApiEndpoint.$": "States.Format('{}/auth/apikey', $.base)",
        "Method": "GET",
        "Authentication": {"ConnectionArn": "arn:aws:events:us-east-1:123456789012:connection/EchoApi/0b5f5c1e-8f3a-4c7e-9d1b-2a6f1e0c9b77"}
      },
      "ResultSelector": {"status.$": "$.StatusCode", "body.$": "$.ResponseBody"},
      "ResultPath": "$.auth",
      "End": true
    }
  }
}
EOF
"$ASLC" build "$WORK/http.json" -o "$WORK/http" 2>"$WORK/http.build.err" ||
    { echo "FAIL: http.json does not build: $(cat "$WORK/http.build.err")" >&2; exit 1; }
env ASLC_CONNECTION_ECHOAPI_API_KEY_NAME=x-api-key ASLC_CONNECTION_ECHOAPI_API_KEY_VALUE="$SECRET" \
    "$WORK/http" --input-json "{\"base\":\"http://127.0.0.1:$HTTP_PORT\",\"who\":\"Ada L\"}" \
    --result "$WORK/http.result" --history "$WORK/http.history" --log-level debug \
    >"$WORK/http.out" 2>"$WORK/http.err"
check http "$WORK/http.result" 'r["status"] == "SUCCEEDED"'
check http-form "$WORK/http.result" 'r["output"]["form"]["status"] == 200 and r["output"]["form"]["text"] == "OK" and
    r["output"]["form"]["ctype"] == ["application/json"] and
    r["output"]["form"]["echo"]["method"] == "POST" and r["output"]["form"]["echo"]["path"] == "/echo" and
    r["output"]["form"]["echo"]["query"] == "q=a%20b%26c&page=2" and
    r["output"]["form"]["echo"]["headers"]["x-trace"] == "t-1" and
    r["output"]["form"]["echo"]["headers"]["content-type"].startswith("application/x-www-form-urlencoded") and
    r["output"]["form"]["echo"]["body"] == "name=Ada%20L&tags[]=x&tags[]=y"'
check http-json "$WORK/http.result" 'r["output"]["json"]["method"] == "PUT" and
    json.loads(r["output"]["json"]["body"]) == {"n": [1, 2], "s": "é"} and
    r["output"]["json"]["ctype"].startswith("application/json")'
check http-404 "$WORK/http.result" 'r["output"]["missing"]["Error"] == "States.Http.StatusCode.404" and
    json.loads(r["output"]["missing"]["Cause"])["StatusCode"] == 404'
check http-auth "$WORK/http.result" 'r["output"]["auth"] == {"status": 200, "body": {"authenticated": true}}'
# The connection's secret is nowhere: stdout, stderr (debug logs), result, history.
for f in http.out http.err http.result http.history; do
    grep -qF "$SECRET" "$WORK/$f" && fail "http: the connection secret appears in $f"
done
# Without the secret in the environment the connection cannot be used.
"$WORK/http" --input-json "{\"base\":\"http://127.0.0.1:$HTTP_PORT\",\"who\":\"x\"}" \
    --result "$WORK/http-nosecret.result" >/dev/null 2>&1
check http-nosecret "$WORK/http-nosecret.result" 'r["status"] == "FAILED" and r["error"].startswith("Events.ConnectionResource.")'

# ASLC_HTTP_ENDPOINT_OVERRIDE: a matching prefix is replaced (the 404 route
# now reaches /echo), a pair that matches nothing changes nothing.
env ASLC_CONNECTION_ECHOAPI_API_KEY_NAME=x-api-key ASLC_CONNECTION_ECHOAPI_API_KEY_VALUE="$SECRET" \
    ASLC_HTTP_ENDPOINT_OVERRIDE="https://nowhere.invalid/=http://127.0.0.1:1/ http://127.0.0.1:$HTTP_PORT/status/404=http://127.0.0.1:$HTTP_PORT/echo" \
    "$WORK/http" --input-json "{\"base\":\"http://127.0.0.1:$HTTP_PORT\",\"who\":\"x\"}" \
    --result "$WORK/http-override.result" >/dev/null 2>"$WORK/http-override.err"
check http-override "$WORK/http-override.result" 'r["status"] == "SUCCEEDED" and "missing" not in r["output"] and
    r["output"]["reached"] == {"path": "/echo"} and
    r["output"]["auth"]["status"] == 200 and r["output"]["json"]["method"] == "PUT"'

# ================================================================= Lambda
cat >"$WORK/lambda.json" <<'EOF'
{
  "Comment": "Both Lambda forms against the local Invoke API",
  "StartAt": "Direct",
  "States": {
    "Direct": {
      "Type": "Task",
      "Resource": "arn:aws:lambda:us-east-1:123456789012:function:echo",
      "Parameters": {"hello.$": "$.who"},
      "ResultPath": "$.direct",
      "Next": "Integration"
    },
    "Integration": {
      "Type": "Task",
      "Resource": "arn:aws:states:::lambda:invoke",
      "Parameters": {"FunctionName": "arn:aws:lambda:us-east-1:123456789012:function:echo",
                     "Payload": {"x.$": "$.who"}},
      "ResultPath": "$.integration",
      "Next": "DirectFails"
    },
    "DirectFails": {
      "Type": "Task",
      "Resource": "arn:aws:lambda:us-east-1:123456789012:function:fail",
      "Catch": [{"ErrorEquals": ["Exception"], "ResultPath": "$.directError", "Next": "IntegrationFails"}],
      "Next": "IntegrationFails"
    },
    "IntegrationFails": {
      "Type": "Task",
      "Resource": "arn:aws:states:::lambda:invoke",
      "Parameters": {"FunctionName": "fail", "Payload": {}},
      "Catch": [{"ErrorEquals": ["Exception"], "ResultPath": "$.integrationError", "Next": "Throttled"}],
      "Next": "Throttled"
    },
    "Throttled": {
      "Type": "Task",
      "Resource": "arn:aws:lambda:us-east-1:123456789012:function:throttle",
      "Retry": [{"ErrorEquals": ["Lambda.TooManyRequestsException"], "IntervalSeconds": 2, "MaxAttempts": 2}],
      "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.throttle", "Next": "NoSuchFunction"}],
      "Next": "NoSuchFunction"
    },
    "NoSuchFunction": {
      "Type": "Task",
      "Resource": "arn:aws:states:::lambda:invoke",
      "Parameters": {"FunctionName": "other"},
      "Catch": [{"ErrorEquals": ["Lambda.ResourceNotFoundException"], "ResultPath": "$.missing", "Next": "Done"}],
      "Next": "Done"
    },
    "Done": {"Type": "Succeed"}
  }
}
EOF
"$ASLC" build "$WORK/lambda.json" -o "$WORK/lambda" 2>"$WORK/lambda.build.err" ||
    { echo "FAIL: lambda.json does not build: $(cat "$WORK/lambda.build.err")" >&2; exit 1; }
"${AWSENV[@]}" "$WORK/lambda" --input-json '{"who":"Ada"}' --result "$WORK/lambda.result" \
    --history "$WORK/lambda.history" --log-level debug --wait-scale 0.01 \
    >"$WORK/lambda.out" 2>"$WORK/lambda.err"
check lambda "$WORK/lambda.result" 'r["status"] == "SUCCEEDED"'
# Direct form: the payload itself (as recorded: mock:lambda-direct cases).
check lambda-direct "$WORK/lambda.result" 'r["output"]["direct"] == {"hello": "Ada"}'
# Integration form: the recorded shape of base_scenarios__test_lambda_service_invoke.
check lambda-integration "$WORK/lambda.result" 'sorted(r["output"]["integration"]) ==
    ["ExecutedVersion", "Payload", "SdkHttpMetadata", "SdkResponseMetadata", "StatusCode"] and
    r["output"]["integration"]["Payload"] == {"x": "Ada"} and r["output"]["integration"]["StatusCode"] == 200 and
    r["output"]["integration"]["ExecutedVersion"] == "$LATEST" and
    sorted(r["output"]["integration"]["SdkHttpMetadata"]) == ["AllHttpHeaders", "HttpHeaders", "HttpStatusCode"] and
    r["output"]["integration"]["SdkHttpMetadata"]["HttpStatusCode"] == 200 and
    r["output"]["integration"]["SdkHttpMetadata"]["AllHttpHeaders"]["X-Amz-Executed-Version"] == ["$LATEST"] and
    r["output"]["integration"]["SdkHttpMetadata"]["HttpHeaders"]["Content-Type"] == "application/json" and
    r["output"]["integration"]["SdkResponseMetadata"]["RequestId"] ==
        r["output"]["integration"]["SdkHttpMetadata"]["HttpHeaders"]["x-amzn-RequestId"]'
# A function error: Error = errorType; the direct form keeps the payload bytes
# as Lambda sent them, the integration re-serialises them compactly.
check lambda-direct-error "$WORK/lambda.result" 'r["output"]["directError"]["Error"] == "Exception" and
    r["output"]["directError"]["Cause"].startswith("{\"errorMessage\": \"Some exception was raised.\", \"errorType\": \"Exception\"")'
check lambda-integration-error "$WORK/lambda.result" 'r["output"]["integrationError"]["Error"] == "Exception" and
    r["output"]["integrationError"]["Cause"].startswith("{\"errorMessage\":\"Some exception was raised.\",\"errorType\":\"Exception\"")'
# A throttle is retried (1 + 2 attempts), then caught.
check lambda-throttle "$WORK/lambda.result" 'r["output"]["throttle"]["Error"] == "Lambda.TooManyRequestsException" and
    "Status Code: 429" in r["output"]["throttle"]["Cause"]'
check lambda-throttle-attempts "$WORK/lambda.history" 'len([e for e in r["events"] if e["type"] == "LambdaFunctionScheduled" and
    e["lambdaFunctionScheduledEventDetails"]["resource"].endswith(":throttle")]) == 3'
check lambda-missing "$WORK/lambda.result" 'r["output"]["missing"]["Error"] == "Lambda.ResourceNotFoundException" and
    "Status Code: 404" in r["output"]["missing"]["Cause"]'
# Every call reached the server signed and verified: 1 + 1 + 1 + 1 + 3 + 1.
count=$(python3 -c "import urllib.request, sys
print(urllib.request.urlopen('http://127.0.0.1:' + sys.argv[1] + '/count').read().decode())" "$LAMBDA_PORT")
[ "$count" = 8 ] || fail "lambda: the server verified $count invocations, expected 8"
grep -q 'rejected' "$WORK/lambda.log" && fail "lambda: the server rejected a signature: $(cat "$WORK/lambda.log")"
for f in lambda.out lambda.err lambda.result lambda.history; do
    grep -qF testsecretkey "$WORK/$f" && fail "lambda: the AWS secret key appears in $f"
done

# A wrong secret: the API answers 403, which is an ordinary Lambda error.
env "${AWSENV[@]:1}" AWS_SECRET_ACCESS_KEY=wrong "$WORK/lambda" --input-json '{"who":"x"}' \
    --result "$WORK/lambda-badkey.result" >/dev/null 2>&1
check lambda-badkey "$WORK/lambda-badkey.result" 'r["status"] == "FAILED" and r["error"].startswith("Lambda.")'

if [ $fails -ne 0 ]; then
    echo "$fails failure(s)" >&2
    exit 1
fi
echo "test_network_e2e: all passed"
