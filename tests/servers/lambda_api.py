#!/usr/bin/env python3
"""A Lambda Invoke API endpoint on 127.0.0.1 for tests, verifying SigV4.

Prints its port on the first stdout line.  Known credentials:
  AKIDTESTLAMBDA / testsecretkey               (long-term)
  ASIATESTSESSION / sessionsecret + token TOKEN-123  (session: token required)
A request whose signature does not verify gets 403 InvalidSignatureException.

Functions (the last path element of FunctionName decides):
  echo     returns the request body; headers as Lambda sends them
  ctx      returns what it saw: invocation type, log type, client context, qualifier
  fail     function error (Python-style payload with errorType)
  crash    function error without errorType
  nojson   returns text that is not JSON
  big      returns a 300000-byte JSON string
  throttle 429 TooManyRequestsException
  broken   500 ServiceException
  slow     sleeps 5 s, then echoes
  other    404 ResourceNotFoundException
GET /creds: container credentials (Authorization must be "Bearer CONTAINER-TOKEN").
GET /count: number of verified invocations so far.
"""
import hashlib
import hmac
import json
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CREDS = {"AKIDTESTLAMBDA": ("testsecretkey", None),
         "ASIATESTSESSION": ("sessionsecret", "TOKEN-123")}
UNRESERVED = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~"
COUNT = [0]
LOCK = threading.Lock()


def enc(s, safe=""):
    return urllib.parse.quote(s, safe=UNRESERVED + safe)


def hmac256(key, msg):
    return hmac.new(key, msg.encode(), hashlib.sha256).digest()


