#!/usr/bin/python3
"""An upstream SMTP server that requires AUTH XOAUTH2 over STARTTLS.

usage: xoauth2-upstream.py DB CERT KEY ADDR PORT USER MAILDIR

It accepts a login only for USER with an access token that DB (see
oauth2-endpoint.py) holds and that has not expired; a refused login gets the
XOAUTH2 error challenge, then 535.  Every accepted message is written to
MAILDIR.  Tokens are never logged.
"""
import asyncio
import base64
import json
import os
import ssl
import sys
import time

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

DB, CERT, KEY, ADDR, PORT, USER, MAILDIR = sys.argv[1:8]


class Handler:
    async def auth_XOAUTH2(self, server, args):
        blob = args[1] if len(args) > 1 else None
        if blob is None:
            raw = await server.challenge_auth("")
        else:
            try:
                raw = base64.b64decode(blob, validate=True)
            except ValueError:
                raw = b""
        parts = dict(p.split("=", 1) for p in raw.decode(errors="replace").split("\x01") if "=" in p)
        user, auth = parts.get("user"), parts.get("auth", "")
        token = auth[len("Bearer "):] if auth.startswith("Bearer ") else None
        with open(DB) as f:
            access = json.load(f)["access"]
        if user == USER and token in access and access[token] > time.time():
            print("upstream: login ok for %s" % user, flush=True)
            return AuthResult(success=True)
        why = "expired" if token in access else "unknown"
        print("upstream: login refused for %s (%s token)" % (user, why), flush=True)
        await server.challenge_auth(json.dumps({"status": "401", "schemes": "bearer"}))
        return AuthResult(success=False, handled=False,
                          message="535 5.7.8 Username and Password not accepted")

    async def handle_DATA(self, server, session, envelope):
        name = os.path.join(MAILDIR, "%d.%d" % (time.time_ns(), os.getpid()))
        with open(name + ".tmp", "wb") as f:
            f.write(envelope.original_content)
        os.rename(name + ".tmp", name + ".eml")
        return "250 2.0.0 Ok: stored"


ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(CERT, KEY)
c = Controller(Handler(), hostname=ADDR, port=int(PORT), tls_context=ctx,
               require_starttls=True, auth_required=True, auth_require_tls=True,
               auth_exclude_mechanism=["LOGIN", "PLAIN"], server_hostname="up.test.example")
c.start()
print("upstream: listening", flush=True)
try:
    asyncio.get_event_loop().run_forever()
except KeyboardInterrupt:
    pass
finally:
    c.stop()
