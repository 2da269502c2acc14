#!/bin/sh
# sleeper.sh MARK: a task that never ends on its own and has a child of its
# own; both carry MARK in their command lines so a test can look for them.
cat >/dev/null
sleep "$1" &
sleep "$1"