def verify(method, raw_path, headers, body):
    """AWS SigV4 (non-S3): canonical URI = the wire path URI-encoded again."""
    auth = headers.get("Authorization", "")
    if not auth.startswith("AWS4-HMAC-SHA256 "):
        return "missing Authorization"
    parts = dict(p.strip().split("=", 1) for p in auth[len("AWS4-HMAC-SHA256 "):].split(","))
    akid, date, region, service, term = parts["Credential"].split("/")
    if akid not in CREDS:
        return "unknown key"
    secret, token = CREDS[akid]
    if service != "lambda" or term != "aws4_request":
        return "bad scope"
    signed = parts["SignedHeaders"].split(";")
    if "host" not in signed or "x-amz-date" not in signed:
        return "host/x-amz-date not signed"
    if token is not None:
        if headers.get("X-Amz-Security-Token") != token or "x-amz-security-token" not in signed:
            return "session token missing or unsigned"
    amz_date = headers.get("X-Amz-Date", "")
    if not amz_date.startswith(date):
        return "date mismatch"
    path, _, query = raw_path.partition("?")
    canon_uri = enc(path, "/")
    pairs = []
    for kv in query.split("&") if query else []:
        k, _, v = kv.partition("=")
        pairs.append((enc(urllib.parse.unquote(k)), enc(urllib.parse.unquote(v))))
    canon_query = "&".join("%s=%s" % kv for kv in sorted(pairs))
    canon_headers = "".join("%s:%s\n" % (h, " ".join(headers.get(h, "").split()))
                            for h in signed)
    canon = "\n".join([method, canon_uri, canon_query, canon_headers, ";".join(signed),
                       hashlib.sha256(body).hexdigest()])
    scope = "/".join([date, region, service, term])
    sts = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope,
                     hashlib.sha256(canon.encode()).hexdigest()])
    k = hmac256(("AWS4" + secret).encode(), date)
    k = hmac256(k, region)
    k = hmac256(k, service)
    k = hmac256(k, term)
    want = hmac.new(k, sts.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(want, parts["Signature"]):
        return "signature mismatch"
    return None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def reply(self, status, body, headers=()):
        if isinstance(body, str):
            body = body.encode()
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def api_error(self, status, code, message):
        self.reply(status, json.dumps({"Type": "User", "message": message}),
                   [("Content-Type", "application/json"), ("x-amzn-ErrorType", code + ":"),
                    ("x-amzn-RequestId", "req-err-1")])

    def do_GET(self):
        if self.path == "/creds":
            if self.headers.get("Authorization") != "Bearer CONTAINER-TOKEN":
                return self.reply(401, "{}")
            return self.reply(200, json.dumps({"AccessKeyId": "ASIATESTSESSION",
                                               "SecretAccessKey": "sessionsecret",
                                               "Token": "TOKEN-123",
                                               "Expiration": "2099-01-01T00:00:00Z"}),
                              [("Content-Type", "application/json")])
        if self.path == "/count":
            return self.reply(200, str(COUNT[0]))
        self.reply(404, "{}")

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n)
        why = verify("POST", self.path, self.headers, body)
        if why:
            sys.stderr.write("lambda_api: rejected: %s\n" % why)
            return self.reply(403, json.dumps({"message": "The request signature we calculated "
                                               "does not match the signature you provided."}),
                              [("Content-Type", "application/json"),
                               ("x-amzn-ErrorType", "InvalidSignatureException"),
                               ("x-amzn-RequestId", "req-403")])
        with LOCK:
            COUNT[0] += 1
        path, _, query = self.path.partition("?")
        seg = path.split("/")
        if len(seg) != 5 or seg[1:3] != ["2015-03-31", "functions"] or seg[4] != "invocations":
            return self.api_error(404, "UnknownOperationException", "Unknown operation")
        fname = urllib.parse.unquote(seg[3])
        qs = urllib.parse.parse_qs(query)
        qualifier = qs.get("Qualifier", [None])[0]
        short = fname.split(":function:")[-1].split(":")[0] if ":" in fname else fname
        itype = self.headers.get("X-Amz-Invocation-Type", "RequestResponse")
        std = [("Content-Type", "application/json"), ("X-Amz-Executed-Version", qualifier or "$LATEST"),
               ("x-amzn-RequestId", "req-%d" % COUNT[0]),
               ("X-Amzn-Trace-Id", "root=1-abc;sampled=0"),
               ("x-amzn-Remapped-Content-Length", "0")]
        if itype == "Event":
            return self.reply(202, "", [("x-amzn-RequestId", "req-ev")])
        if itype == "DryRun":
            return self.reply(204, "", [("x-amzn-RequestId", "req-dry")])
        if self.headers.get("X-Amz-Log-Type") == "Tail":
            std.append(("X-Amz-Log-Result", "U1RBUlQgUmVxdWVzdElk"))
        if short == "echo":
            return self.reply(200, body, std)
        if short == "ctx":
            return self.reply(200, json.dumps({
                "function": fname, "qualifier": qualifier, "invocation_type": itype,
                "log_type": self.headers.get("X-Amz-Log-Type"),
                "client_context": self.headers.get("X-Amz-Client-Context"),
                "content_type": self.headers.get("Content-Type"),
                "body": body.decode("utf-8", "replace")}), std)
        if short == "fail":
            err = {"errorMessage": "Some exception was raised.", "errorType": "Exception",
                   "requestId": "rid-1",
                   "stackTrace": ["  File \"/var/task/handler.py\", line 2, in handler\n"
                                  "    raise Exception(\"Some exception was raised.\")\n"]}
            return self.reply(200, json.dumps(err),
                              std + [("X-Amz-Function-Error", "Unhandled")])
        if short == "crash":
            return self.reply(200, '{"errorMessage":"2024-01-01 Task timed out after 3.00 seconds"}',
                              std + [("X-Amz-Function-Error", "Unhandled")])
        if short == "nojson":
            return self.reply(200, "plain words", std)
        if short == "big":
            return self.reply(200, json.dumps("x" * 300000), std)
        if short == "throttle":
            return self.api_error(429, "TooManyRequestsException", "Rate Exceeded.")
        if short == "broken":
            return self.api_error(500, "ServiceException", "Lambda was unable to run the function.")
        if short == "slow":
            time.sleep(5)
            return self.reply(200, body, std)
        return self.api_error(404, "ResourceNotFoundException",
                              "Function not found: arn:aws:lambda:us-east-1:123456789012:function:%s:%s"
                              % (short, qualifier or "$LATEST"))


class Server(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        pass    # clients that time out or cancel reset the connection: expected


def main():
    srv = Server(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    print(srv.server_address[1], flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    main()
