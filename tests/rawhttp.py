"""Requests written as raw bytes, for what an HTTP client library would not send as is (absolute
form targets, raw bytes in the path, oversized headers). Loopback only, bounded by a timeout."""

from __future__ import annotations

import re
import socket


def exchange(port: int, request: bytes, *, until: bytes | None = None) -> bytes:
    """Send ``request`` to 127.0.0.1:``port`` and read until ``until`` has arrived (None: until
    the server closes the connection); what was read."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request)
        data = b""
        while until is None or until not in data:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    return data


def get(port: int, target: bytes) -> tuple[int, bytes]:
    """``GET <target>`` on a connection that closes after the answer: (status, body)."""
    data = exchange(port, b"GET " + target + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), body


def blanked(data: bytes) -> bytes:
    """``data`` with what differs from call to call (the call id, the date) blanked out."""
    data = re.sub(rb"X-Mockkit-Call: [^\r]*", b"X-Mockkit-Call: -", data)
    return re.sub(rb"\r\nDate: [^\r]*", b"\r\nDate: -", data)
