#!/bin/bash
# A distributed Map's ItemReader (listObjectsV2; getObject for JSON, JSON
# Lines, CSV, S3 inventory and Athena manifests) and ResultWriter
# (PutObject of the manifest and the result files) on real S3: s3rver,
# started here on 127.0.0.1.  The ItemReader cases of tests/cases run again
# with their folders uploaded to S3; the driver is tests/aws/map_s3/drive.py
# (Debian's python3 with boto3).
#
#   test_map_s3.sh ASLC WORKDIR      (ASLC_SOURCE_DIR in the environment)
. "$(dirname "$0")/lib.sh" "$@"
. "$SRC/tests/scripts/peers_lib.sh"
peers_need s3rver
/usr/bin/python3 -c 'import boto3' 2>/dev/null ||
    { echo "SKIP: needs Debian's python3-boto3 (tools/bootstrap.sh installs it)" >&2; exit 77; }
mkdir -p "$WORK/s3data"
start_peer s3rver s3rver "$WORK/s3data"
/usr/bin/python3 "$SRC/tests/aws/map_s3/drive.py" "$ASLC" "$WORK" "$SRC" "http://127.0.0.1:$PORT" ||
    fail "the S3 Map driver"
peers_done test_map_s3
