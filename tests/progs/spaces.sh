#!/bin/sh
# spaces.sh N: N MiB of white space, then {"ok":true}: a result whose text is
# large but whose value is small.
cat >/dev/null
head -c $(($1 * 1048576)) /dev/zero | tr '\0' ' '
echo '{"ok": true}'
