#!/bin/sh
# Scripted outcomes, one per attempt, for Retry/Catch tests.
#   seq.sh [OUTCOME...]     (no arguments: the words of $SEQ_OUTCOMES)
# State lives in $SEQ_DIR: the attempt counter `n`, and `log` with one line
# per attempt: "N NANOSECONDS INPUT".  Attempt N (from 1) takes the N-th
# outcome; past the end, the last one repeats.  Outcomes:
#   ok      answer {"attempt": N, "input": INPUT}
#   crash   die of SIGSEGV
#   NAME    fail like a Lambda function: {"errorType": NAME, ...} on stdout, exit 1
[ $# -gt 0 ] || set -- ${SEQ_OUTCOMES:-ok}
dir=${SEQ_DIR:?SEQ_DIR must name a directory}
input=$(cat)
n=$(cat "$dir/n" 2>/dev/null || echo 0)
n=$((n + 1))
echo "$n" > "$dir/n"
printf '%s %s %s\n' "$n" "$(date +%s%N)" "$input" >> "$dir/log"
i=1
out=
for o in "$@"; do
    [ "$i" -eq "$n" ] && out=$o
    last=$o
    i=$((i + 1))
done
[ -n "$out" ] || out=$last
case $out in
ok) printf '{"attempt": %s, "input": %s}\n' "$n" "$input" ;;
crash) kill -SEGV $$ ;;
*) printf '{"errorType":"%s","errorMessage":"attempt %s"}\n' "$out" "$n"; exit 1 ;;
esac
