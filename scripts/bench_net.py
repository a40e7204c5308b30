"""What every benchmark script needs to start servers: a free port, waiting until one answers, and
rate-limit budgets its load never exhausts."""

from __future__ import annotations

import socket
import time
import urllib.request

# One merchant sends the whole load: budgets it never exhausts keep the limiter's cost in the figures
# without turning the run into a measurement of 429s.
UNEXHAUSTED_BUDGETS = {
    "GATEWAY_RATE_LIMIT_REST_REQUESTS": str(10**9),
    "GATEWAY_RATE_LIMIT_GRAPHQL_POINTS": str(10**9),
}


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
