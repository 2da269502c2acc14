# peers_lib.sh - shared by the tests against real AWS service
# implementations (dynalite, s3rver) started on 127.0.0.1 from
# tests/peers/node_modules (the README's set-up, tools/bootstrap.sh,
# installs them).  Sourced after lib.sh (ASLC, WORK, SRC, fail, check):
#     . "$(dirname "$0")/lib.sh" "$@"; . "$SRC/tests/scripts/peers_lib.sh"
#
#   peers_need NAME...          skip (77) unless node and these peers are there
#   start_peer NAME ARGS...     node tests/peers/start.js NAME ARGS; sets PORT;
#                               stopped when the script exits
#   peers_done NAME             exit status from the failures
PEERS=$SRC/tests/peers
peers_need() {
    command -v node > /dev/null || { echo "SKIP: node missing (tools/bootstrap.sh installs it)" >&2; exit 77; }
    for p in "$@"; do
        [ -d "$PEERS/node_modules/$p" ] ||
            { echo "SKIP: $p missing (tools/bootstrap.sh installs it into tests/peers)" >&2; exit 77; }
    done
}
PEER_PIDS=()
peers_stop() {
    for p in "${PEER_PIDS[@]}"; do
        kill "$p" 2>/dev/null
        wait "$p" 2>/dev/null
    done
}
trap peers_stop EXIT
start_peer() {
    local name=$1
    shift
    # s3rver's ListObjectsV2 continuation tokens are DES-encrypted, which
    # OpenSSL 3 offers only from its legacy provider
    node --openssl-legacy-provider "$PEERS/start.js" "$@" > "$WORK/$name.port" 2> "$WORK/$name.log" &
    PEER_PIDS+=($!)
    for _ in $(seq 100); do
        [ -s "$WORK/$name.port" ] && break
        sleep 0.1
    done
    PORT=$(head -1 "$WORK/$name.port")
    [ -n "$PORT" ] || { echo "$name did not start: $(cat "$WORK/$name.log")" >&2; exit 1; }
}
peers_done() {
    if [ $fails -ne 0 ]; then
        echo "$1: $fails failure(s)" >&2
        exit 1
    fi
    echo "$1: all passed"
}
# Nothing from the host's AWS set-up.
export AWS_REGION=us-east-1 AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_ENDPOINT_URL
