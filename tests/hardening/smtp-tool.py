#!/usr/bin/python3
"""SMTP clients and counters for the hardening scenarios (tests/hardening/e2e.sh).

  send HOST PORT COUNT PREFIX OUT [--size BYTES] [--sessions N] [--retry SECONDS]
        [--from ADDR] [--to ADDR]
      Send COUNT messages, each with Message-ID <PREFIX-I@hardening.test>.
      OUT gets one line per message: "I 250", "I 4xx-code", "I 5xx-code" or
      "I unknown" (the connection died after the data was sent: the message
      may or may not have been accepted).  With --retry, a message that did
      not get 250 is sent again until it does or SECONDS have passed.
  count DIR PREFIX
      Count the messages with a PREFIX Message-ID in the smtp-sink directory:
      prints "unique U total T" and one "dup ID N" line per duplicate.
  dkim DIR RECORD...
      Check every message in DIR: prints "signed S unsigned U bad B".
  probe HOST PORT HELO FROM RCPT...
      One session: MAIL FROM, then each RCPT; prints "RCPT-ADDRESS CODE".
  smuggle HOST PORT MARKER
      One session per fake end-of-data sequence (bare LF, bare CR, ...):
      a message whose body carries a second, smuggled message.  Prints
      "NAME CODE" with the reply to the real end of data.
"""
import os
import re
import smtplib
import socket
import sys
import threading
import time

ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"


