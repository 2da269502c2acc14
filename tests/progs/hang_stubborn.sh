#!/bin/sh
# Ignores SIGTERM (and so does its child), records the child's pid in $1.
trap '' TERM
sleep 30 &
echo $! > "$1"
sleep 30
