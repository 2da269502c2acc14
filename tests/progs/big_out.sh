#!/bin/sh
# Answers with a JSON string of $1 bytes (plus quotes).
printf '"'
head -c "$1" /dev/zero | tr '\0' 'a'
printf '"\n'
