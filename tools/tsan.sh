#!/bin/bash
# ThreadSanitizer run of the Parallel, Map and API-server tests: builds the
# tree (and so every workflow those tests compile) with -DASLC_TSAN=ON in
# build-tsan/ and runs `ctest -R 'map|parallel|serve'` (serve: the server's
# pool, timer, parking and concurrent clients).  Exit status: ctest's.
#
#   tools/tsan.sh [BUILD_DIR]      (default: build-tsan next to the sources)
#   JOBS=N tools/tsan.sh           parallel build jobs (default 2)
set -eu
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$SRC/build-tsan}
JOBS=${JOBS:-2}
cmake -S "$SRC" -B "$BUILD" -DASLC_TSAN=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$BUILD" -j"$JOBS" --target aslrt aslc asl_casetest
# halt_on_error: the first race fails the test; second_deadlock_stack for lock reports.
export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1:exitcode=66:suppressions=$SRC/tools/tsan.supp}
# test_map_park's 1,000 parked callbacks take ~6 minutes under TSan; 200 still
# park more waits than the Map has threads.
export ASLC_PARK_ITEMS=${ASLC_PARK_ITEMS:-200}
# The memory-bound test measures RSS, which TSan's shadow memory dwarfs.
cd "$BUILD" && ctest -R 'map|parallel|serve' -E 'map_memory' -j"$JOBS" --output-on-failure
