#!/usr/bin/env bash
# tools/bootstrap.sh - from a fresh Debian 12 machine to a running workflow.
#
# Installs the build dependencies that are missing (as root, with apt-get),
# builds aslc into build/ (Release), compiles examples/order-router.asl.json
# and runs it on examples/order-router.input.json.
#
#   sudo tools/bootstrap.sh         (or as root in a container)
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)

# The tests also use python3 (local HTTP and Lambda servers), jq, bc, GNU
# time (memory bounds) and ps (no process outlives a task); the API server's
# tests drive it with the real clients (awsJson1_0 via the AWS CLI v2 and
# boto3) and check its example unit with systemd-analyze.  dpkg-dev and
# zlib1g-dev: tools/static-curl.sh (a libcurl for `aslc build --static`); zlib1g-dev and
# libzstd-dev: ItemReader objects named *.gz or *.zstd;
# Graphviz: aslc graph --format svg.
PACKAGES="build-essential cmake flex bison pkg-config libjansson-dev libcurl4-openssl-dev
          libssl-dev libpcre2-dev libsqlite3-dev libexpat1-dev libmicrohttpd-dev libsystemd-dev python3
          jq bc time procps python3-botocore python3-boto3 awscli systemd
          dpkg-dev zlib1g-dev libzstd-dev binutils coreutils libgraphviz-dev graphviz
          universal-ctags"

# Node.js and npm (for the test peers) are installed from Debian only when no
# node/npm is on the machine already: a machine whose Node.js came from
# elsewhere (NodeSource's nodejs bundles npm) cannot take Debian's npm
# package, which conflicts with it.
NODE_PACKAGES="nodejs npm"

# Packages from $PACKAGES that dpkg does not list as installed.
missing_packages() {
    local p
    for p in $PACKAGES; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || echo "$p"
    done
    if ! command -v node > /dev/null || ! command -v npm > /dev/null; then
        echo "$NODE_PACKAGES"
    fi
}

install_packages() {
    local missing
    missing=$(missing_packages | tr '\n' ' ')
    if [ -z "${missing// /}" ]; then
        return 0
    fi
    if [ "$(id -u)" -ne 0 ]; then
        echo "bootstrap: these packages are missing: $missing" >&2
        echo "bootstrap: run as root (sudo $0), or install them with:" >&2
        echo "    sudo apt-get install -y $missing" >&2
        exit 1
    fi
    if ! command -v apt-get > /dev/null; then
        echo "bootstrap: no apt-get here; install by hand: $missing" >&2
        exit 1
    fi
    echo "bootstrap: installing $missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2086  # one word per package
    apt-get install -y -qq --no-install-recommends $missing < /dev/null
}

# The real service implementations the tests start on 127.0.0.1: DynamoDB
# (dynalite) and S3 (s3rver), from the npm registry into tests/peers/
# (gitignored node_modules).
install_peers() {
    if [ -d "$ROOT/tests/peers/node_modules/dynalite" ] && [ -d "$ROOT/tests/peers/node_modules/s3rver" ]; then
        return 0
    fi
    echo "bootstrap: installing the test peers (dynalite, s3rver) into tests/peers"
    (cd "$ROOT/tests/peers" && npm install --no-audit --no-fund --loglevel=error)
}

# Only the install steps when sourced by tools/test.sh.
if [ "${ASLC_BOOTSTRAP_ONLY_PACKAGES:-}" = 1 ]; then
    install_packages
    install_peers
    return 0 2> /dev/null || exit 0
fi

install_packages
install_peers

JOBS=$(nproc 2> /dev/null || echo 2)
echo "bootstrap: building aslc in build/ (Release, -j$JOBS)"
cmake -S "$ROOT" -B "$ROOT/build" -DCMAKE_BUILD_TYPE=Release > /dev/null
cmake --build "$ROOT/build" -j"$JOBS" --target aslc

echo "bootstrap: compiling examples/order-router.asl.json"
"$ROOT/build/compiler/aslc" build "$ROOT/examples/order-router.asl.json" -o "$ROOT/build/order-router"

echo "bootstrap: running it on examples/order-router.input.json"
"$ROOT/build/order-router" --input "$ROOT/examples/order-router.input.json"
echo "bootstrap: done. The compiler is build/compiler/aslc; see README.md."
