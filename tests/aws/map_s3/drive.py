"""drive.py - a distributed Map's ItemReader and ResultWriter against S3
(s3rver on 127.0.0.1), for tests/scripts/test_map_s3.sh.

  /usr/bin/python3 drive.py ASLC WORK SRC ENDPOINT

1. Parity: ItemReader cases of tests/cases, whose buckets are local
   folders there, run again with those folders uploaded to S3 and no
   --bucket; the output must be the one the case expects.
2. ResultWriter: the manifest and result files read back from S3.
3. listObjectsV2 over more than one page (1001 objects).
4. A missing bucket: States.ItemReaderFailed with S3's error in the cause.
Prints one line per failure; exit 1 when any.
"""
import concurrent.futures
import json
import os
import subprocess
import sys

import boto3
from botocore.config import Config

ASLC, WORK, SRC, ENDPOINT = sys.argv[1:5]
s3 = boto3.client("s3", endpoint_url=ENDPOINT, region_name="us-east-1",
                  aws_access_key_id="S3RVER", aws_secret_access_key="S3RVER",
                  config=Config(s3={"addressing_style": "path"}, max_pool_connections=20))
failures = []

CASES = ["map_reader_jsonl", "map_reader_jsonl_gzip", "map_reader_csv_first_row", "map_reader_csv_given_pipe",
         "map_reader_csv_zstd", "map_reader_json_object", "map_reader_items_pointer", "map_reader_list_objects",
         "map_reader_list_flatten_jsonl", "map_reader_s3_inventory_gzip", "map_reader_athena_manifest"]


def fail(msg):
    failures.append(msg)
    print("FAIL: " + msg, file=sys.stderr)


def fresh_bucket(name):
    try:
        s3.create_bucket(Bucket=name)
    except s3.exceptions.BucketAlreadyOwnedByYou:
        pass
    except s3.exceptions.BucketAlreadyExists:
        pass
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=name):
        for o in page.get("Contents", []):
            s3.delete_object(Bucket=name, Key=o["Key"])


def upload_dir(bucket, root):
    for d, _, files in os.walk(root):
        for f in files:
            path = os.path.join(d, f)
            with open(path, "rb") as fh:
                s3.put_object(Bucket=bucket, Key=os.path.relpath(path, root), Body=fh.read())


def build(defn, name):
    out = os.path.join(WORK, name)
    p = subprocess.run([ASLC, "build", defn, "-o", out], capture_output=True, text=True)
    if p.returncode != 0:
        fail("%s: aslc build: %s" % (name, p.stderr.strip()))
        return None
    return out


def run(binary, name, input_file=None):
    result = os.path.join(WORK, name + ".result.json")
    args = [binary, "--result", result]
    args += ["--input", input_file] if input_file else ["--input-json", "{}"]
    env = dict(os.environ, AWS_ACCESS_KEY_ID="S3RVER", AWS_SECRET_ACCESS_KEY="S3RVER",
               AWS_ENDPOINT_URL_S3=ENDPOINT)
    for k in list(env):
        if k.startswith("ASLC_BUCKET_"):
            del env[k]
    errf = os.path.join(WORK, name + ".err")
    with open(errf, "w") as err:
        subprocess.run(args, stdout=subprocess.DEVNULL, stderr=err, env=env, timeout=300)
    with open(errf, errors="replace") as err:
        text = err.read()
    if "Sanitizer" in text or "runtime error:" in text:
        fail("%s: the sanitizers reported: %s" % (name, text[:2000]))
    try:
        with open(result) as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        fail("%s: no result (%s)" % (name, e))
        return None


# ---- 1. the ItemReader cases, their folders on S3
for case in CASES:
    cdir = os.path.join(SRC, "tests", "cases", case)
    with open(os.path.join(cdir, "args")) as f:
        words = f.read().split()
    binds = [w.split("=", 1) for w in words if w != "--bucket"]
    for bucket, where in binds:
        fresh_bucket(bucket)
        upload_dir(bucket, where.replace("@CASE", cdir))
    binary = build(os.path.join(cdir, "definition.json"), case)
    if not binary:
        continue
    inp = os.path.join(cdir, "input.json")
    got = run(binary, case, inp if os.path.exists(inp) else None)
    with open(os.path.join(cdir, "expected.json")) as f:
        exp = json.load(f)
    if got and (got.get("status") != exp["status"] or got.get("output") != exp.get("output")):
        fail("%s on S3: expected %s, got %s" % (case, json.dumps(exp)[:600], json.dumps(got)[:600]))

