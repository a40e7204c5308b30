"""Serve `//v2/...` like `/v2/...`: one gateway SDK's production base URL ends in a slash.

Only `scope["path"]` (what routing reads) is collapsed; `raw_path` is left alone, because a WP3-v2.1
signature covers the raw request target exactly as the client sent it.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send


class CollapseLeadingSlashes:
    """Pure ASGI middleware: `//x` -> `/x` in the routing path; one string check per request otherwise."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith("//"):
            # A copy, not an in-place edit: the server's scope stays as received.
            scope = {**scope, "path": "/" + scope["path"].lstrip("/")}
        await self.app(scope, receive, send)
