"""A client that hangs up halfway through its request body is not a server error: one info line, no
traceback, nothing counted as a 5xx (a flood of them must neither fill the error log nor trip alerts).
Sent by a raw socket to a real server, on both transports."""

from __future__ import annotations

import asyncio
import logging

import pytest
from prometheus_client import REGISTRY

from tests.server.conftest import exchange

REQUESTS = "gateway_http_requests_total"
HALF_BODIES = {
    "/v2/customers": b'{"name": "Ada", "descr',
    "/graphql": b'{"query": "{ customers { total',
}


def counted(route: str, status: str) -> float:
    labels = {"method": "POST", "route": route, "status": status}
    return REGISTRY.get_sample_value(REQUESTS, labels) or 0.0


async def until_counted(route: str, status: str, expected: float) -> None:
    for _ in range(200):
        if counted(route, status) >= expected:
            return
        await asyncio.sleep(0.01)


@pytest.mark.parametrize("route", HALF_BODIES)
async def test_a_client_hanging_up_mid_body_is_logged_at_info_and_not_counted_as_an_error(
    served_port: int, caplog: pytest.LogCaptureFixture, route: str
) -> None:
    before = {status: counted(route, status) for status in ("499", "500")}
    caplog.set_level(logging.DEBUG)
    body = HALF_BODIES[route]
    head = (
        f"POST {route} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body) + 100}\r\n\r\n"
    ).encode()

    for _ in range(3):
        await exchange(served_port, head + body, close_after_sending=True)
    await until_counted(route, "499", before["499"] + 3)

    assert counted(route, "499") - before["499"] == 3
    assert counted(route, "500") == before["500"]
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []
    assert [r for r in caplog.records if r.exc_info] == []
    disconnects = [r for r in caplog.records if "disconnected" in r.getMessage()]
    assert len(disconnects) == 3
    assert {(r.levelname, r.name) for r in disconnects} == {("INFO", "app.http")}
    assert all("\n" not in r.getMessage() for r in disconnects)


async def test_a_complete_request_after_a_hang_up_is_served(served_port: int) -> None:
    await exchange(
        served_port,
        b"POST /v2/customers HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\n{",
        close_after_sending=True,
    )

    answer = await exchange(served_port, b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")

    assert answer.startswith(b"HTTP/1.1 200")
