#!/usr/bin/env bash
# test_definition_limit.sh ASLC WORKDIR - AWS's 1 MB definition limit.
#
# CreateStateMachine takes a definition of at most 1,048,576 characters (UTF-16
# code units, as a Java string counts them).  At the limit: valid.  One past it:
# `aslc check` exits 1 with AWS's validation message and `aslc build` fails
# without writing a binary (exit 1, as for any invalid definition).  Length is
# counted as AWS counts it, not in bytes: a two-byte UTF-8 character is one unit,
# a four-byte one (outside the BMP) two.
set -euo pipefail
ASLC=$1
WORK=$2
rm -rf "$WORK"
mkdir -p "$WORK"
fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }

# def FILE CHARS [FILL]: a valid definition of exactly CHARS UTF-16 units, padded
# in its Comment with FILL (one BMP character by default).
def() {
    python3 - "$1" "$2" "${3:-x}" <<'PY'
import sys
path, want, fill = sys.argv[1], int(sys.argv[2]), sys.argv[3]
head = '{"Comment": "'
tail = '", "StartAt": "A", "States": {"A": {"Type": "Succeed"}}}\n'
units = lambda s: len(s.encode('utf-16-le')) // 2
room = want - units(head) - units(tail)
step = units(fill)
pad = fill * (room // step) + 'x' * (room % step)
text = head + pad + tail
assert units(text) == want, (units(text), want)
open(path, 'w', encoding='utf-8').write(text)
PY
}

MSG="/: 1 validation error detected: Value at 'definition' failed to satisfy constraint: Member must have length less than or equal to 1048576"

def "$WORK/at.json" 1048576
"$ASLC" check "$WORK/at.json" 2>"$WORK/at.err" || fail "a definition of exactly 1,048,576 characters is rejected: $(head -2 "$WORK/at.err")"

def "$WORK/over.json" 1048577
rc=0
"$ASLC" check "$WORK/over.json" 2>"$WORK/over.err" || rc=$?
[ "$rc" = 1 ] || fail "check of 1,048,577 characters exits $rc, not 1"
grep -qxF "$WORK/over.json: $MSG" "$WORK/over.err" || fail "no size message: $(head -2 "$WORK/over.err")"

rc=0
"$ASLC" build "$WORK/over.json" -o "$WORK/over.bin" 2>"$WORK/build.err" || rc=$?
[ "$rc" = 1 ] || fail "build of 1,048,577 characters exits $rc, not 1"
[ ! -e "$WORK/over.bin" ] || fail "build over the limit wrote a binary"

# U+1F600 is 4 bytes of UTF-8 and 2 UTF-16 units: exactly at the limit by AWS's
# count, though the file has about 2 MB of bytes...
def "$WORK/astral.json" 1048576 $'\xf0\x9f\x98\x80'
"$ASLC" check "$WORK/astral.json" 2>"$WORK/astral.err" ||
    fail "1,048,576 UTF-16 units of astral characters are rejected: $(head -2 "$WORK/astral.err")"
# ...and é (2 bytes, 1 unit) the same way.
def "$WORK/bmp.json" 1048577 $'\xc3\xa9'
"$ASLC" check "$WORK/bmp.json" 2>/dev/null && fail "1,048,577 units of two-byte characters are accepted"

[ "$fails" = 0 ] && echo "ok: the definition size limit"
exit $((fails > 0))
