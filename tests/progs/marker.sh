#!/bin/sh
# Creates the file $1 (proof that this state ran) and answers with its input.
: > "$1"
exec cat
