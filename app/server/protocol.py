"""uvicorn's httptools protocol with a size limit and a deadline on every request head, and JSON answers
to the requests it refuses.

uvicorn's fast HTTP/1.1 protocol (httptools) sets no limit on the size of a request's head (request
line plus headers: it buffers a header of any size) and no deadline for receiving it, so one client can
hold a connection forever by trickling header bytes (slowloris) or fill memory with one huge header.
`LimitedHttpToolsProtocol` answers `431` to a head over `GATEWAY_MAX_HEADER_BYTES` and closes a
connection whose next request head has not arrived within `GATEWAY_HEADER_TIMEOUT_SECONDS` (from the
connection opening or the previous response). A body trickled in slowly has no deadline of its own.

A request the parser cannot read (a garbage request line, a control character in a header, a space in a
header name, a non-numeric Content-Length, both Content-Length and Transfer-Encoding) gets uvicorn's 400,
but with the gateway's JSON error envelope instead of uvicorn's `text/plain` line: some SDKs crash on an
error body that is not a JSON object (SPEC section 4).
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from functools import cache
from typing import Any, ClassVar

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from app.observability.request_id import HEADER, new_request_id
from app.rest.errors import error_body
from app.settings import load_settings

_STATUS_LINES = {400: b"HTTP/1.1 400 Bad Request", 431: b"HTTP/1.1 431 Request Header Fields Too Large"}


@dataclass(frozen=True)
class HeadLimits:
    """How big a request head may be, and how long it may take to arrive."""

    max_bytes: int
    timeout_seconds: float


@cache
def _environment_limits() -> HeadLimits:
    # Worker processes import the protocol by name, so the limits come from the environment `serve` set.
    settings = load_settings()
    return HeadLimits(settings.max_header_bytes, settings.header_timeout_seconds)


class _HeadTooLarge(Exception):
    """Raised from a parser callback: httptools stops parsing and uvicorn calls send_400_response."""


class LimitedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a size limit and a deadline on every request head."""

    # None: the limits of the environment's settings. Tests set a subclass's limits directly.
    limits: ClassVar[HeadLimits | None] = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limits = self.limits or _environment_limits()
        self._max_head = limits.max_bytes
        self._head_timeout = limits.timeout_seconds
        self._head_timer: asyncio.TimerHandle | None = None
        self._reading_head = True
        self._head_too_large = False
        self._parsed_head = 0  # request line and headers, as the parser hands them over
        self._unfinished_head = 0  # raw bytes of reads that ended before the head did

    # --- the deadline -----------------------------------------------------------------------------

    def _start_head_timer(self) -> None:
        self._cancel_head_timer()
        self._head_timer = self.loop.call_later(self._head_timeout, self._head_timed_out)

    def _cancel_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if not self.transport.is_closing():
            self.logger.debug("closing a connection whose request head did not arrive in time")
            self.transport.close()

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._start_head_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_head_timer()
        super().connection_lost(exc)

    def on_response_complete(self) -> None:
        super().on_response_complete()
        # The next request on this connection gets the same deadline (unless one is already queued).
        if not self.transport.is_closing() and not self.pipeline:
            self._start_head_timer()

    # --- the size limit ---------------------------------------------------------------------------

    def on_message_begin(self) -> None:
        self._reading_head = True
        self._head_too_large = False
        self._parsed_head = 0
        self._unfinished_head = 0
        super().on_message_begin()

    def _count_head(self, size: int) -> None:
        self._parsed_head += size
        if self._parsed_head > self._max_head:
            self._head_too_large = True
            raise _HeadTooLarge

    def on_url(self, url: bytes) -> None:
        self._count_head(len(url))
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._count_head(len(name) + len(value) + 4)  # ": " and CRLF
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._reading_head = False
        self._cancel_head_timer()
        super().on_headers_complete()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        # httptools buffers a header until it ends, so a header split over many reads is counted here
        # (every byte of a read that ended before the head did belongs to the head).
        if self._reading_head and not self.transport.is_closing():
            self._unfinished_head += len(data)
            if self._unfinished_head > self._max_head:
                self._head_too_large = True
                self.send_400_response("request headers too large")

    def send_400_response(self, msg: str) -> None:
        """uvicorn's answer to an unparsable request, as a JSON envelope; a head over the limit gets 431."""
        self._cancel_head_timer()
        if self._head_too_large:
            self._send_refusal(431, "request headers too large")
        else:
            self._send_refusal(400, "malformed HTTP request")

    def _send_refusal(self, status: int, message: str) -> None:
        """Write a JSON error response and close: nothing after a malformed head can be trusted."""
        request_id = new_request_id()
        body = json.dumps(error_body(message, request_id=request_id), separators=(",", ":")).encode()
        head = [_STATUS_LINES[status]]
        head.extend(name + b": " + value for name, value in self.server_state.default_headers)
        head.extend(
            [
                b"content-type: application/json",
                b"content-length: " + str(len(body)).encode(),
                HEADER + b": " + request_id.encode(),
                b"connection: close",
            ]
        )
        self.transport.write(b"\r\n".join(head) + b"\r\n\r\n" + body)
        self.transport.close()
