#!/bin/sh
# Starts a child that would outlive us, records its pid in $1, then hangs.
sleep 30 &
echo $! > "$1"
sleep 30
