"""`serve`'s HTTP server limits: the flags, and the uvicorn options that apply them.

See app/server/protocol.py for the request-head limits uvicorn lacks. uvicorn's own settings cover the
rest: idle keep-alive connections close after `GATEWAY_KEEP_ALIVE_TIMEOUT_SECONDS`, and on SIGTERM
in-flight requests get `GATEWAY_GRACEFUL_SHUTDOWN_SECONDS` to finish. Request bodies are bounded by the
app (`GATEWAY_MAX_BODY_BYTES`, app/http/body.py).
"""

from __future__ import annotations

import argparse
from typing import Any

from app.settings import Settings

# `serve` flags that are settings (the flag wins over the variable; see SERVE_FLAG_VARIABLES in __main__).
SERVE_FLAG_VARIABLES = {
    "max_header_bytes": "GATEWAY_MAX_HEADER_BYTES",
    "header_timeout": "GATEWAY_HEADER_TIMEOUT_SECONDS",
    "keep_alive_timeout": "GATEWAY_KEEP_ALIVE_TIMEOUT_SECONDS",
    "graceful_shutdown_timeout": "GATEWAY_GRACEFUL_SHUTDOWN_SECONDS",
}
# Imported by name in every worker process (a class object would not survive the trip).
PROTOCOL = "app.server.protocol:LimitedHttpToolsProtocol"


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """The uvicorn.run keywords that apply the server limits of `settings`."""
    return {
        "http": PROTOCOL,
        "timeout_keep_alive": settings.keep_alive_timeout_seconds,
        "timeout_graceful_shutdown": settings.graceful_shutdown_seconds,
        # Only used if uvicorn runs its h11 protocol instead; the same limit.
        "h11_max_incomplete_event_size": settings.max_header_bytes,
    }


def add_serve_arguments(serve: argparse.ArgumentParser) -> None:
    """The `serve` flags for the server limits (each overrides its GATEWAY_* variable)."""
    serve.add_argument(
        "--max-header-bytes",
        type=int,
        help="largest request line plus headers, else 431 (default 16384; $GATEWAY_MAX_HEADER_BYTES)",
    )
    serve.add_argument(
        "--header-timeout",
        type=int,
        help="seconds a client has to send a request's headers (default 10; $GATEWAY_HEADER_TIMEOUT_SECONDS)",
    )
    serve.add_argument(
        "--keep-alive-timeout",
        type=int,
        help="seconds an idle connection stays open (default 5; $GATEWAY_KEEP_ALIVE_TIMEOUT_SECONDS)",
    )
    serve.add_argument(
        "--graceful-shutdown-timeout",
        type=int,
        help="seconds in-flight requests get to finish on SIGTERM (default 30; "
        "$GATEWAY_GRACEFUL_SHUTDOWN_SECONDS)",
    )
