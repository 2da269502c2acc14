#!/bin/sh
# Fails the way a Lambda function does: an error object on stdout.
cat >/dev/null
echo 'some progress' >&2
echo '{"errorType": "CustomError", "errorMessage": "it broke"}'
exit 1
