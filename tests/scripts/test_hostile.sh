#!/usr/bin/env bash
# test_hostile.sh ASLC WORKDIR - hostile text cannot break or inject into the generated C.
#
# State names, Comments, literals, Fail Error/Cause and the definition's file
# name hold quotes, backslashes, comment openers and closers, trigraphs,
# printf conversions, newlines, control characters, non-ASCII and 80-character
# names.  For each definition:
#   1. aslc emit-c output compiles with cc -std=c11 -Wall -Wextra -Werror -fsyntax-only;
#   2. emit-c twice gives byte-identical C;
#   3. the built binary runs and its result equals the expected JSON;
#   4. the shell-command payloads inside the strings did not run.
# Needs python3 (JSON comparison).  ASLC_SOURCE_DIR is the source tree.
set -euo pipefail

ASLC=$1
WORK=$2
SRC=${ASLC_SOURCE_DIR:?ASLC_SOURCE_DIR must name the source tree}
CC=${CC:-cc}
rm -rf "$WORK"
mkdir -p "$WORK"
MARK="$WORK/INJECTED"
fails=0

fail() {
    echo "FAIL: $*" >&2
    fails=$((fails + 1))
}

# The 80-character names: one ASCII, one of 80 two-byte characters.
LONG_ASCII=$(printf 'L%.0s' $(seq 80))
LONG_UTF8=$(printf '\xc3\xa9%.0s' $(seq 80))

# JSON text; the payloads try to end a string, a comment, or a printf format.
cat > "$WORK/hostile.json" <<EOF
{
  "Comment": "*/ #error comment escaped /* \" \\\\ ??/ %n%s\n#include <stdlib.h>",
  "StartAt": "Start \"quoted\" \\\\ back */ /* ??/ ??= %n%s%p",
  "States": {
    "Start \"quoted\" \\\\ back */ /* ??/ ??= %n%s%p": {
      "Type": "Pass",
      "Comment": "\"); system(\"touch $MARK\"); (\" */ system(\"touch $MARK\"); /*",
      "Parameters": {
        "state.\$": "\$\$.State.Name",
        "lit": "tab\there nl\nthere cr\r bell\u0007 esc\u001b del\u007f \u00e9 \u4e2d \ud83d\ude00 ??/ ??' */ /* %n %s \\\\\" \\\\",
        "key \"q\" */ ??/ %n \\\\": "v",
        "fmt.\$": "States.Format('{} \\\\' ??/ */ %n', \$\$.State.Name)"
      },
      "ResultPath": "\$.p",
      "Next": "$LONG_ASCII"
    },
    "$LONG_ASCII": {
      "Type": "Pass",
      "Parameters": {"state.\$": "\$\$.State.Name", "in.\$": "\$.p"},
      "Next": "Choice\nsecond line \"\\\\ ??/"
    },
    "Choice\nsecond line \"\\\\ ??/": {
      "Type": "Choice",
      "Choices": [
        {"Variable": "\$.in.lit", "StringEquals": "stop \"*/\" ??/", "Next": "$LONG_UTF8"},
        {"Variable": "\$.in.lit", "StringMatches": "tab*\\\\\\\\", "Next": "Done %s %n"}
      ],
      "Default": "$LONG_UTF8"
    },
    "Done %s %n": {"Type": "Succeed"},
    "$LONG_UTF8": {
      "Type": "Fail",
      "Error": "Err \"*/ ??/ %n\" \\\\ \u00e9",
      "Cause": "cause\nwith newline */ /* \"); system(\"touch $MARK\"); (\""
    }
  }
}
EOF

check_c() { # name definition
    local name=$1 def=$2
    if ! "$ASLC" emit-c "$def" > "$WORK/$name.c" 2> "$WORK/$name.emit.err"; then
        fail "$name: aslc emit-c failed"; cat "$WORK/$name.emit.err" >&2; return
    fi
    "$ASLC" emit-c "$def" > "$WORK/$name.2.c" 2>/dev/null || true
    cmp -s "$WORK/$name.c" "$WORK/$name.2.c" || fail "$name: emit-c is not byte-identical across runs"
    if ! "$CC" -std=c11 -Wall -Wextra -Werror -fsyntax-only -D_POSIX_C_SOURCE=200809L \
            -I "$SRC/runtime/include" "$WORK/$name.c" 2> "$WORK/$name.cc.err"; then
        fail "$name: generated C does not compile cleanly"; head -30 "$WORK/$name.cc.err" >&2
    fi
    if grep -q '^#include <stdlib.h>' "$WORK/$name.c" || grep -q '^#error' "$WORK/$name.c"; then
        fail "$name: a line from the definition's text became a preprocessor line"
    fi
}

