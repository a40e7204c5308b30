"""The HTTP side of authentication shared by REST and GraphQL: which bytes a signature covers."""

from __future__ import annotations

from starlette.requests import HTTPConnection, Request

from app.auth import Principal
from app.merchants.service import MerchantService


def request_target(request: HTTPConnection) -> str:
    """The raw request target as received (path plus `?query`), percent-encoding untouched; for a
    websocket, that of its upgrade request.

    ASGI servers put the path alone in `raw_path`; some test transports include the query there too,
    so the query is cut off and re-attached from `query_string`.
    """
    raw_path: bytes = request.scope.get("raw_path") or request.scope["path"].encode()
    path = raw_path.split(b"?", 1)[0].decode("latin-1")
    query: bytes = request.scope.get("query_string", b"")
    return f"{path}?{query.decode('latin-1')}" if query else path


async def authenticate_request(request: Request, merchants: MerchantService, body: bytes) -> Principal:
    """The Principal for a request, from its Authorization header, raw target and raw body."""
    return await merchants.authenticate(
        request.headers.get("authorization"), fullpath=request_target(request), body=body
    )
