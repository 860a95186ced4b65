#!/usr/bin/env python3
"""A TCP proxy that puts a network round-trip time between its clients and
one upstream server, for the distance benchmark (bench/distance.sh): the
kernel here has no netem.

    lagproxy.py serve LISTEN_ADDR:PORT UPSTREAM_ADDR:PORT RTT_MS
    lagproxy.py check ADDR:PORT [EXCHANGES]

serve: every chunk read from one side is written to the other side RTT/2
after it arrived; chunks keep their order and each direction has its own
queue, so delays overlap instead of adding up (a chunk that arrives 1 ms after
the previous one leaves 1 ms after it).  The TCP handshake is modelled too:
the client's connect() returns at once (the proxy accepts it), and the
proxy connects to the upstream 1.5 RTT later, when the server would have
seen SYN, SYN-ACK and ACK; the server's banner then reaches the client
2 RTT after it connected, as through a real link with that RTT.  An EOF or
reset travels like data (RTT/2 late).

check: a timed SMTP exchange: connect and read the banner, then EXCHANGES
NOOP commands one by one, each timed from sending to the full reply.  Prints
"banner_ms <t>" and "noop_ms <median> <min> <max>" (the NOOP times are the
round-trip time of the path plus the server's reply time).
"""
import asyncio
import statistics
import sys
import time


def split(hostport):
    host, _, port = hostport.rpartition(":")
    return host.strip("[]"), int(port)


class Pipe:
    """One direction of one connection: reader -> queue -> delayed writer."""

    def __init__(self, loop, delay):
        self.loop = loop
        self.delay = delay
        self.queue = asyncio.Queue()

    async def read(self, reader):
        try:
            while True:
                data = await reader.read(65536)
                self.queue.put_nowait((self.loop.time(), data))
                if not data:
                    return
        except (ConnectionError, OSError):
            self.queue.put_nowait((self.loop.time(), b""))

    async def write(self, writer, ready=None):
        try:
            while True:
                arrived, data = await self.queue.get()
                wait = arrived + self.delay - self.loop.time()
                if wait > 0:
                    await asyncio.sleep(wait)
                if ready is not None:
                    await ready.wait()
                    if ready.writer is None:
                        return
                    writer = ready.writer
                    ready = None
                if not data:
                    if writer.can_write_eof():
                        writer.write_eof()
                    return
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            if writer is not None:
                writer.close()


class Upstream(asyncio.Event):
    writer = None


async def serve(listen, upstream, rtt_ms):
    loop = asyncio.get_running_loop()
    half = rtt_ms / 2000.0
    up_host, up_port = split(upstream)

    async def handle(c_reader, c_writer):
        accepted = loop.time()
        ready = Upstream()
        down = Pipe(loop, half)  # upstream -> client
        up = Pipe(loop, half)  # client -> upstream
        up_read = asyncio.ensure_future(up.read(c_reader))
        up_write = asyncio.ensure_future(up.write(None, ready))
        try:
            # SYN (RTT/2), SYN-ACK (RTT/2), ACK (RTT/2): the server accepts then
            wait = accepted + 3 * half - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            u_reader, u_writer = await asyncio.open_connection(up_host, up_port)
        except OSError:
            ready.set()
            c_writer.close()
            up_read.cancel()
            return
        ready.writer = u_writer
        ready.set()
        await asyncio.gather(down.read(u_reader), down.write(c_writer), up_read, up_write)

    host, port = split(listen)
    server = await asyncio.start_server(handle, host, port, backlog=256)
    async with server:
        await server.serve_forever()


def check(addr, count):
    import socket

    host, port = split(addr)

    def reply(sock, buf):
        # read one complete SMTP reply (last line "NNN ")
        while True:
            lines = buf.split(b"\r\n")
            for i, line in enumerate(lines[:-1]):
                if len(line) >= 4 and line[3:4] == b" ":
                    return b"\r\n".join(lines[i + 1:])
            data = sock.recv(4096)
            if not data:
                raise SystemExit("check: connection closed")
            buf += data

    t0 = time.monotonic()
    sock = socket.create_connection((host, port), timeout=30)
    rest = reply(sock, b"")
    banner = time.monotonic() - t0
    sock.sendall(b"EHLO check.example\r\n")
    rest = reply(sock, rest)
    times = []
    for _ in range(count):
        t = time.monotonic()
        sock.sendall(b"NOOP\r\n")
        rest = reply(sock, rest)
        times.append((time.monotonic() - t) * 1000)
    sock.sendall(b"QUIT\r\n")
    sock.close()
    print("banner_ms %.1f" % (banner * 1000))
    print("noop_ms %.1f %.1f %.1f" % (statistics.median(times), min(times), max(times)))


def main(argv):
    if len(argv) == 5 and argv[1] == "serve":
        try:
            asyncio.run(serve(argv[2], argv[3], float(argv[4])))
        except KeyboardInterrupt:
            pass
    elif len(argv) in (3, 4) and argv[1] == "check":
        check(argv[2], int(argv[3]) if len(argv) == 4 else 10)
    else:
        sys.stderr.write(__doc__)
        return 64
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
