"""Every committed change writes exactly one event in its own transaction; a failed one writes none.

On both databases, through the service layer (the transports' tests check the same through HTTP).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from app.customers.rules import NullMeans
from app.errors import Conflict, CustomerDeleted, InvalidInput, NotFound
from app.events import repository as outbox
from app.events.cursors import encode_cursor
from app.events.domain import Event, EventType
from app.merchants.repository import Merchant
from app.runtime import Services
from app.settings import Settings
from app.timestamps import utc_now

CARD = {"masked_pan": "411111******1111", "expiration_date": "12/34", "token": "tok_visa_1"}
WORKERS = 4


async def all_events(services: Services, merchant: Merchant) -> list[Event]:
    """Every event of the merchant, oldest first."""
    found: list[Event] = []
    after = None
    while True:
        page = await services.events.list_events(merchant_id=merchant.id, limit=100, after=after)
        found.extend(page.items)
        if not page.has_next:
            return list(reversed(found))
        after = encode_cursor(page.items[-1])


async def test_each_kind_of_write_records_one_event_describing_it(
    services: Services, merchant: Merchant
) -> None:
    customers = services.customers
    created = await customers.create(merchant_id=merchant.id, data={"name": "Ann", "metadata": {"a": "1"}})
    updated = await customers.update(
        merchant_id=merchant.id, uuid=created.uuid, data={"name": "Bea"}, null_means=NullMeans.KEEP
    )
    card = await customers.add_payment_method(merchant_id=merchant.id, customer_uuid=created.uuid, data=CARD)
    await customers.remove_payment_method(
        merchant_id=merchant.id, customer_uuid=created.uuid, payment_method_id=card.id
    )
    await customers.delete(merchant_id=merchant.id, uuid=created.uuid)

    events = await all_events(services, merchant)

    assert [event.type for event in events] == [
        EventType.CUSTOMER_CREATED,
        EventType.CUSTOMER_UPDATED,
        EventType.PAYMENT_METHOD_ATTACHED,
        EventType.PAYMENT_METHOD_DETACHED,
        EventType.CUSTOMER_DELETED,
    ]
    assert {event.customer_uuid for event in events} == {created.uuid}
    assert len({event.id for event in events}) == 5
    created_event, updated_event, attached, detached, deleted = events
    assert created_event.data["name"] == "Ann" and created_event.data["metadata"] == {"a": "1"}
    assert "status" not in created_event.data
    assert created_event.previous_attributes is None
    assert updated_event.data["name"] == "Bea"
    assert updated_event.previous_attributes == {"name": "Ann"}
    assert updated_event.created_at == updated.updated_at
    assert attached.data["id"] == card.id and attached.data["masked_pan"] == "411111******1111"
    assert detached.data == attached.data
    assert deleted.data["deleted"] is True and deleted.data["deleted_at"] is not None


async def test_writes_that_change_nothing_record_nothing(services: Services, merchant: Merchant) -> None:
    customers = services.customers
    created = await customers.create(merchant_id=merchant.id, data={"name": "Ann"})
    await customers.update(merchant_id=merchant.id, uuid=created.uuid, data={}, null_means=NullMeans.KEEP)
    await customers.delete(merchant_id=merchant.id, uuid=created.uuid)
    await customers.delete(merchant_id=merchant.id, uuid=created.uuid)

    events = await all_events(services, merchant)

    assert [event.type for event in events] == [EventType.CUSTOMER_CREATED, EventType.CUSTOMER_DELETED]


async def test_refused_writes_record_no_event(services: Services, merchant: Merchant) -> None:
    customers = services.customers
    first = await customers.create(merchant_id=merchant.id, data={"merchant_customer_id": "m1"})
    second = await customers.create(merchant_id=merchant.id, data={"merchant_customer_id": "m2"})
    before = len(await all_events(services, merchant))

    with pytest.raises(Conflict):
        await customers.create(merchant_id=merchant.id, data={"merchant_customer_id": "m1"})
    with pytest.raises(Conflict):
        await customers.update(
            merchant_id=merchant.id,
            uuid=second.uuid,
            data={"merchant_customer_id": "m1"},
            null_means=NullMeans.KEEP,
        )
    with pytest.raises(InvalidInput):
        await customers.update(
            merchant_id=merchant.id, uuid=first.uuid, data={"email": "nope"}, null_means=NullMeans.KEEP
        )
    with pytest.raises(NotFound):
        await customers.remove_payment_method(
            merchant_id=merchant.id, customer_uuid=first.uuid, payment_method_id="missing"
        )
    await customers.delete(merchant_id=merchant.id, uuid=first.uuid)
    with pytest.raises(CustomerDeleted):
        await customers.add_payment_method(merchant_id=merchant.id, customer_uuid=first.uuid, data=CARD)

    assert len(await all_events(services, merchant)) == before + 1  # the delete alone


async def test_a_rolled_back_transaction_takes_its_event_with_it(
    services: Services, merchant: Merchant
) -> None:
    class Abort(Exception):
        pass

    with pytest.raises(Abort):
        async with services.database.unit_of_work():
            await services.customers.create(merchant_id=merchant.id, data={"name": "never"})
            raise Abort

    assert await all_events(services, merchant) == []
    assert await services.customers.count(merchant_id=merchant.id) == 0


async def test_events_are_tenant_scoped(
    services: Services, merchant: Merchant, other_merchant: Merchant
) -> None:
    await services.customers.create(merchant_id=merchant.id, data={"name": "mine"})
    [event] = await all_events(services, merchant)

    assert await all_events(services, other_merchant) == []
    with pytest.raises(NotFound):
        await services.events.get(merchant_id=other_merchant.id, event_id=event.id)
    assert await services.events.get(merchant_id=merchant.id, event_id=event.id) == event


async def test_the_sweep_deletes_events_past_retention_only(services: Services, merchant: Merchant) -> None:
    await services.customers.create(merchant_id=merchant.id, data={"name": "recent"})
    old = utc_now() - timedelta(days=services.events.retention_days, seconds=1)
    async with services.database.writer() as conn:
        await outbox.record(
            conn,
            merchant_id=merchant.id,
            type=EventType.CUSTOMER_CREATED,
            customer_uuid="00000000-0000-4000-8000-000000000000",
            data={},
            now=old,
        )
    assert len(await all_events(services, merchant)) == 2

    assert await services.events.sweep() >= 1

    [kept] = await all_events(services, merchant)
    assert kept.data["name"] == "recent"


@pytest.fixture
async def workers(settings: Settings) -> AsyncIterator[list[Services]]:
    """Independent service stacks (own engines and pools) on one database, like separate processes."""
    stacks = [Services.from_settings(settings) for _ in range(WORKERS)]
    yield stacks
    for stack in stacks:
        await stack.close()


async def test_racing_updates_lose_no_event_and_chain_their_previous_attributes(
    workers: list[Services], merchant: Merchant
) -> None:
    customer = await workers[0].customers.create(merchant_id=merchant.id, data={"name": "racer"})

    async def add_key(index: int) -> None:
        await workers[index % WORKERS].customers.update(
            merchant_id=merchant.id,
            uuid=customer.uuid,
            data={"metadata": {f"key{index}": str(index)}},
            null_means=NullMeans.KEEP,
        )

    await asyncio.gather(*(add_key(i) for i in range(20)))

    events = await all_events(workers[0], merchant)
    updates = [event for event in events if event.type is EventType.CUSTOMER_UPDATED]
    assert len(updates) == 20
    # Each update saw the one before it: its old metadata is exactly the previous event's new metadata.
    seen: dict[str, str] = {}
    for event in updates:
        assert event.previous_attributes == {"metadata": seen}
        seen = event.data["metadata"]
    assert len(seen) == 20


async def test_racing_creates_each_record_their_own_event(
    workers: list[Services], merchant: Merchant
) -> None:
    async def create(index: int) -> str:
        created = await workers[index % WORKERS].customers.create(
            merchant_id=merchant.id, data={"name": f"c{index}"}
        )
        return created.uuid

    uuids = await asyncio.gather(*(create(i) for i in range(20)))

    events = await all_events(workers[0], merchant)
    assert sorted(event.customer_uuid for event in events) == sorted(uuids)
    assert all(event.type is EventType.CUSTOMER_CREATED for event in events)
