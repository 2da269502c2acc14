#!/bin/sh
# Fails after writing much more than 1 KB to stderr.
i=0
while [ $i -lt 200 ]; do
    echo "noise line $i ............................................" >&2
    i=$((i + 1))
done
echo 'the real reason' >&2
exit 1
