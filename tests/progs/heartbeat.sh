#!/bin/sh
# Sends $1 heartbeats 0.1 s apart, then answers; after that, with $2 = stop,
# stops sending them and hangs instead.
i=0
while [ $i -lt "$1" ]; do
    echo 'aslc:heartbeat' >&2
    sleep 0.1
    i=$((i + 1))
done
if [ "$2" = stop ]; then
    sleep 30
fi
echo '{"beats": '"$1"'}'
