#!/bin/sh
# Succeeds at once but leaves a background child (pid in $1) holding stdout.
sleep 30 &
echo $! > "$1"
echo '"done"'
