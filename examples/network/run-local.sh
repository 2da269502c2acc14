#!/bin/bash
# Runs workflow.json with one command, with nothing leaving this machine:
# starts the project's HTTP echo server and Lambda Invoke API stand-in on
# 127.0.0.1, compiles the workflow, runs it with the public endpoint
# redirected to the echo server, and stops both servers.
#
#   examples/network/run-local.sh [ASLC [INPUT.json]]
#       ASLC   the compiler (default: build/compiler/aslc)
#       INPUT  the execution input (default: examples/network/input.json)
# The workflow's output goes to stdout; the binary's exit status is ours.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
aslc=${1:-$root/build/compiler/aslc}
input=${2:-$here/input.json}
work=$(mktemp -d "${TMPDIR:-/tmp}/aslc-network.XXXXXX") || exit 1
pids=()
cleanup() {
    for p in "${pids[@]}"; do
        kill "$p" 2>/dev/null
        wait "$p" 2>/dev/null
    done
    rm -rf "$work"
}
trap cleanup EXIT

start() {   # start NAME SCRIPT [ARGS...]: sets port (the server prints it first)
    local name=$1 script=$2
    shift 2
    python3 "$root/tests/servers/$script" "$@" >"$work/$name.port" 2>"$work/$name.log" &
    pids+=($!)
    for _ in $(seq 100); do
        port=$(head -n1 "$work/$name.port" 2>/dev/null)
        [ -n "$port" ] && return 0
        sleep 0.05
    done
    echo "run-local: $name did not start" >&2
    cat "$work/$name.log" >&2
    exit 1
}
start http http_echo.py unused-secret
http_port=$port
start lambda lambda_api.py
lambda_port=$port

"$aslc" build "$here/workflow.json" -o "$work/workflow" || exit 1

# The public API goes to the echo server's /echo route, with a demo key for
# the connection; Lambda goes to the stand-in, signed with the test
# credentials it knows.  The binary reads all of these at run time; the
# definition is untouched.
env -u AWS_PROFILE -u AWS_SESSION_TOKEN -u AWS_ENDPOINT_URL \
    ASLC_CONNECTION_POSTMANECHO_API_KEY_NAME=x-api-key \
    ASLC_CONNECTION_POSTMANECHO_API_KEY_VALUE=local-demo-key \
    ASLC_HTTP_ENDPOINT_OVERRIDE="https://postman-echo.com/post=http://127.0.0.1:$http_port/echo" \
    AWS_ENDPOINT_URL_LAMBDA="http://127.0.0.1:$lambda_port" \
    AWS_REGION=us-east-1 AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null \
    AWS_ACCESS_KEY_ID=AKIDTESTLAMBDA AWS_SECRET_ACCESS_KEY=testsecretkey \
    "$work/workflow" --input "$input" --name local-run-1 --log-level "${LOG_LEVEL:-warn}"
