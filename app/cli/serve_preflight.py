"""What `serve` checks before it migrates or prints anything: that it can listen where it was asked to.

`scripts/serve` runs this module first (`python -m app.cli.serve_preflight <serve arguments>`), so a
busy port fails in one line instead of after the demo banner and a freshly minted token.
"""

from __future__ import annotations

import errno
import socket
import sys
from collections.abc import Sequence


def listen_problem(host: str, port: int) -> str | None:
    """Why `serve` could not listen on `host:port`, as one line for the user; None when it can.

    Binds and releases a socket the way uvicorn does (SO_REUSEADDR, so connections of an earlier
    server still in TIME_WAIT do not count as busy)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                other = port + 1 if port < 65535 else 8001
                return (
                    f"error: port {port} on {host} is busy (is another server running there?); "
                    f"choose another one with --port, e.g. scripts/serve --port {other}"
                )
            reason = error.strerror or str(error)
            return f"error: cannot listen on {host}:{port} ({reason}); check --host and --port"
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """Check `serve`'s arguments and its address; print the base URL it will serve on, or the problem."""
    from app.cli.parser import build_parser

    args = build_parser().parse_args(["serve", *(sys.argv[1:] if argv is None else argv)])
    problem = listen_problem(args.host, args.port)
    if problem is not None:
        print(problem, file=sys.stderr)
        return 1
    shown_host = f"[{args.host}]" if ":" in args.host else args.host
    print(f"http://{shown_host}:{args.port}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
