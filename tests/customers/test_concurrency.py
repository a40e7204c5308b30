"""Racing writes on both databases, spread over several independent engines as several workers would be."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from app.customers.rules import NullMeans
from app.errors import Conflict
from app.merchants.repository import Merchant
from app.runtime import Services
from app.settings import Settings

WORKERS = 5


@pytest.fixture
async def workers(settings: Settings) -> AsyncIterator[list[Services]]:
    """Independent service stacks (own engines and pools) on one database, like separate processes."""
    stacks = [Services.from_settings(settings) for _ in range(WORKERS)]
    yield stacks
    for stack in stacks:
        await stack.close()


async def test_racing_creates_with_one_merchant_customer_id_make_exactly_one(
    workers: list[Services], merchant: Merchant
) -> None:
    async def create(index: int) -> str:
        customers = workers[index % WORKERS].customers
        try:
            await customers.create(
                merchant_id=merchant.id, data={"merchant_customer_id": "race", "name": str(index)}
            )
        except Conflict:
            return "conflict"
        return "created"

    outcomes = await asyncio.gather(*(create(i) for i in range(20)))

    assert outcomes.count("created") == 1
    assert outcomes.count("conflict") == 19
    assert await workers[0].customers.count(merchant_id=merchant.id) == 1


async def test_racing_metadata_updates_all_take_effect(workers: list[Services], merchant: Merchant) -> None:
    customer = await workers[0].customers.create(merchant_id=merchant.id, data={"name": "racer"})

    async def add_key(index: int) -> None:
        await workers[index % WORKERS].customers.update(
            merchant_id=merchant.id,
            uuid=customer.uuid,
            data={"metadata": {f"key{index}": str(index)}},
            null_means=NullMeans.KEEP,
        )

    await asyncio.gather(*(add_key(i) for i in range(50)))

    stored = await workers[0].customers.get(merchant_id=merchant.id, uuid=customer.uuid)
    assert stored.metadata == {f"key{i}": str(i) for i in range(50)}
    assert len(stored.metadata) == 50


async def test_racing_field_and_metadata_updates_both_land(
    workers: list[Services], merchant: Merchant
) -> None:
    customer = await workers[0].customers.create(merchant_id=merchant.id, data={})
    await asyncio.gather(
        workers[1].customers.update(
            merchant_id=merchant.id, uuid=customer.uuid, data={"name": "Ann"}, null_means=NullMeans.KEEP
        ),
        workers[2].customers.update(
            merchant_id=merchant.id,
            uuid=customer.uuid,
            data={"metadata": {"a": "1"}},
            null_means=NullMeans.KEEP,
        ),
        workers[3].customers.update(
            merchant_id=merchant.id, uuid=customer.uuid, data={"city": "Paris"}, null_means=NullMeans.KEEP
        ),
    )
    stored = await workers[0].customers.get(merchant_id=merchant.id, uuid=customer.uuid)
    assert (stored.name, stored.city, stored.metadata) == ("Ann", "Paris", {"a": "1"})
