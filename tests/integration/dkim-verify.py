#!/usr/bin/python3
"""Verify the DKIM signatures of a message that smtp-sink stored, with an
independent implementation (Debian's python3-dkim), against the DNS records
that `postrelaycfg dkim-record` printed instead of DNS.

Usage: dkim-verify.py MESSAGE RECORD_FILE...
Prints one line per signature, "d=DOMAIN s=SELECTOR pass|fail", and exits 0
only when the message has at least one signature and every one passes.
"""
import re
import sys

import dkim


def txt_records(paths):
    """Map "selector._domainkey.domain." to the TXT text of each record file."""
    records = {}
    for path in paths:
        with open(path, encoding="ascii") as f:
            text = f.read()
        name = text.split()[0]
        records[name.rstrip(".") + "."] = "".join(re.findall(r'"([^"]*)"', text)).encode()
    return records


def main():
    with open(sys.argv[1], "rb") as f:
        message = f.read()
    records = txt_records(sys.argv[2:])

    def dnsfunc(name, timeout=5):
        return records.get(name.decode().rstrip(".") + ".")

    d = dkim.DKIM(message)
    headers = [v for k, v in d.headers if k.lower() == b"dkim-signature"]
    if not headers:
        print("no DKIM-Signature")
        return 1
    ok = True
    for i, value in enumerate(headers):
        tags = dict(
            (k.strip(), v.strip()) for k, v in (t.split("=", 1) for t in
                                               re.sub(r"\s+", "", value.decode()).split(";") if "=" in t))
        passed = d.verify(idx=i, dnsfunc=dnsfunc)
        print("d=%s s=%s %s" % (tags.get("d"), tags.get("s"), "pass" if passed else "fail"))
        ok = ok and passed
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
