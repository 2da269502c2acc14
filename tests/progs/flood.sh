#!/bin/sh
# flood.sh: stdout that never ends.
cat >/dev/null
exec yes '"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",'
