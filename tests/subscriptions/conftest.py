"""GraphQL subscriptions over a real socket: an in-process uvicorn serving the app, a small
graphql-transport-ws client on the `websockets` package, and merchants with Bearer tokens."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from typing import Any

import httpx
import pytest
import uvicorn
import websockets
from starlette.applications import Starlette
from websockets.asyncio.client import ClientConnection

from app.auth import Scope
from app.main import create_app
from app.merchants.repository import Merchant
from app.runtime import Services
from app.server.protocol import LimitedHttpToolsProtocol
from app.settings import Settings
from tests.server.conftest import free_port

PROTOCOL = "graphql-transport-ws"
EVENT_FIELDS = "id type customerUuid createdAt data previousAttributes"
SUBSCRIBE_ALL = f"subscription {{ customerEvents {{ {EVENT_FIELDS} }} }}"
SUBSCRIBE_TYPES = (
    f"subscription Some($types: [EventType!]) {{ customerEvents(types: $types) {{ {EVENT_FIELDS} }} }}"
)
CARD = {"masked_pan": "411111******1111", "expiration_date": "12/34", "token": "tok_visa_sub"}


@dataclass
class Served:
    """An app served by uvicorn on a local port."""

    app: Starlette
    port: int

    @property
    def ws_url(self) -> str:
        """The websocket URL of /graphql."""
        return f"ws://127.0.0.1:{self.port}/graphql"

    @property
    def base_url(self) -> str:
        """The HTTP base URL."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def services(self) -> Services:
        """The served app's services (its hub, to see who is subscribed)."""
        services: Services = self.app.state.services
        return services

    async def wait_for_subscribers(self, count: int, seconds: float = 5.0) -> None:
        """Until this process's hub serves `count` subscriptions (a subscribe message has no answer)."""
        deadline = asyncio.get_running_loop().time() + seconds
        while self.services.hub.subscriber_count() != count:
            assert asyncio.get_running_loop().time() < deadline, self.services.hub.subscriber_count()
            await asyncio.sleep(0.01)


@asynccontextmanager
async def serve_app(settings: Settings) -> AsyncIterator[Served]:
    """uvicorn with the gateway's protocol (as `serve` runs it) on a free port, in this event loop."""
    app = create_app(settings)
    port = free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, http=LimitedHttpToolsProtocol, log_config=None, lifespan="on"
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        assert not task.done(), task
        await asyncio.sleep(0.01)
    try:
        yield Served(app, port)
    finally:
        server.should_exit = True
        await task


@pytest.fixture
def subscription_settings(settings: Settings) -> Settings:
    """The test settings, polling SQLite every 50 ms."""
    return replace(settings, subscriptions_poll_seconds=0.05)


@pytest.fixture
async def served(subscription_settings: Settings) -> AsyncIterator[Served]:
    """The app on a real socket."""
    async with serve_app(subscription_settings) as running:
        yield running


async def bearer_token(services: Services, merchant: Merchant, *scopes: Scope) -> str:
    """A fresh access token of the merchant (`customers` and `payment-methods` unless scopes are given)."""
    issued = await services.merchants.issue_token(
        grant_type="client_credentials",
        client_id=merchant.authenticity_token,
        client_secret=merchant.merchant_key,
        scopes=[scope.value for scope in scopes or (Scope.CUSTOMERS, Scope.PAYMENT_METHODS)],
    )
    return issued.access_token


@pytest.fixture
async def token(services: Services, merchant: Merchant) -> str:
    """A token of the test's merchant with both write scopes."""
    return await bearer_token(services, merchant)


class Closed(Exception):
    """The server closed the websocket."""

    def __init__(self, code: int | None, reason: str) -> None:
        super().__init__(f"closed {code}: {reason}")
        self.code = code
        self.reason = reason


class SubscriptionClient:
    """One graphql-transport-ws connection, message by message."""

    def __init__(self, connection: ClientConnection) -> None:
        self.connection = connection

    async def send(self, message: dict[str, Any]) -> None:
        """Send one protocol message."""
        await self.connection.send(json.dumps(message))

    async def receive(self, seconds: float = 5.0) -> dict[str, Any]:
        """The next message; Closed when the server closes the connection instead."""
        try:
            raw = await asyncio.wait_for(self.connection.recv(), seconds)
        except websockets.ConnectionClosed as closed:
            frame = closed.rcvd
            raise Closed(frame.code if frame else None, frame.reason if frame else "") from None
        message: dict[str, Any] = json.loads(raw)
        return message

    async def nothing_within(self, seconds: float) -> None:
        """Fail if any message arrives within `seconds`."""
        with pytest.raises(TimeoutError):
            message = await self.receive(seconds)
            pytest.fail(f"unexpected message {message}")

    async def init(self, payload: dict[str, Any] | None = None) -> dict[str, Any]:
        """connection_init with `payload`; the server's answer (connection_ack) or Closed."""
        message: dict[str, Any] = {"type": "connection_init"}
        if payload is not None:
            message["payload"] = payload
        await self.send(message)
        return await self.receive()

    async def subscribe(
        self, operation_id: str, query: str = SUBSCRIBE_ALL, variables: dict[str, Any] | None = None
    ) -> None:
        """Start an operation."""
        payload: dict[str, Any] = {"query": query}
        if variables is not None:
            payload["variables"] = variables
        await self.send({"id": operation_id, "type": "subscribe", "payload": payload})

    async def complete(self, operation_id: str) -> None:
        """Stop an operation."""
        await self.send({"id": operation_id, "type": "complete"})

    async def events(self, count: int, seconds: float = 5.0) -> list[tuple[str, dict[str, Any]]]:
        """The next `count` events, as (operation id, event); fails on any other message."""
        found = []
        for _ in range(count):
            message = await self.receive(seconds)
            assert message["type"] == "next", message
            assert "errors" not in message["payload"], message
            found.append((message["id"], message["payload"]["data"]["customerEvents"]))
        return found


@asynccontextmanager
async def connect(
    url: str, *, headers: dict[str, str] | None = None, subprotocols: Iterable[str] = (PROTOCOL,)
) -> AsyncIterator[SubscriptionClient]:
    """A websocket to `url` speaking graphql-transport-ws."""
    async with websockets.connect(
        url,
        subprotocols=[websockets.Subprotocol(name) for name in subprotocols],
        additional_headers=headers,
        open_timeout=5,
        close_timeout=2,
    ) as connection:
        yield SubscriptionClient(connection)


@asynccontextmanager
async def subscribed_client(
    served: Served, token: str, *, expect_subscribers: int = 1, **subscribe: Any
) -> AsyncIterator[SubscriptionClient]:
    """An accepted connection with one live subscription ("1"), the hub serving it."""
    async with connect(served.ws_url) as client:
        assert await client.init({"Authorization": f"Bearer {token}"}) == {"type": "connection_ack"}
        await client.subscribe("1", **subscribe)
        await served.wait_for_subscribers(expect_subscribers)
        yield client


def rest(served: Served, token: str) -> httpx.AsyncClient:
    """A REST/GraphQL HTTP client of the served app, with the Bearer token."""
    return httpx.AsyncClient(
        base_url=served.base_url, headers={"Authorization": f"Bearer {token}"}, timeout=10
    )
