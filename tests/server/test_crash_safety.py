"""Crash safety with the real server: every acknowledged write survives SIGKILL, and SIGTERM lets
in-flight requests finish. Both databases (the server runs on the session's test database)."""

from __future__ import annotations

import asyncio
import json
import signal
import time
from pathlib import Path

import httpx
import pytest

from app.merchants.repository import Merchant
from app.runtime import Services
from tests.graphql.conftest import issue_token
from tests.server.conftest import ServeProcess

pytestmark = pytest.mark.slow

WRITERS = 4
KILL_AFTER = 40  # acknowledged creates before the kill


async def _stream_creates(base_url: str, token: str, acknowledged: list[str], stop: asyncio.Event) -> None:
    """Create customers one after another until the server dies; keep the uuids it acknowledged."""
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base_url, headers=headers, timeout=10) as client:
        number = 0
        while not stop.is_set():
            number += 1
            try:
                response = await client.post("/v2/customers", json={"name": f"crash-{number}"})
            except httpx.TransportError:
                return  # the server is gone; whatever was not answered was never acknowledged
            if response.status_code == 200:
                acknowledged.append(response.json()["uuid"])


async def test_every_acknowledged_create_survives_a_sigkill(
    database_url: str, services: Services, merchant: Merchant, tmp_path: Path
) -> None:
    token = await issue_token(services, merchant)
    server = ServeProcess(database_url, tmp_path)
    acknowledged: list[str] = []
    stop = asyncio.Event()
    try:
        await asyncio.to_thread(server.wait_ready)
        writers = [
            asyncio.create_task(_stream_creates(server.base_url, token, acknowledged, stop))
            for _ in range(WRITERS)
        ]
        deadline = time.monotonic() + 60
        while len(acknowledged) < KILL_AFTER and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        server.signal(signal.SIGKILL)  # mid-stream: requests are in flight right now
        server.wait(10)
        stop.set()
        await asyncio.gather(*writers)
    finally:
        server.close()
    assert len(acknowledged) >= KILL_AFTER

    restarted = ServeProcess(database_url, tmp_path)
    try:
        await asyncio.to_thread(restarted.wait_ready)
        async with httpx.AsyncClient(
            base_url=restarted.base_url, headers={"Authorization": f"Bearer {token}"}
        ) as client:
            missing = [
                uuid
                for uuid in acknowledged
                if (await client.get(f"/v2/customers/{uuid}")).status_code != 200
            ]
    finally:
        restarted.close()
    assert missing == []


async def _slow_upload(port: int, token: str, body: bytes, pause: asyncio.Event) -> bytes:
    """A POST whose body arrives in two halves, the second only once `pause` is set; the raw answer."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        head = (
            f"POST /v2/customers HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        ).encode()
        writer.write(head + body[:5])
        await writer.drain()
        await pause.wait()
        writer.write(body[5:])
        await writer.drain()
        return await asyncio.wait_for(reader.read(), timeout=20)
    finally:
        writer.close()


async def test_sigterm_lets_an_in_flight_request_finish(
    database_url: str, services: Services, merchant: Merchant, tmp_path: Path
) -> None:
    token = await issue_token(services, merchant)
    server = ServeProcess(database_url, tmp_path, "--graceful-shutdown-timeout", "20")
    try:
        await asyncio.to_thread(server.wait_ready)
        resume = asyncio.Event()
        upload = asyncio.create_task(
            _slow_upload(server.port, token, json.dumps({"name": "in flight"}).encode(), resume)
        )
        await asyncio.sleep(0.5)  # the request is in flight: headers and half the body are in

        server.signal(signal.SIGTERM)
        await asyncio.sleep(1.0)
        still_running = server.process.poll() is None
        resume.set()
        answer = await upload
        exit_code = await asyncio.to_thread(server.wait, 20)
    finally:
        server.close()

    assert still_running
    assert answer.startswith(b"HTTP/1.1 200"), answer
    body = json.loads(answer.split(b"\r\n\r\n", 1)[1])
    assert body["name"] == "in flight"
    # uvicorn finishes its shutdown, then re-raises the signal so the exit status tells how it ended.
    assert exit_code in (0, -signal.SIGTERM)
    assert "Finished server process" in server.log.read_text()
    customer = await services.customers.get(merchant_id=merchant.id, uuid=body["uuid"])
    assert customer.name == "in flight"


async def test_the_graceful_shutdown_wait_is_bounded(
    database_url: str, services: Services, merchant: Merchant, tmp_path: Path
) -> None:
    token = await issue_token(services, merchant)
    server = ServeProcess(database_url, tmp_path, "--graceful-shutdown-timeout", "1")
    try:
        await asyncio.to_thread(server.wait_ready)
        never = asyncio.Event()
        upload = asyncio.create_task(_slow_upload(server.port, token, b'{"name": "stuck"}', never))
        await asyncio.sleep(0.5)
        started = time.monotonic()

        server.signal(signal.SIGTERM)
        await asyncio.to_thread(server.wait, 15)
        took = time.monotonic() - started
    finally:
        upload.cancel()
        await asyncio.gather(upload, return_exceptions=True)
        server.close()

    assert took < 8  # a client that never finishes cannot hold the shutdown (uvicorn default: forever)
