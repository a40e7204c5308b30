"""An event committed through one server process reaches subscribers of the others: two `serve` processes
on one database, and one `serve --workers 2` (PostgreSQL: LISTEN/NOTIFY; SQLite: polling the outbox)."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Iterator
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import TEST_SECRET_KEY
from tests.server.conftest import ServeProcess
from tests.subscriptions.conftest import Closed, SubscriptionClient, connect

pytestmark = pytest.mark.slow

ENV = {
    **os.environ,
    "GATEWAY_SECRET_KEY": str(TEST_SECRET_KEY),
    "GATEWAY_SUBSCRIPTIONS_POLL_SECONDS": "0.05",
    "GATEWAY_ACCESS_LOG": "0",
}


def ws_url(server: ServeProcess) -> str:
    """The server's websocket URL of /graphql."""
    return server.base_url.replace("http://", "ws://") + "/graphql"


@pytest.fixture
def two_servers(database_url: str, tmp_path: Path) -> Iterator[tuple[ServeProcess, ServeProcess]]:
    """Two `serve` processes on the same database."""
    servers = [ServeProcess(database_url, tmp_path, env=ENV) for _ in range(2)]
    try:
        for server in servers:
            server.wait_ready()
        yield servers[0], servers[1]
    finally:
        for server in servers:
            server.close()


async def listening(clients: list[SubscriptionClient], http: httpx.AsyncClient) -> None:
    """Write probes until every client has received one (a subscribe message has no answer)."""
    waiting = set(range(len(clients)))
    for _ in range(100):
        assert (await http.post("/v2/customers", json={"name": "probe"})).status_code == 200
        for index in list(waiting):
            try:
                await clients[index].receive(0.2)
                waiting.discard(index)
            except TimeoutError:
                pass
        if not waiting:
            return
    raise AssertionError(f"clients {sorted(waiting)} never received an event")


async def real_events(client: SubscriptionClient, count: int) -> list[dict[str, Any]]:
    """The next `count` events that are not probes."""
    found: list[dict[str, Any]] = []
    while len(found) < count:
        message = await client.receive(10)
        assert message["type"] == "next", message
        event = message["payload"]["data"]["customerEvents"]
        if event["data"]["name"] != "probe":
            found.append(event)
    return found


async def subscribe_all(stack: AsyncExitStack, url: str, token: str, count: int) -> list[SubscriptionClient]:
    """`count` accepted connections to `url`, each with one subscription."""
    clients = []
    for _ in range(count):
        client = await stack.enter_async_context(connect(url))
        assert await client.init({"Authorization": f"Bearer {token}"}) == {"type": "connection_ack"}
        await client.subscribe("1")
        clients.append(client)
    return clients


async def test_a_write_through_one_server_reaches_a_subscriber_of_the_other(
    two_servers: tuple[ServeProcess, ServeProcess], token: str
) -> None:
    subscribed_to, written_to = two_servers
    headers = {"Authorization": f"Bearer {token}"}
    async with (
        AsyncExitStack() as stack,
        httpx.AsyncClient(base_url=written_to.base_url, headers=headers, timeout=10) as http,
    ):
        [client] = await subscribe_all(stack, ws_url(subscribed_to), token, 1)
        await listening([client], http)
        uuid = (await http.post("/v2/customers", json={"name": "Ann"})).json()["uuid"]
        await http.post(f"/v2/customers/{uuid}", json={"name": "Bea"})

        events = await real_events(client, 2)

    assert [(event["type"], event["customerUuid"]) for event in events] == [
        ("CUSTOMER_CREATED", uuid),
        ("CUSTOMER_UPDATED", uuid),
    ]


async def test_every_worker_of_a_multi_worker_server_delivers_every_event(
    database_url: str, tmp_path: Path, token: str
) -> None:
    server = ServeProcess(database_url, tmp_path, "--workers", "2", env=ENV)
    headers = {"Authorization": f"Bearer {token}"}
    try:
        await asyncio.to_thread(server.wait_ready)
        async with (
            AsyncExitStack() as stack,
            httpx.AsyncClient(base_url=server.base_url, headers=headers, timeout=10) as http,
        ):
            # Enough connections that both workers hold some, whichever the kernel hands them to.
            clients = await subscribe_all(stack, ws_url(server), token, 6)
            await listening(clients, http)
            names = [f"real {index}" for index in range(6)]
            for name in names:
                # A fresh connection each, so the writes too go to both workers.
                async with httpx.AsyncClient(base_url=server.base_url, headers=headers) as one_off:
                    assert (await one_off.post("/v2/customers", json={"name": name})).status_code == 200

            received = [await real_events(client, len(names)) for client in clients]
    finally:
        server.close()

    for events in received:
        assert [event["data"]["name"] for event in events] == names


async def test_shutdown_closes_open_subscriptions_at_once(
    database_url: str, tmp_path: Path, token: str
) -> None:
    server = ServeProcess(database_url, tmp_path, env=ENV)
    try:
        await asyncio.to_thread(server.wait_ready)
        async with connect(ws_url(server)) as client:
            assert await client.init({"Authorization": f"Bearer {token}"}) == {"type": "connection_ack"}
            await client.subscribe("1")
            await asyncio.sleep(0.3)
            server.signal(signal.SIGTERM)
            with pytest.raises(Closed) as closed:
                await client.receive(10)
        exit_code = await asyncio.to_thread(server.wait, 10)
    finally:
        server.close()

    # 1012: service restart, the client reconnects (to another worker or instance).
    assert closed.value.code == 1012
    assert exit_code in (0, -signal.SIGTERM)
