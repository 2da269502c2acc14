#!/bin/bash
# aslc build --static: fully static executables that run in an empty root
# filesystem (what a FROM scratch image is), one of them with an HTTP task
# that reaches tests/servers/http_echo.py on 127.0.0.1 from inside the
# chroot.  Also: the clear error when no static libcurl is available, and
# that a workflow without network calls links no libcurl.
#
#   test_static.sh ASLC WORKDIR      (ASLC_SOURCE_DIR in the environment)
#
# chroot needs root (CI runs as root); elsewhere the chroot runs are skipped
# with a message and the rest still runs.
set -u
ASLC=$1
WORK=$2
SRC=${ASLC_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
rm -rf "$WORK" && mkdir -p "$WORK" || exit 1
cd "$WORK" || exit 1
fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
CHROOT=$(command -v chroot || echo /usr/sbin/chroot)
can_chroot=0
if [ "$(id -u)" = 0 ] && [ -x "$CHROOT" ]; then
    can_chroot=1
else
    echo "test_static: not root: the empty-chroot runs are skipped (CI runs them as root)"
fi

is_static() {   # no program interpreter, no dynamic section
    ! readelf -l "$1" | grep -q 'INTERP' && ! readelf -d "$1" 2> /dev/null | grep -q 'NEEDED'
}
# run_empty BINARY ARGS...: the binary alone in an empty root, with an empty environment
# plus what the caller put in ENVV.
run_empty() {
    local bin=$1
    shift
    rm -rf root && mkdir root && cp "$bin" root/wf || return 99
    env -i "${ENVV[@]}" "$CHROOT" "$WORK/root" /wf "$@"
}

# ---- a workflow with a Choice, intrinsics and a hash (libcrypto), no network
cat > local.json << 'EOF'
{"StartAt": "Hash", "States": {
  "Hash": {"Type": "Pass", "Parameters": {"h.$": "States.Hash($.name, 'SHA-256')",
           "greeting.$": "States.Format('hello {}', $.name)"}, "Next": "C"},
  "C": {"Type": "Choice", "Choices": [{"Variable": "$.greeting", "StringMatches": "hello *", "Next": "Done"}],
        "Default": "Bad"},
  "Bad": {"Type": "Fail", "Error": "Bad"},
  "Done": {"Type": "Succeed"}}}
EOF
"$ASLC" build --static local.json -o local 2> err.txt || fail "--static local.json: $(cat err.txt)"
[ -s err.txt ] && fail "--static printed warnings: $(cat err.txt)"
is_static local || fail "local is not a static executable"
readelf -s local | grep -q curl_easy && fail "a workflow without network calls contains libcurl"
# The API server cannot be static (Debian has no static libsystemd): `serve` says so.
./local serve > /dev/null 2> err.txt
[ $? = 2 ] || fail "serve in a static binary should exit 2"
grep -q "serve is not available in a static binary" err.txt || fail "static serve: $(cat err.txt)"
if [ "$can_chroot" = 1 ]; then
    ENVV=()
    out=$(run_empty local --input-json '{"name": "ada"}' 2> err.txt)
    case "$out" in
        *'"greeting":"hello ada"'*) ;;
        *) fail "static local workflow in an empty root: $out $(cat err.txt)" ;;
    esac
    case "$out" in
        *'"h":"fdee430d40bd57deeac186cd9790033d0f06f909a8806e7ce6e717ab7c7d5029"'*) ;;
        *) fail "static local workflow: States.Hash: $out" ;;
    esac
fi

# ---- an HTTP task
cat > http.json << 'EOF'
{"StartAt": "Get", "States": {"Get": {"Type": "Task", "Resource": "arn:aws:states:::http:invoke",
  "Parameters": {"ApiEndpoint.$": "$.url", "Method": "POST", "RequestBody": {"from": "scratch"},
    "Authentication": {"ConnectionArn": "arn:aws:events:us-east-1:123456789012:connection/Echo/1"}},
  "ResultSelector": {"status.$": "$.StatusCode", "body.$": "$.ResponseBody"}, "End": true}}}
EOF
STATIC_CURL=${ASLC_STATIC_CURL:-$SRC/third_party/curl-static/lib/libcurl.a}
if [ ! -f "$STATIC_CURL" ]; then
    # Without a static libcurl, the failure says what is missing and how to get it.
    ASLC_STATIC_CURL= "$ASLC" build --static http.json -o http 2> err.txt
    [ $? = 1 ] || fail "--static with a network task and no static libcurl should fail"
    grep -q "tools/static-curl.sh" err.txt || fail "no static libcurl: unclear message: $(cat err.txt)"
    [ -e http ] && fail "a failed static build left an output"
    if [ "${CI:-}" = true ]; then
        fail "CI: $STATIC_CURL is missing (tools/test.sh runs tools/static-curl.sh)"
    else
        echo "test_static: SKIP the static HTTP task: no $STATIC_CURL (run tools/static-curl.sh)"
        [ "$fails" = 0 ] && exit 77
    fi
