"""Test helpers for `BINARY serve`: a boto3 client for an endpoint, and raw
awsJson1_0 calls signed with botocore's own SigV4 signer (for the operations
Debian's older botocore model does not list, and for hand-made requests).

Run by Debian's /usr/bin/python3 (its python3-boto3 package)."""
import datetime
import time
import json
import urllib.error
import urllib.request

import boto3
import botocore.auth
import botocore.awsrequest
import botocore.config
import botocore.credentials

REGION = "us-east-1"


def client(endpoint, key="AKIDSERVETEST", secret="serve-test-secret", **config):
    """A Step Functions client for the local endpoint.  inject_host_prefix is
    off: StartSyncExecution would otherwise go to sync-127.0.0.1."""
    cfg = botocore.config.Config(inject_host_prefix=False, retries={"max_attempts": 1},
                                 read_timeout=config.pop("read_timeout", 70), **config)
    return boto3.client("stepfunctions", endpoint_url=endpoint, region_name=REGION,
                        aws_access_key_id=key, aws_secret_access_key=secret, config=cfg)


def raw(endpoint, op, body, key="AKIDSERVETEST", secret="serve-test-secret", sign=True,
        when=None, headers=None, data=None):
    """POST one request; returns (status, headers, parsed body or text)."""
    payload = data if data is not None else json.dumps(body).encode()
    hdrs = {"Content-Type": "application/x-amz-json-1.0",
            "X-Amz-Target": "AWSStepFunctions." + op}
    if headers:
        hdrs.update(headers)
    req = botocore.awsrequest.AWSRequest(method="POST", url=endpoint + "/", data=payload, headers=hdrs)
    if sign:
        signer = botocore.auth.SigV4Auth(botocore.credentials.Credentials(key, secret), "states", REGION)
        if when is not None:
            # Sign as if at `when` (a datetime): botocore reads the clock once.
            orig = botocore.auth.datetime.datetime

            class Fixed(orig):
                @classmethod
                def utcnow(cls):
                    return when
            botocore.auth.datetime.datetime = Fixed
            try:
                signer.add_auth(req)
            finally:
                botocore.auth.datetime.datetime = orig
        else:
            signer.add_auth(req)
    prepared = urllib.request.Request(endpoint + "/", data=payload, method="POST",
                                      headers=dict(req.headers.items()))
    try:
        with urllib.request.urlopen(prepared, timeout=70) as resp:
            status, rh, text = resp.status, dict(resp.headers.items()), resp.read().decode()
    except urllib.error.HTTPError as e:
        status, rh, text = e.code, dict(e.headers.items()), e.read().decode()
    try:
        return status, rh, json.loads(text)
    except ValueError:
        return status, rh, text


def err_type(body):
    """The error name as SDKs see it: after the last '#'."""
    return body.get("__type", "").rsplit("#", 1)[-1] if isinstance(body, dict) else None


def utc(minutes_ago):
    return datetime.datetime.utcnow() - datetime.timedelta(minutes=minutes_ago)


def wait_status(endpoint, arn, status, timeout=30):
    """DescribeExecution (raw: every member of the newer model) until the
    execution has `status`; returns the description or raises."""
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        st, h, body = raw(endpoint, "DescribeExecution", {"executionArn": arn})
        last = (st, body)
        if st == 200 and body.get("status") == status:
            return body
        time.sleep(0.1)
    raise AssertionError("%s did not reach %s: %r" % (arn, status, last))
