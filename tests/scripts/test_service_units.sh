#!/bin/bash
# examples/systemd/ and examples/cron/: the unit files pass
# `systemd-analyze verify` with the workflow built where they expect it; the
# service's ExecStart line runs the workflow (stderr as the journal: priority
# prefixes); the crontab line runs it from $HOME with a minimal environment,
# and its flock skips a run while another holds the lock.
#
#   test_service_units.sh ASLC WORKDIR      (ASLC_SOURCE_DIR in the environment)
set -u
ASLC=$1
WORK=$2
SRC=${ASLC_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
rm -rf "$WORK" && mkdir -p "$WORK/units" "$WORK/home" "$WORK/state" "$WORK/etc" || exit 1
cd "$WORK" || exit 1
fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }

BIN=$WORK/bin/invoice-reminder
mkdir -p "$WORK/bin"
"$ASLC" build "$SRC/examples/invoice-reminder.asl.json" -o "$BIN" 2> err.txt || fail "build: $(cat err.txt)"
cp "$SRC/examples/invoice-reminder.input.json" "$WORK/etc/input.json"

# ---- systemd: the units as shipped, with the install paths pointing here
for u in invoice-reminder.service invoice-reminder.timer; do
    sed -e "s|/usr/local/bin/invoice-reminder|$BIN|g" -e "s|/etc/invoice-reminder/|$WORK/etc/|g" \
        "$SRC/examples/systemd/$u" > "units/$u"
done
if command -v systemd-analyze > /dev/null; then
    systemd-analyze verify --man=no units/invoice-reminder.service units/invoice-reminder.timer > verify.txt 2>&1 ||
        fail "systemd-analyze verify: $(cat verify.txt)"
    [ -s verify.txt ] && fail "systemd-analyze verify warned: $(cat verify.txt)"
else
    fail "systemd-analyze is missing (Debian package systemd)"
fi
grep -q '^Type=oneshot$' units/invoice-reminder.service || fail "the service is not a oneshot"
grep -q '^OnCalendar=' units/invoice-reminder.timer || fail "the timer has no OnCalendar"
# The ExecStart line as systemd would run it: STATE_DIRECTORY set, stderr the journal.
cmd=$(sed -n 's/^ExecStart=//p' units/invoice-reminder.service | sed "s|\${STATE_DIRECTORY}|$WORK/state|g")
: > journal.txt
# shellcheck disable=SC2086  # ExecStart is words
env -i PATH=/usr/bin:/bin JOURNAL_STREAM="$(stat -c '%d:%i' journal.txt)" $cmd > stdout.txt 2>> journal.txt
rc=$?
[ "$rc" = 0 ] || fail "ExecStart exited $rc: $(cat journal.txt)"
[ -s "$WORK/state/result.json" ] || fail "ExecStart wrote no result"
python3 -c 'import json, sys; assert json.load(open(sys.argv[1]))["events"]' "$WORK/state/history.json" ||
    fail "ExecStart wrote no history"
grep -q '^<6>info: execution .* of invoice-reminder started$' journal.txt || fail "journal start line: $(cat journal.txt)"
grep -q '^<6>info: execution .* of invoice-reminder SUCCEEDED in ' journal.txt || fail "journal end line: $(cat journal.txt)"

# ---- cron: the line as shipped, paths pointing here
line=$(grep -v '^#' "$SRC/examples/cron/invoice-reminder.cron" | grep -v '^[[:space:]]*$')
[ "$(printf '%s\n' "$line" | wc -l)" = 1 ] || fail "the crontab should hold one job: $line"
read -r m h dom mon dow rest <<< "$line"
[ -n "$rest" ] || fail "crontab line without a command: $line"
printf '%s %s %s %s %s\n' "$m" "$h" "$dom" "$mon" "$dow" | grep -Eq '^[0-9*/,-]+ [0-9*/,-]+ [0-9*/,-]+ [0-9*/,-]+ [0-9*/,-]+$' ||
    fail "crontab times: $m $h $dom $mon $dow"
cron_cmd=$(printf '%s' "$rest" | sed -e "s|/usr/local/bin/invoice-reminder|$BIN|g" -e "s|/etc/invoice-reminder/|$WORK/etc/|g" \
    -e "s|/tmp/invoice-reminder.lock|$WORK/cron.lock|g" -e "s|/var/tmp/|$WORK/|g")
case "$cron_cmd" in flock\ -n\ *) ;; *) fail "the cron job does not start with flock -n: $cron_cmd" ;; esac
# cron runs the line with /bin/sh from $HOME with a small environment.
env -i HOME="$WORK/home" PATH=/usr/bin:/bin SHELL=/bin/sh /bin/sh -c "cd && $cron_cmd"
rc=$?
[ "$rc" = 0 ] || fail "the cron job exited $rc: $(cat "$WORK/invoice-reminder.log" 2> /dev/null)"
[ -s "$WORK/invoice-reminder.result.json" ] || fail "the cron job wrote no result"
grep -q 'SUCCEEDED' "$WORK/invoice-reminder.log" || fail "the cron log has no end line: $(cat "$WORK/invoice-reminder.log")"
# Overlap: while another run holds the lock, the job is skipped (flock exits 1, nothing runs).
rm -f "$WORK/invoice-reminder.result.json"
flock "$WORK/cron.lock" sleep 3 &
holder=$!
sleep 0.5
env -i HOME="$WORK/home" PATH=/usr/bin:/bin /bin/sh -c "cd && $cron_cmd"
rc=$?
wait "$holder"
[ "$rc" = 1 ] || fail "an overlapping cron run should be skipped with exit 1, got $rc"
[ -e "$WORK/invoice-reminder.result.json" ] && fail "an overlapping cron run ran the workflow"

if [ "$fails" -gt 0 ]; then
    echo "$fails failed"
    exit 1
fi
echo "test_service_units: all passed"
