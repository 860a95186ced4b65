#!/usr/bin/python3
"""A local OAuth2 token endpoint for the XOAUTH2 tests (HTTPS, test CA).

usage: oauth2-endpoint.py DB CERT KEY PORT LIFETIME CLIENT_ID CLIENT_SECRET_FILE [ADDR]

It listens on ADDR (default 127.0.0.1).

DB is a JSON file shared with the upstream (xoauth2-upstream.py) and the
test: {"refresh": [valid refresh tokens], "access": {token: expiry},
"issued": [every token issued], "grants": n}.  Each refresh grant answers
with an access token valid for LIFETIME seconds and a new refresh token; the
one used stops being valid (rotation).  A refresh token not in "refresh"
gets 400 invalid_grant.  Tokens are never logged.
"""
import fcntl
import json
import os
import secrets
import ssl
import sys
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, HTTPServer

DB, CERT, KEY, PORT, LIFE, CID, CSECRET_FILE = sys.argv[1:8]
ADDR = sys.argv[8] if len(sys.argv) > 8 else "127.0.0.1"
PORT, LIFE = int(PORT), int(LIFE)
with open(CSECRET_FILE) as f:  # not in argv: the tests look for it in /proc
    CSECRET = f.read().strip()


def update(fn):
    with open(DB + ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        with open(DB) as f:
            db = json.load(f)
        result = fn(db)
        tmp = DB + ".tmp"
        with open(tmp, "w") as f:
            json.dump(db, f)
        os.rename(tmp, DB)
        return result


class Handler(BaseHTTPRequestHandler):
    def log_message(self, fmt, *args):
        sys.stderr.write("endpoint: %s\n" % (fmt % args))

    def answer(self, status, obj):
        body = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        form = urllib.parse.parse_qs(self.rfile.read(n).decode())
        one = lambda k: (form.get(k) or [""])[0]
        if one("grant_type") != "refresh_token":
            return self.answer(400, {"error": "unsupported_grant_type"})
        if one("client_id") != CID or one("client_secret") != CSECRET:
            return self.answer(401, {"error": "invalid_client"})
        old = one("refresh_token")

        def grant(db):
            if old not in db["refresh"]:
                return None
            db["refresh"].remove(old)
            at, rt = "at-" + secrets.token_hex(12), "rt-" + secrets.token_hex(12)
            db["refresh"].append(rt)
            db["access"][at] = time.time() + LIFE
            db["issued"] += [at, rt]
            db["grants"] += 1
            return at, rt

        got = update(grant)
        if not got:
            return self.answer(400, {"error": "invalid_grant",
                                     "error_description": "token revoked"})
        self.answer(200, {"access_token": got[0], "token_type": "Bearer",
                          "expires_in": LIFE, "refresh_token": got[1]})


HTTPServer.allow_reuse_address = True
server = HTTPServer((ADDR, PORT), Handler)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(CERT, KEY)
server.socket = ctx.wrap_socket(server.socket, server_side=True)
server.serve_forever()
