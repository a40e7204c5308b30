"""`python -m app worker` as a real process: killed with SIGKILL in the middle of a burst, then started
again, it loses no event (counted at the receiver); SIGTERM stops it cleanly."""

from __future__ import annotations

import asyncio
import os
import signal
import sys

import pytest

from app.merchants.repository import Merchant
from app.runtime import Services
from tests.conftest import TEST_SECRET_KEY
from tests.webhooks.receiver import Receiver, receiving

pytestmark = pytest.mark.slow


async def start_worker(database_url: str) -> asyncio.subprocess.Process:
    environment = {
        **os.environ,
        "GATEWAY_DATABASE_URL": database_url,
        "GATEWAY_SECRET_KEY": TEST_SECRET_KEY,
        "GATEWAY_WEBHOOKS_ALLOW_PRIVATE": "1",
        "GATEWAY_WEBHOOKS_TIMEOUT_SECONDS": "1",
        "GATEWAY_WEBHOOKS_RETRY_SCHEDULE": "0.2,0.4,0.8",
        "GATEWAY_WEBHOOKS_POLL_MS": "20",
        "GATEWAY_WEBHOOKS_CONCURRENCY": "4",
    }
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "app", "worker", env=environment, stdout=asyncio.subprocess.PIPE
    )


async def test_a_worker_killed_mid_burst_loses_no_event(
    services: Services, merchant: Merchant, database_url: str
) -> None:
    async with receiving(Receiver(delay_seconds=0.05)) as receiver:
        created = await services.webhooks.create_endpoint(merchant_id=merchant.id, data={"url": receiver.url})
        receiver.secret = created.secret
        for number in range(200):
            await services.customers.create(merchant_id=merchant.id, data={"name": f"Burst {number}"})

        worker = await start_worker(database_url)
        try:
            await receiver.wait_for(40, timeout=60)
            worker.kill()
            await worker.wait()
            assert worker.returncode == -signal.SIGKILL
            got_before_restart = len(receiver.delivered_ids())
            assert got_before_restart < 200, "the burst was over before the kill: nothing was tested"

            worker = await start_worker(database_url)
            await receiver.wait_for(200, timeout=90)
        finally:
            if worker.returncode is None:
                worker.send_signal(signal.SIGTERM)
                assert await asyncio.wait_for(worker.wait(), 20) == 0
    feed = await services.events.list_events(merchant_id=merchant.id, limit=100)
    assert len(receiver.delivered_ids()) == 200
    assert {event.id for event in feed.items} <= receiver.delivered_ids()
    assert receiver.bad_signatures == 0
    print(
        f"delivered before the kill: {got_before_restart}; deliveries received in all: "
        f"{len(receiver.deliveries)} for 200 events"
    )


async def test_webhooks_cli_registers_lists_and_deletes(
    services: Services, merchant: Merchant, database_url: str
) -> None:
    import json

    async def cli(*arguments: str) -> object:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "app",
            "webhooks",
            *arguments,
            "--authenticity-token",
            merchant.authenticity_token,
            env={
                **os.environ,
                "GATEWAY_DATABASE_URL": database_url,
                "GATEWAY_SECRET_KEY": TEST_SECRET_KEY,
                "GATEWAY_WEBHOOKS_ALLOW_PRIVATE": "1",
            },
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await process.communicate()
        assert process.returncode == 0, err.decode()
        return json.loads(out)

    created = await cli("create", "--url", "http://127.0.0.1:9/hooks", "--event-type", "customer.created")
    assert isinstance(created, dict) and created["secret"].startswith("whsec_")
    assert created["event_types"] == ["customer.created"]
    listed = await cli("list")
    assert isinstance(listed, list) and [item["id"] for item in listed] == [created["id"]]
    assert "secret" not in listed[0]
    assert await cli("attempts", created["id"]) == []
    deleted = await cli("delete", created["id"])
    assert isinstance(deleted, dict) and deleted["deleted"] is True
    assert await services.webhooks.list_endpoints(merchant_id=merchant.id) == []


async def test_two_worker_processes_share_500_racing_writes_never_sending_one_twice(
    services: Services, merchant: Merchant, database_url: str
) -> None:
    async with receiving(Receiver(delay_seconds=0.005)) as receiver:
        created = await services.webhooks.create_endpoint(merchant_id=merchant.id, data={"url": receiver.url})
        receiver.secret = created.secret
        workers = [await start_worker(database_url), await start_worker(database_url)]
        try:

            async def write(number: int) -> None:
                await services.customers.create(merchant_id=merchant.id, data={"name": f"Race {number}"})

            for start in range(0, 500, 50):
                await asyncio.gather(*(write(number) for number in range(start, start + 50)))
            await receiver.wait_for(500, timeout=90)
            await asyncio.sleep(0.5)  # anything sent twice would arrive by now
        finally:
            for worker in workers:
                worker.send_signal(signal.SIGTERM)
            for worker in workers:
                assert await asyncio.wait_for(worker.wait(), 20) == 0
    assert len(receiver.delivered_ids()) == 500
    assert receiver.most_concurrent_per_id == 1
    assert set(receiver.attempts_by_id.values()) == {1}
    assert receiver.bad_signatures == 0
