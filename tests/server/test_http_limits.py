"""Abuse limits of the HTTP server: request head size, head deadline (slowloris), idle keep-alive.

Most tests run uvicorn in-process with the gateway's protocol and small limits; the last one checks that
`serve`'s flags reach the real server.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from app.cli.parser import build_parser
from app.server.options import SERVE_FLAG_VARIABLES, uvicorn_options
from app.server.protocol import HeadLimits, LimitedHttpToolsProtocol
from app.settings import Settings, load_settings
from tests.server.conftest import ServeProcess, serving

MAX_HEAD = 2048
HEAD_TIMEOUT = 0.5
KEEP_ALIVE = 1


class SmallLimits(LimitedHttpToolsProtocol):
    limits = HeadLimits(max_bytes=MAX_HEAD, timeout_seconds=HEAD_TIMEOUT)


@pytest.fixture
async def port(settings: Settings) -> AsyncIterator[int]:
    """An in-process uvicorn serving the app with small limits."""
    async with serving(settings, SmallLimits, timeout_keep_alive=KEEP_ALIVE) as chosen:
        yield chosen


async def _exchange(
    port: int, *chunks: bytes, pause: float = 0.0, timeout: float = 5.0
) -> tuple[bytes, float]:
    """Send chunks (pausing between them), then read until the server closes: (answer, seconds taken)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    started = time.monotonic()
    try:
        for chunk in chunks:
            writer.write(chunk)
            await writer.drain()
            await asyncio.sleep(pause)
        answer = await asyncio.wait_for(reader.read(), timeout=timeout)
    finally:
        writer.close()
    return answer, time.monotonic() - started


async def test_a_head_within_the_limit_is_served(port: int) -> None:
    answer, _ = await _exchange(
        port, b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Fill: " + b"a" * 1500 + b"\r\nConnection: close\r\n\r\n"
    )

    assert answer.startswith(b"HTTP/1.1 200")


async def test_an_oversized_header_is_refused_with_431(port: int) -> None:
    answer, _ = await _exchange(
        port, b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 3000 + b"\r\n\r\n"
    )

    assert answer.startswith(b"HTTP/1.1 431")
    assert b'"status":"invalid-request","message":"request headers too large","errors":[]' in answer


async def test_an_oversized_url_is_refused_with_431(port: int) -> None:
    answer, _ = await _exchange(port, b"GET /v2/customers?x=" + b"a" * 3000 + b" HTTP/1.1\r\nHost: x\r\n\r\n")

    assert answer.startswith(b"HTTP/1.1 431")


async def test_a_header_trickled_past_the_limit_is_refused_before_it_ends(port: int) -> None:
    # Never finished; the 7th read takes the head past 2048 bytes and is the last one sent.
    chunks = [b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: "] + [b"a" * 300] * 7

    answer, _ = await _exchange(port, *chunks, pause=0.01)

    assert answer.startswith(b"HTTP/1.1 431")


async def test_many_small_headers_over_the_limit_are_refused(port: int) -> None:
    headers = b"".join(b"X-H%d: %s\r\n" % (number, b"v" * 40) for number in range(80))

    answer, _ = await _exchange(port, b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + headers + b"\r\n")

    assert answer.startswith(b"HTTP/1.1 431")


async def test_a_slowloris_connection_is_closed_after_the_head_timeout(port: int) -> None:
    answer, took = await _exchange(port, b"GET /healthz HTTP/1.1\r\n", b"Host: x\r\n", pause=0.2)

    assert answer == b""
    assert HEAD_TIMEOUT - 0.1 <= took < HEAD_TIMEOUT + 1.5


async def test_a_silent_connection_is_closed_after_the_head_timeout(port: int) -> None:
    answer, took = await _exchange(port)

    assert answer == b"" and took < HEAD_TIMEOUT + 1.5


async def test_an_idle_keep_alive_connection_is_closed(port: int) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        await writer.drain()
        head = await reader.readuntil(b"\r\n\r\n")
        length = int(
            next(line for line in head.split(b"\r\n") if line.lower().startswith(b"content-length"))[15:]
        )
        await reader.readexactly(length)
        started = time.monotonic()
        rest = await asyncio.wait_for(reader.read(), timeout=5)
        took = time.monotonic() - started
    finally:
        writer.close()

    assert rest == b"" and took < KEEP_ALIVE + 1.5


async def test_a_kept_alive_connection_serves_the_next_request_in_time(port: int) -> None:
    request = b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
    answer, _ = await _exchange(
        port,
        request,
        request + b"",
        b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        pause=0.1,
    )

    assert answer.count(b"HTTP/1.1 200") == 3


def test_limits_come_from_gateway_variables_and_serve_flags() -> None:
    settings = load_settings(
        {
            "GATEWAY_MAX_HEADER_BYTES": "4096",
            "GATEWAY_HEADER_TIMEOUT_SECONDS": "3",
            "GATEWAY_KEEP_ALIVE_TIMEOUT_SECONDS": "2",
            "GATEWAY_GRACEFUL_SHUTDOWN_SECONDS": "7",
        }
    )
    options = uvicorn_options(settings)
    arguments = build_parser().parse_args(
        [
            "serve",
            "--max-header-bytes",
            "9000",
            "--header-timeout",
            "4",
            "--keep-alive-timeout",
            "6",
            "--graceful-shutdown-timeout",
            "8",
        ]
    )

    assert (settings.max_header_bytes, settings.header_timeout_seconds) == (4096, 3)
    assert options["timeout_keep_alive"] == 2 and options["timeout_graceful_shutdown"] == 7
    assert options["http"] == "app.server.protocol:LimitedHttpToolsProtocol"
    assert {flag: getattr(arguments, flag) for flag in SERVE_FLAG_VARIABLES} == {
        "max_header_bytes": 9000,
        "header_timeout": 4,
        "keep_alive_timeout": 6,
        "graceful_shutdown_timeout": 8,
    }
    defaults = Settings()
    assert (defaults.max_header_bytes, defaults.header_timeout_seconds) == (16 * 1024, 10)
    assert (defaults.keep_alive_timeout_seconds, defaults.graceful_shutdown_seconds) == (5, 30)


@pytest.mark.slow
async def test_serve_flags_reach_the_real_server(database_url: str, tmp_path: Path) -> None:
    server = ServeProcess(database_url, tmp_path, "--max-header-bytes", "2048", "--header-timeout", "1")
    try:
        await asyncio.to_thread(server.wait_ready)
        too_large, _ = await _exchange(
            server.port, b"GET /healthz HTTP/1.1\r\nHost: x\r\nX: " + b"a" * 3000 + b"\r\n\r\n"
        )
        slow, took = await _exchange(server.port, b"GET /healthz HTTP/1.1\r\n")
    finally:
        server.close()

    assert too_large.startswith(b"HTTP/1.1 431")
    assert slow == b"" and took < 3
