#!/bin/sh
# Sends a heartbeat every $2 seconds, $1 times, then answers {"beats": $1}.
# With $3 = hang: stops beating instead of answering and hangs, leaving a
# child whose pid is written to $4.
i=0
while [ $i -lt "$1" ]; do
    echo 'aslc:heartbeat' >&2
    sleep "$2"
    i=$((i + 1))
done
if [ "${3:-}" = hang ]; then
    sleep 30 &
    echo $! > "$4"
    wait
fi
echo '{"beats": '"$1"'}'
