#!/bin/sh
# Writes two stderr lines (one heartbeat) and a last line without a newline.
echo 'hello from stderr' >&2
echo 'aslc:heartbeat' >&2
printf 'no newline at end' >&2
echo 42
