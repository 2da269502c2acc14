# lib.sh - what the test scripts share; sourced as
#     . "$(dirname "$0")/lib.sh" "$@"      (arguments: ASLC WORKDIR)
# Sets ASLC, WORK (emptied), SRC, PROGS and fails=0; defines fail and check.
set -u
ASLC=$1
WORK=$2
SRC=${ASLC_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
PROGS=$SRC/tests/progs
rm -rf "$WORK" && mkdir -p "$WORK" || exit 1
fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }

# check LABEL FILE EXPR: a Python expression over r (FILE parsed as JSON).
check() {
    python3 - "$2" "$3" <<'PY' || fail "$1: $3; got: $(head -c 800 "$2" 2>/dev/null)"
import json, sys
try:
    r = json.load(open(sys.argv[1]))
except Exception as e:
    print(e, file=sys.stderr); sys.exit(1)
sys.exit(0 if eval("(" + sys.argv[2] + ")", {"true": True, "false": False, "null": None, "r": r, "json": json}) else 1)
PY
}
