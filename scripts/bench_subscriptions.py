"""Subscription latency: how long a committed write takes to reach a GraphQL subscriber.

One websocket subscribes to `customerEvents` (graphql-transport-ws), then N customers are created over
REST one after another, each write waiting for its event before the next. Reported, p50 and p99 in ms:

- `write_to_event`: from sending the write to receiving its event (the write's own time included);
- `write`: from sending the write to its HTTP answer, for comparison;
- `created_to_event`: from the event's `createdAt` (the server's clock, millisecond resolution, taken in
  the writing transaction, before its commit) to receiving it.

`scripts/bench` runs it against its product server; alone, `.venv/bin/python scripts/bench_subscriptions.py`
serves a fresh SQLite database itself (`--database-url` for another, e.g. a PostgreSQL one to compare
LISTEN/NOTIFY with polling).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this checkout's app, whichever one the virtualenv has installed
sys.path.insert(0, str(ROOT / "scripts"))
from bench_net import UNEXHAUSTED_BUDGETS, free_port, wait_until_up  # noqa: E402

SUBSCRIPTION = "subscription { customerEvents(types: [CUSTOMER_CREATED]) { id createdAt data } }"
DEFAULT_EVENTS = 200


def percentile(values: list[float], fraction: float) -> float:
    """The value below which `fraction` of the values lie (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


def summary(values: list[float]) -> dict[str, float]:
    """p50 and p99 (and the mean) in ms, rounded."""
    return {
        "p50_ms": round(percentile(values, 0.50), 2),
        "p99_ms": round(percentile(values, 0.99), 2),
        "mean_ms": round(statistics.fmean(values), 2),
    }


async def measure(base_url: str, token: str, events: int = DEFAULT_EVENTS) -> dict[str, Any]:
    """Subscribe on `base_url`'s /graphql, make `events` writes, and time each write's event."""
    import httpx
    import websockets

    ws_url = base_url.replace("http://", "ws://") + "/graphql"
    headers = {"Authorization": f"Bearer {token}"}
    write_to_event: list[float] = []
    write: list[float] = []
    created_to_event: list[float] = []
    async with (
        websockets.connect(ws_url, subprotocols=[websockets.Subprotocol("graphql-transport-ws")]) as ws,
        httpx.AsyncClient(base_url=base_url, headers=headers, timeout=10) as http,
    ):
        await ws.send(
            json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}})
        )
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIPTION}}))
        await _until_listening(ws, http)
        for index in range(events):
            name = f"bench {index}"
            sent = time.perf_counter()
            answer = asyncio.ensure_future(http.post("/v2/customers", json={"name": name}))
            while True:
                message = json.loads(await asyncio.wait_for(ws.recv(), 10))
                event = message["payload"]["data"]["customerEvents"]
                if event["data"]["name"] == name:
                    break
            received, received_wall = time.perf_counter(), time.time()
            response = await answer
            assert response.status_code == 200, response.text
            write_to_event.append((received - sent) * 1000)
            write.append(response.elapsed.total_seconds() * 1000)
            created = datetime.fromisoformat(event["createdAt"]).timestamp()
            created_to_event.append(max(0.0, (received_wall - created) * 1000))
    return {
        "events": events,
        "write_to_event": summary(write_to_event),
        "write": summary(write),
        "created_to_event": summary(created_to_event),
    }


async def _until_listening(ws: Any, http: Any) -> None:
    """Write probes until one arrives (a subscribe message has no answer), then drain the others."""
    for _ in range(100):
        await http.post("/v2/customers", json={"name": "probe"})
        try:
            await asyncio.wait_for(ws.recv(), 0.5)
            break
        except TimeoutError:
            continue
    else:
        raise SystemExit("the subscription never received an event")
    while True:
        try:
            await asyncio.wait_for(ws.recv(), 0.3)
        except TimeoutError:
            return


def print_measurement(measurement: dict[str, Any]) -> None:
    """The three figures, one line each."""
    print(f"subscription latency over {measurement['events']} events:")
    for key in ("write_to_event", "write", "created_to_event"):
        figures = measurement[key]
        print(f"  {key:<16} p50 {figures['p50_ms']:>8.2f} ms   p99 {figures['p99_ms']:>8.2f} ms")


async def _merchant_token(database_url: str, secret_key_file: str) -> str:
    from app.runtime import Services
    from app.settings import Settings

    services = Services.from_settings(Settings(database_url=database_url, secret_key_file=secret_key_file))
    try:
        merchant = await services.merchants.create_merchant(name="Subscription bench")
        issued = await services.merchants.issue_token(
            grant_type="client_credentials",
            client_id=merchant.authenticity_token,
            client_secret=merchant.merchant_key,
            ttl_seconds=3600,
        )
    finally:
        await services.close()
    return issued.access_token


def main(argv: list[str] | None = None) -> int:
    """Serve a database and measure; prints the figures and writes them to `--output` if given."""
    parser = argparse.ArgumentParser(prog="scripts/bench_subscriptions.py", description=__doc__)
    parser.add_argument("--database-url", help="default: a fresh SQLite file in a temporary directory")
    parser.add_argument("--events", type=int, default=DEFAULT_EVENTS)
    parser.add_argument("--output", help="also write the figures to this JSON file")
    args = parser.parse_args(argv)

    from app.migrations import migrate_sync
    from app.settings import normalise_database_url

    workdir = Path(tempfile.mkdtemp(prefix="gateway-bench-subscriptions-"))
    database_url = normalise_database_url(args.database_url or f"sqlite+aiosqlite:///{workdir / 'bench.db'}")
    env = {
        **os.environ,
        "GATEWAY_DATABASE_URL": database_url,
        "GATEWAY_SECRET_KEY_FILE": str(workdir / "secret.key"),
        **UNEXHAUSTED_BUDGETS,
    }
    migrate_sync(database_url)
    token = asyncio.run(_merchant_token(database_url, env["GATEWAY_SECRET_KEY_FILE"]))
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "app", "serve", "--port", str(port), "--workers", "1", "--no-access-log"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_up(f"{base}/healthz")
        measurement = asyncio.run(measure(base, token, args.events))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    measurement["database"] = "sqlite" if database_url.startswith("sqlite") else "postgresql"
    print_measurement(measurement)
    if args.output:
        Path(args.output).write_text(json.dumps(measurement, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