else
    "$ASLC" build --static http.json -o http 2> err.txt || fail "--static http.json: $(cat err.txt)"
    [ -s err.txt ] && fail "--static printed warnings: $(cat err.txt)"
    is_static http || fail "http is not a static executable"
    # The same binary, dynamic runs aside, in an empty root against a local server.
    if [ "$can_chroot" = 1 ]; then
        python3 "$SRC/tests/servers/http_echo.py" "k-$$" > port.txt 2> server.log &
        SERVER=$!
        trap 'kill $SERVER 2> /dev/null; wait $SERVER 2> /dev/null' EXIT
        for _ in $(seq 100); do [ -s port.txt ] && break; sleep 0.05; done
        PORT=$(head -n1 port.txt)
        [ -n "$PORT" ] || fail "http_echo.py did not start: $(cat server.log)"
        ENVV=(ASLC_CONNECTION_ECHO_API_KEY_NAME=x-api-key ASLC_CONNECTION_ECHO_API_KEY_VALUE="k-$$")
        for host in 127.0.0.1 localhost; do
            out=$(run_empty http --input-json "{\"url\": \"http://$host:$PORT/echo\"}" 2> err.txt)
            rc=$?
            [ "$rc" = 0 ] || fail "static HTTP workflow in an empty root ($host): exit $rc: $(cat err.txt)"
            python3 -c '
import json, sys
r = json.loads(sys.argv[1])
b = r["body"]
assert r["status"] == 200, r
assert b["method"] == "POST" and b["path"] == "/echo", b
assert json.loads(b["body"]) == {"from": "scratch"}, b
assert b["headers"]["x-api-key"] == sys.argv[2], b
' "$out" "k-$$" || fail "static HTTP workflow ($host) answered: $out"
        done
        # examples/container/Dockerfile: its stages, and its build command run here; the binary
        # it makes is what the scratch image holds, so it must run alone in the empty root.
        DF=$SRC/examples/container/Dockerfile
        grep -q '^FROM debian:12 AS build$' "$DF" || fail "Dockerfile: no build stage"
        grep -q '^FROM scratch$' "$DF" || fail "Dockerfile: no scratch stage"
        grep -q '^COPY --from=build /out/health-check /health-check$' "$DF" || fail "Dockerfile: binary not copied"
        bcmd=$(sed -n 's/^RUN mkdir -p \/out && build\/compiler\/aslc build --static /build --static /p' "$DF")
        [ -n "$bcmd" ] || fail "Dockerfile: no 'aslc build --static' step"
        mkdir -p out
        # shellcheck disable=SC2086  # the Dockerfile's words
        (cd "$SRC" && "$ASLC" ${bcmd//\/out\//$WORK\/out\/}) 2> err.txt || fail "the Dockerfile's build step: $(cat err.txt)"
        is_static out/health-check || fail "the Dockerfile's binary is not static"
        ENVV=(ASLC_CONNECTION_PROBE_API_KEY_NAME=x-api-key ASLC_CONNECTION_PROBE_API_KEY_VALUE="k-$$")
        out=$(run_empty out/health-check --input-json "{\"url\": \"http://127.0.0.1:$PORT/echo\"}" 2> err.txt)
        [ $? = 0 ] || fail "health-check in an empty root: $out $(cat err.txt)"
        run_empty out/health-check --input-json "{\"url\": \"http://127.0.0.1:$PORT/status/503\"}" > /dev/null 2> err.txt
        [ $? = 1 ] || fail "health-check of a 503 should fail"
        grep -q 'Error: Unhealthy' err.txt || fail "health-check 503: $(cat err.txt)"
        ENVV=(ASLC_CONNECTION_ECHO_API_KEY_NAME=x-api-key ASLC_CONNECTION_ECHO_API_KEY_VALUE="k-$$")
        # HTTPS needs a CA bundle: with none in the empty root the failure is a TLS error, not a crash.
        out=$(run_empty http --input-json "{\"url\": \"https://127.0.0.1:$PORT/echo\"}" 2> err.txt)
        [ $? = 1 ] || fail "https without a server should fail the execution: $out $(cat err.txt)"
        grep -q 'States.Http.Socket\|States.TaskFailed' err.txt || fail "https failure: $(cat err.txt)"
    fi
fi

if [ "$fails" -gt 0 ]; then
    echo "$fails failed"
    exit 1
fi
echo "test_static: all passed"
