"""What every benchmark script needs to start servers: a free port, and waiting until one answers."""

from __future__ import annotations

import socket
import time
import urllib.request


def free_port() -> int:
    """A local port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_up(url: str, timeout: float = 60.0) -> None:
    """Until `url` answers, or exit naming it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except Exception:
            time.sleep(0.2)
    raise SystemExit(f"server at {url} did not come up")
