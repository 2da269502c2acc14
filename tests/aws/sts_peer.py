#!/usr/bin/env python3
"""sts_peer.py - a local STS and a signed-request checker for the credential tests.

Listens on 127.0.0.1 (a free port, written to PORTFILE) and logs one JSON
line per request to LOGFILE.  It plays:

  STS AssumeRole                 signed (SigV4, verified by rebuilding the
                                 canonical request as AWS does) with a key it
                                 knows; role names ending in /denied get
                                 AWS's AccessDenied answer
  STS AssumeRoleWithWebIdentity  unsigned; the WebIdentityToken must equal
                                 $STS_PEER_WEB_TOKEN
  any other request              a service call: logged with the key that
                                 signed it, the role that key was issued
                                 for, and whether the signature and the
                                 session token check out; answered {} (JSON)
                                 or, for Lambda's Invoke path, the body back

Known keys: $STS_PEER_KEYS, "ID=SECRET,ID=SECRET"; every key it issues
(ASIATMP<n>, secret tmp-secret-<n>, token tmp-token-<n>, valid one hour).

    sts_peer.py PORTFILE LOGFILE
"""
import datetime
import json
import os
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "servers"))
from aws_capture import verify  # noqa: E402

LOCK = threading.Lock()
KEYS = {}      # key id -> {"secret", "token", "role"}
ISSUED = [0]


def issue(role):
    with LOCK:
        ISSUED[0] += 1
        n = ISSUED[0]
        kid = "ASIATMP%d" % n
        KEYS[kid] = {"secret": "tmp-secret-%d" % n, "token": "tmp-token-%d" % n, "role": role}
    exp = (datetime.datetime.utcnow() + datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return kid, KEYS[kid], exp


def creds_xml(action, kid, k, exp):
    return ("<{a}Response xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><{a}Result>"
            "<Credentials><AccessKeyId>{kid}</AccessKeyId><SecretAccessKey>{s}</SecretAccessKey>"
            "<SessionToken>{t}</SessionToken><Expiration>{e}</Expiration></Credentials>"
            "<AssumedRoleUser><Arn>{r}/x</Arn><AssumedRoleId>AROA:x</AssumedRoleId></AssumedRoleUser>"
            "</{a}Result><ResponseMetadata><RequestId>sts-req-1</RequestId></ResponseMetadata>"
            "</{a}Response>").format(a=action, kid=kid, s=k["secret"], t=k["token"], e=exp, r=k["role"])


def error_xml(code, msg):
    return ("<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type>"
            "<Code>%s</Code><Message>%s</Message></Error><RequestId>sts-req-2</RequestId></ErrorResponse>"
            % (code, msg))


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def answer(self, status, body, ctype):
        out = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("x-amzn-RequestId", "req-1")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    def handle_any(self):
        n = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(n) if n else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        auth = headers.get("authorization", "")
        kid = auth.split("Credential=", 1)[1].split("/", 1)[0] if "Credential=" in auth else None
        known = KEYS.get(kid) if kid else None
        ok = False
        detail = None
        if known:
            ok, detail = verify(self.command, self.path, headers, body, known["secret"])
        token_ok = (headers.get("x-amz-security-token") == known.get("token")) if known else False
        form = urllib.parse.parse_qs(body.decode("utf-8", "replace")) if body.startswith(b"Action=") else {}
        action = form.get("Action", [""])[0]
        rec = {"method": self.command, "path": self.path, "action": action,
               "target": headers.get("x-amz-target"), "key": kid, "sig_ok": ok, "token_ok": token_ok,
               "role": known.get("role") if known else None, "signed": bool(auth)}
        if known and not ok:
            rec["sig_detail"] = detail
            rec["auth"] = auth.split("Signature=")[0]
        try:
            if action == "AssumeRole":
                role = form.get("RoleArn", [""])[0]
                rec.update(assume=role, session=form.get("RoleSessionName", [""])[0])
                if not ok or not token_ok:
                    self.answer(403, error_xml("SignatureDoesNotMatch", "The request signature we calculated "
                                               "does not match the signature you provided."), "text/xml")
                elif role.endswith("/denied"):
                    self.answer(403, error_xml("AccessDenied", "User: %s is not authorized to perform: "
                                               "sts:AssumeRole on resource: %s" % (kid, role)), "text/xml")
                else:
                    k, v, e = issue(role)
                    self.answer(200, creds_xml("AssumeRole", k, v, e), "text/xml")
            elif action == "AssumeRoleWithWebIdentity":
                role = form.get("RoleArn", [""])[0]
                good = form.get("WebIdentityToken", [""])[0] == os.environ.get("STS_PEER_WEB_TOKEN")
                rec.update(assume=role, session=form.get("RoleSessionName", [""])[0], web_token_ok=good)
                if auth:
                    self.answer(400, error_xml("InvalidAction", "AssumeRoleWithWebIdentity is not signed"),
                                "text/xml")
                elif not good:
                    self.answer(400, error_xml("InvalidIdentityToken", "The web identity token that was "
                                               "passed could not be validated by AWS."), "text/xml")
                else:
                    k, v, e = issue(role)
                    self.answer(200, creds_xml("AssumeRoleWithWebIdentity", k, v, e), "text/xml")
            elif "/functions/" in self.path and self.path.endswith("/invocations"):
                self.answer(200 if ok and token_ok else 403, body.decode() or "{}", "application/json")
            else:
                self.answer(200 if ok and token_ok else 403, "{}", "application/x-amz-json-1.0")
        finally:
            with LOCK, open(self.server.logfile, "a") as f:
                f.write(json.dumps(rec) + "\n")

    do_GET = do_POST = do_PUT = do_DELETE = handle_any


def main():
    for pair in filter(None, os.environ.get("STS_PEER_KEYS", "").split(",")):
        kid, _, secret = pair.partition("=")
        KEYS[kid] = {"secret": secret, "token": None, "role": None}
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.logfile = sys.argv[2]
    with open(sys.argv[1] + ".tmp", "w") as f:
        f.write(str(srv.server_address[1]))
    os.rename(sys.argv[1] + ".tmp", sys.argv[1])
    srv.serve_forever()


if __name__ == "__main__":
    main()
