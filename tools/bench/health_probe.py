"""One GET /health on a fresh connection, timed: shared by the benchmark clients
(stall_probe.py, abuse.py). 127.0.0.1 only."""
import socket, time


def fetch_health(port, timeout=5):
    """Milliseconds until the whole 200 response arrived, or None (refused, failed, other status)."""
    started = time.monotonic()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
            s.settimeout(timeout)
            s.sendall(b"GET /health HTTP/1.1\r\nHost: probe\r\nConnection: close\r\n\r\n")
            data = b""
            while True:
                chunk = s.recv(4096)
                if not chunk:
                    break
                data += chunk
    except OSError:
        return None
    return (time.monotonic() - started) * 1000 if data.startswith(b"HTTP/1.1 200 ") else None


def quantile(sorted_values, q):
    """The q-quantile of an ascending list (nan when empty)."""
    if not sorted_values:
        return float("nan")
    return sorted_values[min(len(sorted_values) - 1, int(q * len(sorted_values)))]
