#!/usr/bin/env python3
"""An HTTP server on 127.0.0.1 for HTTP Task tests.  Prints its port first.

usage: http_echo.py SECRET     (the credential the /auth/* routes expect)

  /echo          {method, path, query, headers (lower-case names), body} as JSON
  /status/NNN    answers NNN with a small JSON body
  /text          text/plain body
  /badjson       Content-Type application/json, body not JSON
  /multi         two Set-Cookie headers
  /stall         sleeps 5 s, then answers
  /close         promises 100 bytes, sends 10, closes
  /big           300000-byte text body
  /auth/apikey   200 when header x-api-key == SECRET, else 401
  /auth/basic    200 when Authorization is Basic user:SECRET, else 401
  /oauth/token   client-credentials token endpoint (client-id:SECRET)
  /oauth/count   how many tokens were issued
  /auth/bearer   200 when Authorization is Bearer tok-N, else 401
No route echoes a request header back except /echo.
"""
import base64
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SECRET = sys.argv[1] if len(sys.argv) > 1 else "s3cr3t"
TOKENS = [0]
LOCK = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def reply(self, status, body, ctype="application/json", extra=()):
        if isinstance(body, str):
            body = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        for k, v in extra:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def handle_any(self):
        n = int(self.headers.get("Content-Length", "0") or 0)
        body = self.rfile.read(n) if n else b""
        path, _, query = self.path.partition("?")
        auth = self.headers.get("Authorization", "")
        if path == "/echo":
            return self.reply(200, json.dumps({
                "method": self.command, "path": path, "query": query,
                "headers": {k.lower(): v for k, v in self.headers.items()},
                "body": body.decode("utf-8", "replace")}))
        if path.startswith("/status/"):
            code = int(path[len("/status/"):])
            return self.reply(code, json.dumps({"error": "status %d" % code}))
        if path == "/text":
            return self.reply(200, "hello world", "text/plain; charset=utf-8")
        if path == "/badjson":
            return self.reply(200, "{not json")
        if path == "/multi":
            return self.reply(200, "{}", extra=[("Set-Cookie", "a=1"), ("Set-Cookie", "b=2")])
        if path == "/stall":
            time.sleep(5)
            return self.reply(200, "{}")
        if path == "/close":
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", "100")
            self.end_headers()
            self.wfile.write(b"0123456789")
            self.wfile.flush()
            self.close_connection = True
            return
        if path == "/big":
            return self.reply(200, "x" * 300000, "text/plain")
        if path == "/auth/apikey":
            ok = self.headers.get("x-api-key") == SECRET
            return self.reply(200 if ok else 401, json.dumps({"authenticated": ok}))
        if path == "/auth/basic":
            want = "Basic " + base64.b64encode(("user:" + SECRET).encode()).decode()
            ok = auth == want
            return self.reply(200 if ok else 401, json.dumps({"authenticated": ok}))
        if path == "/oauth/token":
            want = "Basic " + base64.b64encode(("client-id:" + SECRET).encode()).decode()
            if auth != want or b"grant_type=client_credentials" not in body:
                return self.reply(401, json.dumps({"error": "invalid_client"}))
            with LOCK:
                TOKENS[0] += 1
                tok = "tok-%d" % TOKENS[0]
            return self.reply(200, json.dumps({"access_token": tok, "token_type": "Bearer",
                                               "expires_in": 3600}))
        if path == "/oauth/count":
            return self.reply(200, str(TOKENS[0]))
        if path == "/auth/bearer":
            ok = auth.startswith("Bearer tok-")
            return self.reply(200 if ok else 401, json.dumps({"authenticated": ok}))
        return self.reply(404, json.dumps({"error": "no route"}))

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_HEAD = handle_any


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass    # clients that time out or cancel reset the connection: expected


def main():
    srv = Server(("127.0.0.1", 0), Handler)
    print(srv.server_address[1], flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    main()
