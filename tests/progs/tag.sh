#!/bin/sh
# Answers {"by": "$1", "input": INPUT}: shows which binding ran and what it got.
printf '{"by": "%s", "input": %s}\n' "$1" "$(cat)"
