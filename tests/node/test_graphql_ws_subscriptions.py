"""graphql-ws, the graphql-transport-ws protocol's reference client (pinned, with `ws` for node), against a
real server: the token in `connectionParams`, the events of REST writes made while it listens, and the
close code it reports for a bad token."""

from __future__ import annotations

import json
import queue
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest

from tests.node.conftest import NODE_DIRECTORY, ServedGateway

pytestmark = pytest.mark.slow

SCRIPT = NODE_DIRECTORY / "graphql-ws-subscribe.cjs"


class NodeSubscriber:
    """The script running, its JSON lines collected as they are printed."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.process = process
        self.lines: queue.Queue[dict[str, Any]] = queue.Queue()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            if line.strip():
                try:
                    self.lines.put(json.loads(line))
                except ValueError:
                    self.lines.put({"output": line})  # node's own error output, shown by the test

    def next(self, seconds: float) -> dict[str, Any] | None:
        """The next line within `seconds`, or None."""
        try:
            return self.lines.get(timeout=seconds)
        except queue.Empty:
            return None


@contextmanager
def node_subscriber(gateway: ServedGateway, token: str) -> Iterator[NodeSubscriber]:
    """graphql-ws-subscribe.cjs subscribed to the gateway's websocket with `token`."""
    url = gateway.graphql_url.replace("http://", "ws://")
    process = subprocess.Popen(
        ["node", str(SCRIPT), url, token],
        cwd=NODE_DIRECTORY,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    subscriber = NodeSubscriber(process)
    try:
        yield subscriber
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)
        subscriber.reader.join(timeout=10)
        assert process.stdout is not None
        process.stdout.close()


def test_graphql_ws_receives_the_events_of_rest_writes(served_gateway: ServedGateway) -> None:
    with (
        node_subscriber(served_gateway, served_gateway.token) as subscriber,
        httpx.Client(
            base_url=served_gateway.server.base_url,
            headers={"Authorization": f"Bearer {served_gateway.token}"},
            timeout=10,
        ) as http,
    ):
        # A subscribe message has no answer: write probes until the first one arrives, so the client
        # is known to be listening before the writes under test.
        deadline = time.monotonic() + 30
        first = None
        while first is None:
            assert time.monotonic() < deadline, "graphql-ws never received an event"
            assert http.post("/v2/customers", json={"name": "probe"}).status_code == 200
            first = subscriber.next(0.5)
        uuid = http.post("/v2/customers", json={"name": "Ann"}).json()["uuid"]
        assert http.post(f"/v2/customers/{uuid}", json={"name": "Bea"}).status_code == 200
        assert http.delete(f"/v2/customers/{uuid}").status_code == 200

        received = [first]
        while received[-1].get("event", {}).get("type") != "CUSTOMER_DELETED":
            line = subscriber.next(10)
            assert line is not None, received
            received.append(line)
        assert subscriber.process.wait(timeout=10) == 0

    assert all("event" in line for line in received), received
    ours = [line["event"] for line in received if line["event"]["customerUuid"] == uuid]
    assert [event["type"] for event in ours] == ["CUSTOMER_CREATED", "CUSTOMER_UPDATED", "CUSTOMER_DELETED"]
    assert ours[1]["data"]["name"] == "Bea" and ours[1]["previousAttributes"] == {"name": "Ann"}
    assert all(line["event"]["data"]["name"] == "probe" for line in received if line["event"] not in ours)


def test_graphql_ws_reports_4403_for_a_bad_token(served_gateway: ServedGateway) -> None:
    with node_subscriber(served_gateway, "not-a-token") as subscriber:
        line = subscriber.next(30)
        assert subscriber.process.wait(timeout=10) == 0

    assert line is not None and line["closed"] == 4403
    assert "Authorization failed" in line["reason"]