# ---- 2. ResultWriter: AWS's layout, written to S3
fresh_bucket("items-in")
fresh_bucket("results-out")
s3.put_object(Bucket="items-in", Key="items.json", Body=b'[{"n": 1}, {"n": 2}, {"n": 3}]')
binary = build(os.path.join(SRC, "tests", "aws", "map_s3", "writer.asl.json"), "writer")
got = run(binary, "writer") if binary else None
if got:
    out = got.get("output") or {}
    det = out.get("ResultWriterDetails", {})
    run_id = out.get("MapRunArn", "").rsplit(":", 1)[-1]
    if got.get("status") != "SUCCEEDED" or det.get("Bucket") != "results-out" or det.get("Key") != "runs/%s/manifest.json" % run_id:
        fail("writer result: %s" % json.dumps(got))
    else:
        man = json.loads(s3.get_object(Bucket="results-out", Key=det["Key"])["Body"].read())
        if man.get("DestinationBucket") != "results-out" or man.get("MapRunArn") != out["MapRunArn"]:
            fail("writer manifest: %s" % json.dumps(man))
        files = man.get("ResultFiles", {})
        records = {}
        for status in ("SUCCEEDED", "FAILED"):
            records[status] = []
            for ent in files.get(status, []):
                o = s3.get_object(Bucket="results-out", Key=ent["Key"])
                body = o["Body"].read()
                if ent.get("Size") != len(body):
                    fail("writer %s: manifest Size %s, object %d bytes" % (ent["Key"], ent.get("Size"), len(body)))
                if o.get("ContentType") != "application/json":
                    fail("writer %s: ContentType %s" % (ent["Key"], o.get("ContentType")))
                records[status] += json.loads(body)
        ok = sorted(json.loads(r["Output"])["double"] for r in records["SUCCEEDED"])
        bad = records["FAILED"]
        if ok != [2, 6] or any(r["Status"] != "SUCCEEDED" for r in records["SUCCEEDED"]):
            fail("writer SUCCEEDED records: %s" % json.dumps(records["SUCCEEDED"])[:800])
        if len(bad) != 1 or bad[0].get("Status") != "FAILED" or json.loads(bad[0]["Input"]) != {"n": 2}:
            fail("writer FAILED records: %s" % json.dumps(bad)[:800])
        if files.get("PENDING") != []:
            fail("writer PENDING: %s" % files.get("PENDING"))

# ---- 3. more objects than one ListObjectsV2 page
fresh_bucket("many")
keys = ["k/%04d" % i for i in range(1001)]
with concurrent.futures.ThreadPoolExecutor(16) as pool:
    list(pool.map(lambda k: s3.put_object(Bucket="many", Key=k, Body=k.encode()), keys))
s3.put_object(Bucket="many", Key="other", Body=b"x")
binary = build(os.path.join(SRC, "tests", "aws", "map_s3", "paged.asl.json"), "paged")
got = run(binary, "paged") if binary else None
if got:
    items = got.get("output") or []
    if got.get("status") != "SUCCEEDED" or [i.get("key") for i in items] != keys:
        fail("paged: %d items, status %s, first %s" % (len(items), got.get("status"), json.dumps(items[:2])))
    elif any(i["size"] != 6 or not (i["etag"].startswith('"') and i["etag"].endswith('"'))
             or not isinstance(i["at"], int) for i in items):
        fail("paged summaries: %s" % json.dumps(items[:3]))
    else:
        head = s3.head_object(Bucket="many", Key=keys[0])
        if items[0]["etag"] != head["ETag"] or items[0]["at"] != int(head["LastModified"].timestamp()):
            fail("paged summary of %s: %s, S3 says %s %s" % (keys[0], items[0], head["ETag"], head["LastModified"]))

# ---- 4. S3's own error
binary = build(os.path.join(SRC, "tests", "aws", "map_s3", "nobucket.asl.json"), "nobucket")
got = run(binary, "nobucket") if binary else None
# (s3rver's message has no full stop and it sends no request id)
cause = got.get("cause", "") if got else ""
if got and (got.get("error") != "States.ItemReaderFailed" or not cause.startswith(
        "S3.NoSuchBucketException: The specified bucket does not exist") or
        "(Service: S3, Status Code: 404, Request ID: " not in cause):
    fail("nobucket: %s" % json.dumps(got))

sys.exit(1 if failures else 0)
