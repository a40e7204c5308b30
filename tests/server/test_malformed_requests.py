"""The HTTP server's own refusals of requests it cannot parse are JSON error envelopes, like every other
error body (some SDKs crash on anything else), sent by a real server over a raw socket."""

from __future__ import annotations

import json

import pytest

from tests.server.conftest import exchange

MALFORMED = {
    "garbage request line": b"GARBAGE\r\n\r\n",
    "DEL byte in a header": b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Note: a\x7fb\r\n\r\n",
    "space in a header name": b"GET /healthz HTTP/1.1\r\nHost: x\r\nBad Name: v\r\n\r\n",
    "non-numeric Content-Length": b"POST /v2/customers HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n{}",
    "Content-Length and Transfer-Encoding": (
        b"POST /v2/customers HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n"
    ),
    "NUL in the request target": b"GET /v2/cus\x00tomers HTTP/1.1\r\nHost: x\r\n\r\n",
}


def parse_response(raw: bytes) -> tuple[bytes, dict[bytes, bytes], bytes]:
    """(status line, lower-case headers, body) of one raw HTTP/1.1 response."""
    head, _, body = raw.partition(b"\r\n\r\n")
    status, *lines = head.split(b"\r\n")
    headers = dict(line.split(b": ", 1) for line in lines)
    return status, {name.lower(): value for name, value in headers.items()}, body


@pytest.mark.parametrize("request_bytes", MALFORMED.values(), ids=MALFORMED.keys())
async def test_a_malformed_request_gets_a_json_400(served_port: int, request_bytes: bytes) -> None:
    status, headers, body = parse_response(await exchange(served_port, request_bytes))

    assert status == b"HTTP/1.1 400 Bad Request"
    assert headers[b"content-type"] == b"application/json"
    assert int(headers[b"content-length"]) == len(body)
    assert headers[b"connection"] == b"close"
    envelope = json.loads(body)
    assert envelope == {
        "status": "invalid-request",
        "message": "malformed HTTP request",
        "errors": [],
        "request_id": headers[b"x-request-id"].decode(),
    }


async def test_a_well_formed_request_is_still_served(served_port: int) -> None:
    status, _, _ = parse_response(
        await exchange(served_port, b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    )

    assert status == b"HTTP/1.1 200 OK"
