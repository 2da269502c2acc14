#!/bin/bash
# AWS API Tasks against real implementations started here on 127.0.0.1:
# DynamoDB (dynalite) and S3 (s3rver), from tests/peers/node_modules (the
# README's set-up, tools/bootstrap.sh, installs them).  Covers the aws-sdk
# and optimized forms, results, and the error names mapped from the
# services' own error answers.
#
#   test_aws_peers.sh ASLC WORKDIR      (ASLC_SOURCE_DIR in the environment)
. "$(dirname "$0")/lib.sh" "$@"
. "$SRC/tests/scripts/peers_lib.sh"
peers_need dynalite s3rver

# ---- DynamoDB
start_peer dynalite dynalite
"$ASLC" build "$SRC/tests/aws/peers/dynamodb.asl.json" -o "$WORK/ddb" || exit 1
AWS_ACCESS_KEY_ID=AKIDTEST AWS_SECRET_ACCESS_KEY=test-secret AWS_ENDPOINT_URL_DYNAMODB=http://127.0.0.1:$PORT \
    "$WORK/ddb" --input-json '{"id":"o-1"}' --result "$WORK/ddb.result" > /dev/null 2> "$WORK/ddb.err"
check dynamodb "$WORK/ddb.result" 'r["status"] == "SUCCEEDED"'
o='r["output"]'
check ddb-create "$WORK/ddb.result" "$o[\"created\"][\"Name\"] == \"orders\""
check ddb-put-envelope "$WORK/ddb.result" "$o[\"put\"] == {\"Status\": 200}"
check ddb-get "$WORK/ddb.result" "$o[\"got\"][\"Item\"] == {\"id\": {\"S\": \"o-1\"}, \"qty\": {\"N\": \"5\"}, \"tags\": {\"SS\": [\"a\", \"b\"]}}"
check ddb-update "$WORK/ddb.result" "$o[\"updated\"] == {\"Attributes\": {\"qty\": {\"N\": \"7\"}}}"
check ddb-conditional "$WORK/ddb.result" "$o[\"conditional\"][\"Error\"] == \"DynamoDB.ConditionalCheckFailedException\" and
    $o[\"conditional\"][\"Cause\"].startswith(\"The conditional request failed (Service: AmazonDynamoDBv2; Status Code: 400; Error Code: ConditionalCheckFailedException; Request ID: \")"
check ddb-sdk-get "$WORK/ddb.result" "$o[\"sdkget\"] == {\"Item\": {\"qty\": {\"N\": \"7\"}}}"
check ddb-sdk-missing "$WORK/ddb.result" "$o[\"missing\"][\"Error\"] == \"DynamoDb.ResourceNotFoundException\" and
    $o[\"missing\"][\"Cause\"].startswith(\"Requested resource not found (Service: DynamoDb, Status Code: 400, Request ID: \")"
check ddb-delete "$WORK/ddb.result" "$o[\"deleted\"][\"Attributes\"][\"qty\"] == {\"N\": \"7\"}"

# ---- S3 (s3rver accepts only its own fixed key pair)
mkdir -p "$WORK/s3data"
start_peer s3rver s3rver "$WORK/s3data"
"$ASLC" build "$SRC/tests/aws/peers/s3.asl.json" -o "$WORK/s3" || exit 1
AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER AWS_ENDPOINT_URL_S3=http://127.0.0.1:$PORT \
    "$WORK/s3" --input-json '{"doc":{"Dict":"Value"}}' --result "$WORK/s3.result" > /dev/null 2> "$WORK/s3.err"
check s3 "$WORK/s3.result" 'r["status"] == "SUCCEEDED"'
# AWS stores a string Body as its JSON text, quotes included: the ETag AWS
# recorded for "text data" is the MD5 of the 11 bytes "text data" in quotes.
check s3-put-etag "$WORK/s3.result" "$o[\"put\"][\"ETag\"] == '\"49e31cee5aec8faf3345893addb14346\"'"
check s3-get "$WORK/s3.result" "$o[\"got\"] == {\"Body\": '{\"Dict\":\"Value\"}', \"ContentType\": \"application/json\", \"Metadata\": {\"origin\": \"aslc\"}, \"ContentLength\": 16}"
check s3-get-text "$WORK/s3.result" "$o[\"text\"] == {\"Body\": '\"text data\"'}"
[ "$(md5sum < "$WORK/s3data/media/in/note.txt._S3rver_object" | cut -c1-32)" = 2b5df3712557f503a9977a8ea893b2c9 ] ||
    fail "s3: the stored text object is not AWS's bytes"
check s3-list "$WORK/s3.result" "$o[\"list\"] == {\"Keys\": [\"in/note.txt\", \"in/order 1.json\"], \"KeyCount\": 2}"
check s3-nokey "$WORK/s3.result" "$o[\"missing\"][\"Error\"] == \"S3.NoSuchKeyException\" and
    $o[\"missing\"][\"Cause\"].startswith(\"The specified key does not exist. (Service: S3, Status Code: 404, Request ID: \")"
check s3-nobucket "$WORK/s3.result" "$o[\"nobucket\"][\"Error\"] == \"S3.NoSuchBucketException\""

# ---- a refused connection: the SDK's client error, no result
AWS_ACCESS_KEY_ID=AKIDTEST AWS_SECRET_ACCESS_KEY=test-secret AWS_ENDPOINT_URL_DYNAMODB=http://127.0.0.1:9 \
    "$WORK/ddb" --input-json '{"id":"o-1"}' --result "$WORK/down.result" > /dev/null 2>&1
check refused "$WORK/down.result" 'r["status"] == "FAILED" and r["error"] == "DynamoDb.SdkClientException" and
    r["cause"].startswith("Unable to execute HTTP request: ")'

peers_done test_aws_peers