def message(prefix, i, size, sender, rcpt):
    body_line = (ALPHABET * 3)[:76] + "\r\n"
    body = body_line * max(1, size // len(body_line))
    return ("From: <%s>\r\nTo: <%s>\r\nSubject: %s-%d\r\nMessage-ID: <%s-%d@hardening.test>\r\n"
            "\r\n%s" % (sender, rcpt, prefix, i, prefix, i, body)).encode()


def cmd_send(args):
    host, port, count, prefix, out = args[0], int(args[1]), int(args[2]), args[3], args[4]
    opts = dict(size=2048, sessions=4, retry=0.0, sender="load@hardening.test",
                rcpt="someone@dest.example")
    rest = args[5:]
    while rest:
        key, val = rest[0].lstrip("-"), rest[1]
        rest = rest[2:]
        opts[{"from": "sender", "to": "rcpt"}.get(key, key)] = val
    size, sessions, retry = int(opts["size"]), int(opts["sessions"]), float(opts["retry"])
    results = {}
    lock = threading.Lock()
    todo = list(range(1, count + 1))
    deadline = time.time() + retry

    def worker():
        conn = None
        while True:
            with lock:
                if not todo:
                    break
                i = todo.pop(0)
            while True:
                outcome = None
                try:
                    if conn is None:
                        conn = smtplib.SMTP(host, port, "hardening.test", timeout=20)
                        conn.ehlo()
                    code, _ = conn.mail(opts["sender"])
                    if code == 250:
                        code, _ = conn.rcpt(opts["rcpt"])
                    if code == 421:  # the server closes the session
                        conn.close()
                        conn = None
                        outcome = "421"
                    if code == 250:
                        try:
                            code, _ = conn.data(message(prefix, i, size, opts["sender"],
                                                        opts["rcpt"]))
                        except smtplib.SMTPDataError as e:  # refused at DATA
                            code = e.smtp_code
                        except (OSError, smtplib.SMTPServerDisconnected):
                            outcome = "unknown"
                    if outcome is None:
                        outcome = str(code)
                    if code != 250 and conn is not None and outcome != "unknown":
                        conn.rset()
                except (OSError, smtplib.SMTPException):
                    outcome = outcome or "refused"
                    try:
                        conn and conn.close()
                    except OSError:
                        pass
                    conn = None
                with lock:
                    results.setdefault(i, []).append(outcome)
                if outcome == "250" or not retry or time.time() > deadline:
                    break
                time.sleep(0.05)
        if conn is not None:
            try:
                conn.quit()
            except (OSError, smtplib.SMTPException):
                pass

    threads = [threading.Thread(target=worker) for _ in range(sessions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with open(out, "w") as f:
        for i in sorted(results):
            f.write("%d %s\n" % (i, " ".join(results[i])))


def message_ids(directory, prefix):
    pattern = re.compile(rb"^Message-I[Dd]: <(%s-\d+)@hardening\.test>" % re.escape(prefix.encode()),
                         re.M)
    for name in sorted(os.listdir(directory)):
        with open(os.path.join(directory, name), "rb") as f:
            head = f.read().split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
        m = pattern.search(head)
        if m:
            yield m.group(1).decode()


def cmd_count(args):
    counts = {}
    for mid in message_ids(args[0], args[1]):
        counts[mid] = counts.get(mid, 0) + 1
    print("unique %d total %d" % (len(counts), sum(counts.values())))
    for mid, n in sorted(counts.items()):
        if n > 1:
            print("dup %s %d" % (mid, n))


def cmd_dkim(args):
    import dkim
    records = {}
    for path in args[1:]:
        with open(path, encoding="ascii") as f:
            text = f.read()
        records[text.split()[0].rstrip(".") + "."] = "".join(re.findall(r'"([^"]*)"', text)).encode()

    def dnsfunc(name, timeout=5):
        return records.get(name.decode().rstrip(".") + ".")

    signed = unsigned = bad = 0
    for name in sorted(os.listdir(args[0])):
        with open(os.path.join(args[0], name), "rb") as f:
            data = f.read()
        d = dkim.DKIM(data)
        if not any(k.lower() == b"dkim-signature" for k, _ in d.headers):
            unsigned += 1
        elif d.verify(dnsfunc=dnsfunc):
            signed += 1
        else:
            bad += 1
    print("signed %d unsigned %d bad %d" % (signed, unsigned, bad))


def cmd_probe(args):
    host, port, helo, sender = args[0], int(args[1]), args[2], args[3]
    s = smtplib.SMTP(host, port, helo, timeout=20)
    s.ehlo()
    code, _ = s.mail(sender)
    print("MAIL %d" % code)
    for rcpt in args[4:]:
        # putcmd, not rcpt(): the address goes out exactly as given
        s.putcmd("RCPT TO:<%s>" % rcpt)
        code, _ = s.getreply()
        print("%s %d" % (rcpt, code))
    s.quit()


# fake end-of-data sequences; the message must end only at the real <CR><LF>.<CR><LF>
FAKES = [("bare-lf", b"\n.\n"), ("bare-cr", b"\r.\r"), ("lf-crlf", b"\n.\r\n"),
         ("crlf-lf", b"\r\n.\n"), ("cr-crlf", b"\r.\r\n"), ("crlf-cr", b"\r\n.\r")]


def cmd_smuggle(args):
    host, port, marker = args[0], int(args[1]), args[2]
    for name, fake in FAKES:
        s = socket.create_connection((host, port), timeout=20)
        f = s.makefile("rb")

        def reply():
            lines = []
            while True:
                line = f.readline()
                if not line:
                    return "eof"
                lines.append(line)
                if line[3:4] != b"-":
                    return line[:3].decode()

        reply()
        steps = [b"EHLO smuggler.test\r\n", b"MAIL FROM:<app@trust.test>\r\n",
                 b"RCPT TO:<someone@dest.example>\r\n", b"DATA\r\n"]
        codes = []
        for step in steps:
            s.sendall(step)
            codes.append(reply())
        data = (b"Subject: %s-%s-first\r\n\r\nfirst message\r\n" % (marker.encode(), name.encode())
                + b"hidden" + fake
                + b"MAIL FROM:<ceo@victim.example>\r\nRCPT TO:<someone@dest.example>\r\nDATA\r\n"
                + b"Subject: %s-%s-smuggled\r\nFrom: ceo@victim.example\r\n\r\nsmuggled\r\n"
                % (marker.encode(), name.encode())
                + b"\r\n.\r\n")
        if codes[-1] == "354":
            s.sendall(data)
            end = reply()
        else:
            end = "no-data:" + codes[-1]
        try:
            s.sendall(b"QUIT\r\n")
            reply()
        except OSError:
            pass
        s.close()
        print("%s %s" % (name, end))


def main():
    cmds = {"send": cmd_send, "count": cmd_count, "dkim": cmd_dkim, "probe": cmd_probe,
            "smuggle": cmd_smuggle}
    if len(sys.argv) < 2 or sys.argv[1] not in cmds:
        sys.stderr.write(__doc__)
        return 64
    cmds[sys.argv[1]](sys.argv[2:])
    return 0


if __name__ == "__main__":
    sys.exit(main())
