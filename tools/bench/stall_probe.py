#!/usr/bin/env python3
"""Two roles for the stalled-sink benchmark (run as separate processes, so neither waits on the
other's interpreter lock):

  stall_probe.py load PORT REQUESTS SECONDS
                                      sends REQUESTS GET /health, pipelined 100 at a time on
                                      keep-alive connections, paced to spread over SECONDS;
                                      prints "load N requests in S s (R req/s), E errors"
  stall_probe.py probe PORT SECONDS   one GET /health on a fresh connection every 10 ms for SECONDS;
                                      prints "probe N requests, p50 X ms, p99 Y ms, max Z ms, F failed"
"""
import socket, sys, time

from health_probe import fetch_health, quantile

REQUEST = b"GET /health HTTP/1.1\r\nHost: bench\r\n\r\n"


def responses_in(data):
    return data.count(b"HTTP/1.1 200 ")


def load(port, total, seconds):
    started = time.monotonic()
    done = errors = 0
    conn = None
    on_connection = 0
    while done < total:
        if conn is None:
            conn = socket.create_connection(("127.0.0.1", port))
            conn.settimeout(30)
            on_connection = 0
        # The server closes after 1000 requests on a connection (keepalive_requests).
        batch = min(100, total - done, 1000 - on_connection)
        conn.sendall(REQUEST * batch)
        data = b""
        got = 0
        try:
            while got < batch:
                chunk = conn.recv(262144)
                if not chunk:
                    break
                data += chunk
                got = responses_in(data)
        except OSError:
            pass
        errors += batch - got
        done += batch
        on_connection += batch
        if got < batch or on_connection >= 1000:
            conn.close()
            conn = None
        # Paced: request n goes out no earlier than n/total of the way through SECONDS.
        time.sleep(max(0.0, started + seconds * done / total - time.monotonic()))
    elapsed = time.monotonic() - started
    print(f"load {done} requests in {elapsed:.1f} s ({done / elapsed:.0f} req/s), {errors} errors", flush=True)


def probe(port, seconds):
    latencies, failed = [], 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        started = time.monotonic()
        ms = fetch_health(port)
        if ms is None:
            failed += 1
        else:
            latencies.append(ms)
        time.sleep(max(0.0, 0.010 - (time.monotonic() - started)))
    latencies.sort()
    print(f"probe {len(latencies)} requests, p50 {quantile(latencies, 0.5):.3f} ms, p99 {quantile(latencies, 0.99):.3f} ms, "
          f"max {quantile(latencies, 1.0):.3f} ms, {failed} failed", flush=True)


if __name__ == "__main__":
    role, port = sys.argv[1], int(sys.argv[2])
    if role == "load":
        load(port, int(sys.argv[3]), float(sys.argv[4]))
    else:
        probe(port, float(sys.argv[3]))
