"""A webhook receiver for the tests: a real HTTP server (uvicorn, in the test's event loop) that verifies
every delivery with the `standardwebhooks` package, counts what it got, and fails on request."""

from __future__ import annotations

import asyncio
import json
import socket
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from standardwebhooks.webhooks import Webhook, WebhookVerificationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route


@dataclass
class Received:
    """One delivery as it arrived."""

    webhook_id: str
    event: dict[str, Any]
    at: float


@dataclass
class Receiver:
    """What the receiver saw. `answer(received_so_far_for_this_id)` picks each response's status."""

    secret: str = ""
    answer: Callable[[int], int] = lambda _seen: 200
    delay_seconds: float = 0.0
    port: int = 0
    deliveries: list[Received] = field(default_factory=list)
    bad_signatures: int = 0
    attempts_by_id: Counter[str] = field(default_factory=Counter)
    # When each id's attempts arrived (monotonic seconds), in order.
    arrivals: dict[str, list[float]] = field(default_factory=dict)
    # The most deliveries of one id being handled at the same moment (2 means an attempt overlapped).
    in_flight: Counter[str] = field(default_factory=Counter)
    most_concurrent_per_id: int = 0

    @property
    def url(self) -> str:
        """Where to register the receiver."""
        return f"http://127.0.0.1:{self.port}/hooks"

    def delivered_ids(self) -> set[str]:
        """Ids of every event answered with a 2xx."""
        return {item.webhook_id for item in self.deliveries}

    async def wait_for(self, count: int, timeout: float = 30.0) -> None:
        """Until `count` distinct events were delivered (2xx), or fail."""
        deadline = time.monotonic() + timeout
        while len(self.delivered_ids()) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"{len(self.delivered_ids())} of {count} events delivered in {timeout}s")
            await asyncio.sleep(0.05)

    async def handle(self, request: Request) -> Response:
        body = await request.body()
        webhook_id = request.headers.get("webhook-id", "")
        self.in_flight[webhook_id] += 1
        self.most_concurrent_per_id = max(self.most_concurrent_per_id, self.in_flight[webhook_id])
        try:
            try:
                Webhook(self.secret).verify(body, dict(request.headers))
            except WebhookVerificationError:
                self.bad_signatures += 1
                return Response(status_code=400)
            self.attempts_by_id[webhook_id] += 1
            self.arrivals.setdefault(webhook_id, []).append(time.monotonic())
            if self.delay_seconds:
                await asyncio.sleep(self.delay_seconds)
            status = self.answer(self.attempts_by_id[webhook_id])
            if 200 <= status < 300:
                self.deliveries.append(Received(webhook_id, json.loads(body), time.monotonic()))
            headers = {"location": "http://127.0.0.1:1/elsewhere"} if 300 <= status < 400 else None
            return Response(status_code=status, headers=headers)
        finally:
            self.in_flight[webhook_id] -= 1


def free_port() -> int:
    """A port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@asynccontextmanager
async def receiving(receiver: Receiver) -> AsyncIterator[Receiver]:
    """Serve `receiver` on a free local port while the block runs."""
    receiver.port = free_port()
    app = Starlette(routes=[Route("/hooks", receiver.handle, methods=["POST"])])
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=receiver.port, log_config=None, lifespan="off")
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
    try:
        yield receiver
    finally:
        server.should_exit = True
        await task
