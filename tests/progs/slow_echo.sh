#!/bin/sh
# slow_echo.sh SECONDS MARK: answers with its input after SECONDS; MARK only
# names the process, so a test can look for leftovers.
sleep "$1"
cat
