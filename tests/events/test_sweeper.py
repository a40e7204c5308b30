"""The background retention sweep a serving process runs."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from app.events import repository as outbox
from app.events.domain import EventType
from app.events.sweeper import periodic_sweep
from app.merchants.repository import Merchant
from app.runtime import Services
from app.timestamps import utc_now


async def _record_old_event(services: Services, merchant: Merchant) -> str:
    old = utc_now() - timedelta(days=services.events.retention_days + 1)
    async with services.database.writer() as conn:
        event = await outbox.record(
            conn,
            merchant_id=merchant.id,
            type=EventType.CUSTOMER_CREATED,
            customer_uuid="00000000-0000-4000-8000-000000000000",
            data={},
            now=old,
        )
    return event.id


async def _exists(services: Services, merchant: Merchant, event_id: str) -> bool:
    page = await services.events.list_events(merchant_id=merchant.id)
    return any(event.id == event_id for event in page.items)


async def test_the_periodic_sweep_removes_old_events_while_it_runs(
    services: Services, merchant: Merchant
) -> None:
    event_id = await _record_old_event(services, merchant)

    async with periodic_sweep(services.events, interval_seconds=0.05):
        for _ in range(200):
            if not await _exists(services, merchant, event_id):
                break
            await asyncio.sleep(0.025)

    assert not await _exists(services, merchant, event_id)


async def test_an_interval_of_zero_never_sweeps(services: Services, merchant: Merchant) -> None:
    event_id = await _record_old_event(services, merchant)

    async with periodic_sweep(services.events, interval_seconds=0):
        await asyncio.sleep(0.1)

    assert await _exists(services, merchant, event_id)
