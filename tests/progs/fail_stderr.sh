#!/bin/sh
# Fails with only text on stderr.
echo 'line one' >&2
echo 'disk is full' >&2
exit 3
