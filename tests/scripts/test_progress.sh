#!/bin/bash
# Map progress: silent for short Maps and for the first 2 s; then periodic
# info lines (items done, failed, rate, estimate) when stderr is not a
# terminal, one redrawn line when it is (run under `script`, a real pty);
# --progress shows it at any log level, --no-progress never; nested Maps
# leave the line to the outermost.
#
#   test_progress.sh ASLC WORKDIR
set -u
ASLC=$1
WORK=$2
rm -rf "$WORK" && mkdir -p "$WORK" || exit 1
cd "$WORK" || exit 1
fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }

printf '#!/bin/sh\ncat > /dev/null\nsleep 0.1\necho 1\n' > slow.sh
chmod +x slow.sh
python3 - "$WORK" > map.json << 'PY'
import json, sys
task = {"Type": "Task", "Resource": "aslc:exec:" + sys.argv[1] + "/slow.sh", "End": True}
inner = {"Type": "Map", "ItemsPath": "$.sub",
         "ItemProcessor": {"StartAt": "T", "States": {"T": task}}, "End": True}
outer = {"Type": "Map", "MaxConcurrency": 1,
         "ItemProcessor": {"StartAt": "Inner", "States": {"Inner": inner}}, "End": True}
print(json.dumps({"StartAt": "Each", "States": {"Each": outer}}))
PY
"$ASLC" build map.json -o map 2> err.txt || fail "build: $(cat err.txt)"
python3 -c 'import json; print(json.dumps([{"sub": [0]} for _ in range(25)]))' > long.json
echo '[{"sub": [0]}, {"sub": [0]}]' > short.json

./map --progress --input long.json > /dev/null 2> e1.txt || fail "long map: $(cat e1.txt)"
grep -Eq '^info: \[Each\] progress: [0-9]+/25 items, 0 failed, [0-9.]+/s, about [0-9]+ s left$' e1.txt ||
    fail "no periodic progress line: $(cat e1.txt)"
grep -Eq '^info: \[Each\] progress: 25/25 items, 0 failed, [0-9.]+/s, done$' e1.txt || fail "no final line: $(cat e1.txt)"
grep -q '\[Inner\] progress' e1.txt && fail "a nested Map reported: $(cat e1.txt)"
./map --input long.json > /dev/null 2> e2.txt
[ -s e2.txt ] && fail "progress at the default level without a terminal: $(cat e2.txt)"
./map --log-level info --input long.json > /dev/null 2> e3.txt
grep -q 'progress: 25/25 items' e3.txt || fail "no progress at --log-level info: $(cat e3.txt)"
./map --log-level info --no-progress --input long.json > /dev/null 2> e4.txt
grep -q 'progress' e4.txt && fail "--no-progress still reported: $(cat e4.txt)"
./map --progress --input short.json > /dev/null 2> e5.txt
grep -q 'progress' e5.txt && fail "a short Map reported progress: $(cat e5.txt)"

# On a terminal: one line, redrawn with \r, ended by a single newline.
script -qec "./map --input long.json > /dev/null" /dev/null > tty.txt 2>&1 || fail "map under script: $(cat tty.txt)"
python3 - tty.txt << 'PY' || fail "terminal progress: $(od -c tty.txt | head -20)"
import sys
t = open(sys.argv[1], "rb").read().decode()
assert t.count("\r\x1b[Kprogress: [Each] ") >= 2, repr(t)
assert "25/25 items, 0 failed, " in t and t.rstrip("\r\n").endswith(", done"), repr(t)
assert t.count("\n") == 1, repr(t)
PY
script -qec "./map --no-progress --input long.json > /dev/null" /dev/null > tty2.txt 2>&1
[ -s tty2.txt ] && fail "--no-progress on a terminal: $(cat tty2.txt)"

if [ "$fails" -gt 0 ]; then
    echo "$fails failed"
    exit 1
fi
echo "test_progress: all passed"
