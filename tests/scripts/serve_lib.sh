# serve_lib.sh - shared by the `serve` tests (sourced; needs ASLC, WORK, SRC).
#
#   serve_build NAME DEFINITION [aslc build options]   -> $WORK/NAME
#   serve_start LABEL NAME [serve options]              -> $ENDPOINT, $SERVE_PID
#   serve_stop LABEL                                    SIGTERM, wait; $SERVE_RC
#   aws_ ARGS...                                        /usr/bin/aws stepfunctions ARGS at $ENDPOINT
#   check LABEL FILE EXPR                               a Python expression over r (FILE as JSON)
#   serve_done                                          exit status from the failures

rm -rf "$WORK" && mkdir -p "$WORK" || exit 1
fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }

if [ ! -x /usr/bin/aws ] || ! /usr/bin/python3 -c 'import boto3' 2>/dev/null; then
    echo "SKIP: needs Debian's awscli and python3-boto3 (tools/bootstrap.sh installs them)" >&2
    exit 77
fi

# Nothing from the host's AWS set-up; fixed test keys (the server checks them
# only when started with --credentials).
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_REGION=us-east-1
export AWS_DEFAULT_REGION=us-east-1 AWS_ACCESS_KEY_ID=AKIDSERVETEST AWS_SECRET_ACCESS_KEY=serve-test-secret
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_ENDPOINT_URL AWS_ENDPOINT_URL_SFN
export AWS_PAGER="" PYTHONPATH="$SRC/tests/scripts"

check() {
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

serve_build() {
    local name=$1 def=$2
    shift 2
    printf '%s\n' "$def" >"$WORK/$name.json"
    "$ASLC" build "$WORK/$name.json" -o "$WORK/$name" "$@" 2>"$WORK/$name.build.err" ||
        { echo "FAIL: $name does not build: $(cat "$WORK/$name.build.err")" >&2; exit 1; }
}

SERVE_PIDS=()
serve_cleanup() {
    for p in "${SERVE_PIDS[@]}"; do
        kill "$p" 2>/dev/null && wait "$p" 2>/dev/null
    done
}
trap serve_cleanup EXIT

serve_start() {
    local label=$1 name=$2
    shift 2
    "$WORK/$name" serve --store "$WORK/$name.db" --listen 127.0.0.1:0 "$@" 2>"$WORK/$label.log" &
    SERVE_PID=$!
    SERVE_PIDS+=("$SERVE_PID")
    local port=
    for _ in $(seq 200); do
        port=$(sed -n 's/.*listening on http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$WORK/$label.log" | head -n1)
        [ -n "$port" ] && break
        kill -0 "$SERVE_PID" 2>/dev/null || break
        sleep 0.05
    done
    if [ -z "$port" ]; then
        echo "FAIL: $label: the server did not start: $(cat "$WORK/$label.log")" >&2
        exit 1
    fi
    ENDPOINT=http://127.0.0.1:$port
}

serve_stop() {
    kill -TERM "$SERVE_PID" 2>/dev/null
    wait "$SERVE_PID"
    SERVE_RC=$?
}

aws_() {
    /usr/bin/aws stepfunctions --endpoint-url "$ENDPOINT" --output json --cli-read-timeout 70 "$@"
}

serve_done() {
    if [ "$fails" -gt 0 ]; then
        echo "$fails check(s) failed" >&2
        exit 1
    fi
    echo "all checks passed"
    exit 0
}
