#!/bin/bash
# Request parity with the AWS CLI v2 for every wire protocol (tests/aws/parity.py).
#   test_aws_parity.sh ASLC WORKDIR
SRC=${ASLC_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
exec python3 "$SRC/tests/aws/parity.py" "$1" "$2"
