"""Reading a request body under a size limit (app/http/body.py), from the ASGI messages themselves."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request

from app.http.body import read_body


def request_of(messages: list[dict[str, Any]], headers: list[tuple[bytes, bytes]] | None = None) -> Request:
    pending = list(messages)
    received: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        message = pending.pop(0)
        received.append(message)
        return message

    request = Request({"type": "http", "method": "POST", "headers": headers or []}, receive)
    request.state.received = received
    return request


def part(body: bytes, more: bool) -> dict[str, Any]:
    return {"type": "http.request", "body": body, "more_body": more}


async def test_a_body_in_one_message_and_one_in_several_are_read_whole() -> None:
    assert await read_body(request_of([part(b'{"a": 1}', False)]), 100) == b'{"a": 1}'
    several = request_of([part(b"ab", True), part(b"", True), part(b"cd", False)])
    assert await read_body(several, 100) == b"abcd"
    assert await read_body(request_of([{"type": "http.request"}]), 100) == b""


async def test_a_body_over_the_limit_is_refused_as_soon_as_it_is_known() -> None:
    request = request_of([part(b"x" * 6, True), part(b"x" * 6, True), part(b"never read", False)])

    with pytest.raises(HTTPException) as refused:
        await read_body(request, 10)

    assert refused.value.status_code == 413
    assert len(request.state.received) == 2


async def test_a_declared_length_over_the_limit_is_refused_before_reading() -> None:
    request = request_of([part(b"x", False)], headers=[(b"content-length", b"11")])

    with pytest.raises(HTTPException):
        await read_body(request, 10)

    assert request.state.received == []


async def test_a_client_gone_mid_body_is_a_disconnect() -> None:
    with pytest.raises(ClientDisconnect):
        await read_body(request_of([part(b"ab", True), {"type": "http.disconnect"}]), 100)
