#!/usr/bin/env bash
# tools/test.sh - the whole test suite, as CI runs it (.ci/run calls this).
#
# Installs missing build dependencies (as root), runs the Parallel and Map
# tests under ThreadSanitizer (build-tsan/), then builds everything with
# AddressSanitizer + UndefinedBehaviorSanitizer and -Werror in build-asan/
# and runs every ctest test (unit, cases, diagnostics, scripts).
#
# Environment:
#   ASLC_BUILD_JOBS   make parallelism (default: nproc)
#   ASLC_TEST_JOBS    ctest parallelism (default 2)
#   ASLC_SKIP_TSAN=1  skip the ThreadSanitizer pass over the Parallel/Map/serve tests
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)

ASLC_BOOTSTRAP_ONLY_PACKAGES=1
# shellcheck source=tools/bootstrap.sh
. "$ROOT/tools/bootstrap.sh"
unset ASLC_BOOTSTRAP_ONLY_PACKAGES

JOBS=${ASLC_BUILD_JOBS:-$(nproc 2> /dev/null || echo 2)}
CTEST_JOBS=${ASLC_TEST_JOBS:-2}

status=0

# ---------------------------------------------------------------- ThreadSanitizer
# The Parallel and Map tests (and every workflow they compile) under TSan,
# first, so the full suite's ctest summary is the last thing printed.
if [ "${ASLC_SKIP_TSAN:-0}" != 1 ]; then
    echo "test: ThreadSanitizer pass over the Parallel, Map and serve tests (build-tsan/)"
    JOBS="$JOBS" "$ROOT/tools/tsan.sh" "$ROOT/build-tsan" || status=$?
fi

# A libcurl for `aslc build --static` (tests/scripts/test_static.sh), built
# once from Debian's curl source into third_party/curl-static/.
"$ROOT/tools/static-curl.sh"

echo "test: configuring build-asan/ (ASan + UBSan, -Werror)"
cmake -S "$ROOT" -B "$ROOT/build-asan" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DASLC_SANITIZE=ON -DASLC_WERROR=ON > /dev/null
echo "test: building with -j$JOBS"
cmake --build "$ROOT/build-asan" -j"$JOBS"

echo "test: running ctest -j$CTEST_JOBS"
(cd "$ROOT/build-asan" && ctest --output-on-failure -j"$CTEST_JOBS") || status=$?

exit "$status"
