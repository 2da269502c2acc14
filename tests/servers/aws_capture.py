#!/usr/bin/env python3
"""aws_capture.py - a local stand-in for AWS endpoints used by the tests.

Listens on 127.0.0.1 (a free port, written to PORTFILE), records every
request as one JSON line in LOGFILE: method, path, query, headers, body,
and whether its SigV4 signature verifies when the canonical request is
rebuilt from what was received (the secret comes from
$AWS_SECRET_ACCESS_KEY), as AWS does.  Answers 200 with RESPONSE (a JSON
file mapping "X-Amz-Target or Action or METHOD path" to {status, headers,
body}); unknown requests get 200 and an empty body.

    aws_capture.py PORTFILE LOGFILE [RESPONSES.json]
"""
import hashlib
import hmac
import json
import os
import sys
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def uri_encode(s, keep_slash):
    safe = "-_.~" + ("/" if keep_slash else "")
    return urllib.parse.quote(s, safe=safe)


def verify(method, raw_path, headers, body, secret):
    auth = headers.get("authorization", "")
    if not auth.startswith("AWS4-HMAC-SHA256 "):
        return False, "no SigV4 Authorization"
    parts = dict(p.strip().split("=", 1) for p in auth[len("AWS4-HMAC-SHA256 "):].split(","))
    cred = parts["Credential"].split("/")
    date, region, service = cred[1], cred[2], cred[3]
    signed = parts["SignedHeaders"].split(";")
    path, _, query = raw_path.partition("?")
    for h in signed:
        if h not in headers:
            return False, "signed header %s was not sent" % h
    canon_path = path if service == "s3" else uri_encode(path, True)
    pairs = []
    for item in query.split("&") if query else []:
        k, _, v = item.partition("=")
        pairs.append((uri_encode(urllib.parse.unquote(k), False), uri_encode(urllib.parse.unquote(v), False)))
    pairs.sort()
    cq = "&".join("%s=%s" % p for p in pairs)
    ch = "".join("%s:%s\n" % (h, " ".join(headers[h].split())) for h in signed)
    ph = headers.get("x-amz-content-sha256") or hashlib.sha256(body).hexdigest()
    creq = "\n".join([method, canon_path, cq, ch, ";".join(signed), ph])
    sts = "\n".join(["AWS4-HMAC-SHA256", headers["x-amz-date"], "/".join(cred[1:]),
                     hashlib.sha256(creq.encode()).hexdigest()])
    k = ("AWS4" + secret).encode()
    for p in (date, region, service, "aws4_request"):
        k = hmac.new(k, p.encode(), hashlib.sha256).digest()
    sig = hmac.new(k, sts.encode(), hashlib.sha256).hexdigest()
    return sig == parts["Signature"], creq


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def handle_any(self):
        n = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(n) if n else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        ok, detail = verify(self.command, self.path, headers, body, os.environ.get("AWS_SECRET_ACCESS_KEY", ""))
        path, _, query = self.path.partition("?")
        rec = {"method": self.command, "path": path, "query": query, "headers": headers,
               "body": body.decode("utf-8", "replace"), "sig_ok": ok}
        if not ok:
            rec["sig_detail"] = detail
        with open(self.server.logfile, "a") as f:
            f.write(json.dumps(rec) + "\n")
        key = headers.get("x-amz-target")
        if not key and body.startswith(b"Action="):
            key = urllib.parse.parse_qs(body.decode()).get("Action", [""])[0]
        if not key:
            key = "%s %s" % (self.command, path)
        r = self.server.responses.get(key, {})
        out = r.get("body", "")
        out = (json.dumps(out) if not isinstance(out, str) else out).encode()
        self.send_response(r.get("status", 200))
        for k, v in r.get("headers", {}).items():
            self.send_header(k, v)
        self.send_header("x-amzn-RequestId", "req-1")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(out)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = handle_any


def main():
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.logfile = sys.argv[2]
    srv.responses = json.load(open(sys.argv[3])) if len(sys.argv) > 3 else {}
    with open(sys.argv[1] + ".tmp", "w") as f:
        f.write(str(srv.server_address[1]))
    os.rename(sys.argv[1] + ".tmp", sys.argv[1])
    srv.serve_forever()


if __name__ == "__main__":
    main()
