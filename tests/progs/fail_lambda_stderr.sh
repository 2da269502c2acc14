#!/bin/sh
# Fails with the error object as the last line of stderr.
echo 'working...' >&2
echo '{"errorMessage":"bad input","errorType":"ValidationError"}' >&2
exit 2
