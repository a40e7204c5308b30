"""Reading a request body under a size limit, shared by REST and GraphQL."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request


def body_too_large() -> HTTPException:
    """The 413 both transports answer (each in its own error shape)."""
    return HTTPException(status_code=413, detail="request body too large")


async def read_body(request: Request, limit: int) -> bytes:
    """The raw body, refused with 413 as soon as it is known to exceed `limit` bytes.

    A declared Content-Length is checked before anything is read; chunked bodies are counted as they
    stream in, so an oversized upload is never held in memory whole.
    """
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise body_too_large()
    chunks: list[bytes] = []
    size = 0
    # The ASGI messages read directly: Starlette's `request.stream()` is an async generator, whose set-up
    # and closing cost more than the reading of a small body.
    while True:
        message = await request.receive()
        if message["type"] == "http.disconnect":
            raise ClientDisconnect()
        chunk: bytes = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise body_too_large()
        chunks.append(chunk)
        if not message.get("more_body", False):
            return chunks[0] if len(chunks) == 1 else b"".join(chunks)
