#!/usr/bin/env python3
"""Abusive clients for tools/bench/abuse.sh, each bounded in count and time, to 127.0.0.1 only.

  abuse.py pipeline PORT TOKEN CONNS REQUESTS SECONDS
      CONNS connections each send REQUESTS pipelined GET /api/compliance/backup-events?limit=500
      and read nothing; held SECONDS, then closed.
  abuse.py reopen PORT CONNS SECONDS
      keeps CONNS idle connections open, reopening each one the server closes, for SECONDS.
  abuse.py malformed PORT SECONDS
      new connections sending malformed requests as fast as they are answered, for SECONDS.
  abuse.py probe PORT COUNT SECONDS
      COUNT GET /health on fresh connections spread over SECONDS (5 s timeout each); prints how
      many were answered and their latencies.
"""
import resource, selectors, socket, sys, time

from health_probe import fetch_health, quantile


def raise_fd_limit():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def pipeline(port, token, conns, requests, seconds):
    raise_fd_limit()
    request = (f"GET /api/compliance/backup-events?limit=500 HTTP/1.1\r\nHost: bench\r\n"
               f"Authorization: Bearer {token}\r\n\r\n").encode()
    held = []
    for _ in range(conns):
        s = socket.create_connection(("127.0.0.1", port))
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.setblocking(False)
        try:
            s.send(request * requests)
        except BlockingIOError:
            pass
        held.append(s)
    print(f"pipeline: {len(held)} connections, {requests} requests each, not reading", flush=True)
    time.sleep(seconds)
    for s in held:
        s.close()
    print("pipeline: closed", flush=True)


def reopen(port, conns, seconds):
    raise_fd_limit()
    end = time.monotonic() + seconds
    watch = selectors.DefaultSelector()
    held, opened = 0, 0
    while time.monotonic() < end:
        while held < conns and time.monotonic() < end:
            try:
                s = socket.create_connection(("127.0.0.1", port), timeout=1)
            except OSError:
                break
            watch.register(s, selectors.EVENT_READ)
            held += 1
            opened += 1
        for key, _ in watch.select(timeout=0.05):
            s = key.fileobj
            try:
                closed = s.recv(1, socket.MSG_PEEK) == b""
            except OSError:
                closed = True
            if closed:
                watch.unregister(s)
                s.close()
                held -= 1
    for key in list(watch.get_map().values()):
        key.fileobj.close()
    print(f"reopen: {opened} connections opened over {seconds:.0f} s", flush=True)


def malformed(port, seconds):
    end = time.monotonic() + seconds
    sent = 0
    while time.monotonic() < end:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
                s.sendall(b"GET /\x01 HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n")
                s.recv(4096)
                sent += 1
        except OSError:
            pass
    print(f"malformed: {sent} requests in {seconds:.0f} s", flush=True)


def probe(port, count, seconds):
    latencies, failed = [], 0
    start = time.monotonic()
    for i in range(count):
        time.sleep(max(0.0, start + seconds * i / count - time.monotonic()))
        ms = fetch_health(port)
        if ms is None:
            failed += 1
        else:
            latencies.append(ms)
    latencies.sort()
    print(f"probe: {len(latencies)} of {count} answered, p50 {quantile(latencies, 0.5):.2f} ms, "
          f"p99 {quantile(latencies, 0.99):.2f} ms, max {quantile(latencies, 1.0):.2f} ms", flush=True)


if __name__ == "__main__":
    role, port = sys.argv[1], int(sys.argv[2])
    if role == "pipeline":
        pipeline(port, sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), float(sys.argv[6]))
    elif role == "reopen":
        reopen(port, int(sys.argv[3]), float(sys.argv[4]))
    elif role == "malformed":
        malformed(port, float(sys.argv[3]))
    else:
        probe(port, int(sys.argv[3]), float(sys.argv[4]))