# compare RESULT_FILE EXPECTED_JSON
compare() {
    python3 - "$1" "$2" <<'PY'
import json, sys
got = json.load(open(sys.argv[1]))
exp = json.loads(sys.argv[2])
if got != exp:
    print("expected:", json.dumps(exp, ensure_ascii=False), file=sys.stderr)
    print("got:     ", json.dumps(got, ensure_ascii=False), file=sys.stderr)
    sys.exit(1)
PY
}

check_c hostile "$WORK/hostile.json"
if "$ASLC" build "$WORK/hostile.json" -o "$WORK/hostile" 2> "$WORK/build.err"; then
    # Run 1: lit is not "stop ...": the StringMatches rule matches -> Succeed.
    if "$WORK/hostile" --input-json '{"x":1}' --result "$WORK/r1.json" > "$WORK/r1.out" 2> "$WORK/r1.err"; then
        exp=$(python3 - "$WORK/hostile.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
names = list(d["States"])
p = d["States"][names[0]]["Parameters"]
key = [k for k in p if k.startswith("key")][0]
inner = {"state": names[0], "lit": p["lit"], key: "v", "fmt": names[0] + " ' ??/ */ %n"}
print(json.dumps({"status": "SUCCEEDED", "output": {"state": names[1], "in": inner}}))
PY
)
        compare "$WORK/r1.json" "$exp" || fail "hostile: run 1 output differs"
    else
        fail "hostile: run 1 exit $?"; cat "$WORK/r1.err" >&2
    fi
    # Run 2: --definition prints the embedded definition unchanged.
    "$WORK/hostile" --definition > "$WORK/def.out"
    python3 -c 'import json,sys; sys.exit(json.load(open(sys.argv[1])) != json.load(open(sys.argv[2])))' \
        "$WORK/def.out" "$WORK/hostile.json" || fail "hostile: --definition differs from the source"
else
    fail "hostile: aslc build failed"; cat "$WORK/build.err" >&2
fi

# A second machine whose Choice sends the input to the Fail state.
python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
names = list(d["States"])
d["States"][names[2]]["Choices"][0] = {"Variable": "$.state", "StringEquals": names[1], "Next": names[4]}
print(json.dumps(d, ensure_ascii=False, indent=1))' "$WORK/hostile.json" > "$WORK/hostile_fail.json"
check_c hostile_fail "$WORK/hostile_fail.json"
if "$ASLC" build "$WORK/hostile_fail.json" -o "$WORK/hostile_fail" 2> "$WORK/build2.err"; then
    rc=0
    "$WORK/hostile_fail" --input-json '{}' --result "$WORK/r2.json" > /dev/null 2> "$WORK/r2.err" || rc=$?
    [ "$rc" = 1 ] || fail "hostile_fail: exit $rc, expected 1"
    exp=$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
f = d["States"][list(d["States"])[4]]
print(json.dumps({"status": "FAILED", "error": f["Error"], "cause": f["Cause"]}))' "$WORK/hostile.json")
    compare "$WORK/r2.json" "$exp" || fail "hostile_fail: result differs"
else
    fail "hostile_fail: aslc build failed"; cat "$WORK/build2.err" >&2
fi

# The definition's own file name reaches the C source too (banner comment, .source).
ODD="$WORK/odd \"name\" \\ ??- ??= %n
*.asl.json"
printf '{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}\n' > "$ODD"
check_c oddname "$ODD"
if "$ASLC" build "$ODD" -o "$WORK/oddname" 2> "$WORK/build3.err"; then
    out=$("$WORK/oddname" --input-json '[1,"x"]') || fail "oddname: run failed"
    [ "$out" = '[1,"x"]' ] || fail "oddname: output $out"
else
    fail "oddname: aslc build failed"; cat "$WORK/build3.err" >&2
fi

[ ! -e "$MARK" ] || fail "a payload inside a string ran: $MARK exists"

if [ "$fails" -ne 0 ]; then
    echo "test_hostile: $fails failure(s)" >&2
    exit 1
fi
echo "test_hostile: all checks passed"
