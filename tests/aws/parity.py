#!/usr/bin/env python3
"""parity.py - request parity between compiled workflows and the AWS CLI v2.

For every case of parity.json, a capture server on 127.0.0.1
(tests/servers/aws_capture.py) records the request that `aws SERVICE OP`
(Debian's AWS CLI v2, /usr/bin/aws) makes and the one a workflow compiled
by aslc makes for the same Task, both against the same endpoint and with
the CLI's own service models (--aws-models: awscli's botocore copy).  The
two must agree on method, path, query, X-Amz-Target and body (JSON bodies
as JSON values, form bodies as sorted pairs), and both signatures must
verify when rebuilt from what the server received.  The workflow's result
must also parse (each case answers with a response in its protocol).

    parity.py ASLC WORKDIR
"""
import json
import os
import subprocess
import sys
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.dirname(os.path.dirname(HERE))
CLI = "/usr/bin/aws"
MODELS = "/usr/lib/python3/dist-packages/awscli/botocore/data"


def canon(rec):
    h = rec["headers"]
    body = rec["body"]
    ct = h.get("content-type", "")
    if "x-www-form-urlencoded" in ct:
        body = sorted(urllib.parse.parse_qsl(body, keep_blank_values=True))
    elif "json" in ct and body:
        body = json.loads(body)
    query = sorted(urllib.parse.parse_qsl(rec["query"], keep_blank_values=True))
    signed = {}
    for k in ("content-type", "x-amz-target", "content-md5"):
        if k in h:
            signed[k] = h[k].split(";")[0].strip() if k == "content-type" else h[k]
    meta = {k: v for k, v in h.items() if k.startswith("x-amz-meta-")}
    return {"method": rec["method"], "path": rec["path"], "query": query, "body": body,
            "headers": signed, "meta": meta}


def main():
    aslc, work = sys.argv[1], sys.argv[2]
    if not os.access(CLI, os.X_OK) or not os.path.isdir(MODELS):
        print("parity: Debian's awscli (/usr/bin/aws and its models) is not installed", file=sys.stderr)
        return 77
    os.makedirs(work, exist_ok=True)
    env = dict(os.environ, AWS_ACCESS_KEY_ID="AKIDPARITY", AWS_SECRET_ACCESS_KEY="parity-secret",
               AWS_REGION="us-east-1", AWS_DEFAULT_REGION="us-east-1", AWS_PAGER="", AWS_MAX_ATTEMPTS="1",
               AWS_CONFIG_FILE="/dev/null", AWS_SHARED_CREDENTIALS_FILE="/dev/null", ASLC_AWS_MODELS=MODELS,
               HOME=work)
    env.pop("AWS_PROFILE", None)
    env.pop("AWS_SESSION_TOKEN", None)
    portfile, log = os.path.join(work, "port"), os.path.join(work, "requests.jsonl")
    for f in (portfile, log):
        if os.path.exists(f):
            os.unlink(f)
    srv = subprocess.Popen([sys.executable, os.path.join(SRC, "tests/servers/aws_capture.py"), portfile, log,
                            os.path.join(HERE, "responses.json")], env=env)
    fails = 0
    try:
        for _ in range(100):
            if os.path.exists(portfile):
                break
            time.sleep(0.05)
        url = "http://127.0.0.1:" + open(portfile).read()
        env["AWS_ENDPOINT_URL"] = url
        cases = json.load(open(os.path.join(HERE, "parity.json")))
        for i, c in enumerate(cases):
            d = {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": c["resource"],
                                                  "Parameters": c["parameters"], "End": True}}}
            dp = os.path.join(work, "case%d.json" % i)
            json.dump(d, open(dp, "w"))
            binp = os.path.join(work, "case%d" % i)
            subprocess.run([aslc, "build", dp, "-o", binp], env=env, check=True)
            before = sum(1 for _ in open(log)) if os.path.exists(log) else 0
            r = subprocess.run([binp, "--input-json", "{}"], env=env, capture_output=True, text=True, timeout=60)
            if r.returncode != 0:
                print("FAIL %s: the workflow failed: %s" % (c["name"], r.stderr.strip()), file=sys.stderr)
                fails += 1
            result = r.stdout.strip()
            args = []
            for a in c["cli"]:
                if isinstance(a, dict):
                    a = json.dumps(a)
                if a == "@BODY":
                    bp = os.path.join(work, "body%d" % i)
                    open(bp, "w").write(c["body"])
                    a = bp
                args.append(a)
            subprocess.run([CLI, "--endpoint-url", url] + args, env=env, capture_output=True, timeout=60)
            recs = [json.loads(l) for l in open(log)][before:]
            if len(recs) < 2:
                print("FAIL %s: %d requests recorded" % (c["name"], len(recs)), file=sys.stderr)
                fails += 1
                continue
            ours, cli = recs[0], recs[1]
            for who, rec in (("aslc", ours), ("aws cli", cli)):
                if not rec["sig_ok"]:
                    print("FAIL %s: the %s signature does not verify:\n%s" % (c["name"], who, rec.get("sig_detail")),
                          file=sys.stderr)
                    fails += 1
            a, b = canon(ours), canon(cli)
            if a != b:
                print("FAIL %s:\n  aslc    %s\n  aws cli %s" % (c["name"], json.dumps(a), json.dumps(b)),
                      file=sys.stderr)
                fails += 1
            else:
                print("ok   %s -> %s" % (c["name"], result))
    finally:
        srv.terminate()
        srv.wait()
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
