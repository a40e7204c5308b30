"""The live feed of one process (app/events/hub.py) on both databases: fan-out to the merchant's
subscribers only, type filters, nothing of a rolled-back change, other processes' writes, the catch-up
after a lost LISTEN connection, and the reader running only while someone is subscribed."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack

import pytest

from app.events import repository
from app.events.domain import Event, EventType
from app.events.hub import QUEUE_LIMIT, EventHub, HubClosed, SubscriberTooSlow, Subscription
from app.merchants.repository import Merchant
from app.runtime import Services
from app.settings import Settings
from app.timestamps import utc_now

POLL = 0.05


async def next_event(subscription: Subscription, seconds: float = 5.0) -> Event:
    """The subscription's next event (fails the test after `seconds`)."""
    return await asyncio.wait_for(subscription.get(), seconds)


async def nothing_within(subscription: Subscription, seconds: float = 0.3) -> None:
    """Fail if the subscription yields anything within `seconds`."""
    with pytest.raises(TimeoutError):
        event = await next_event(subscription, seconds)
        pytest.fail(f"unexpected {event}")


@pytest.fixture
async def hub(services: Services) -> AsyncIterator[EventHub]:
    """A hub of its own on the test database (the services' one stays unused)."""
    made = EventHub(services.database, poll_seconds=POLL)
    yield made
    await made.close()


async def test_each_subscriber_gets_its_merchants_events_of_its_types(
    hub: EventHub, services: Services, merchant: Merchant, other_merchant: Merchant
) -> None:
    async with AsyncExitStack() as stack:
        everything = await stack.enter_async_context(hub.subscribe(merchant_id=merchant.id))
        deletions = await stack.enter_async_context(
            hub.subscribe(merchant_id=merchant.id, types=[EventType.CUSTOMER_DELETED])
        )
        others = await stack.enter_async_context(hub.subscribe(merchant_id=other_merchant.id))
        assert hub.subscriber_count() == 3

        created = await services.customers.create(merchant_id=merchant.id, data={"name": "Ann"})
        await services.customers.delete(merchant_id=merchant.id, uuid=created.uuid)

        first, second = await next_event(everything), await next_event(everything)
        deleted = await next_event(deletions)
        await nothing_within(others)
        await nothing_within(deletions, 0.1)

    assert (first.type, second.type) == (EventType.CUSTOMER_CREATED, EventType.CUSTOMER_DELETED)
    assert first.customer_uuid == second.customer_uuid == created.uuid
    assert deleted == second
    assert first.sequence < second.sequence


async def test_only_events_committed_after_subscribing_arrive(
    hub: EventHub, services: Services, merchant: Merchant
) -> None:
    await services.customers.create(merchant_id=merchant.id, data={"name": "Earlier"})
    async with hub.subscribe(merchant_id=merchant.id) as subscription:
        later = await services.customers.create(merchant_id=merchant.id, data={"name": "Later"})
        event = await next_event(subscription)
        await nothing_within(subscription, 0.2)

    assert event.customer_uuid == later.uuid


async def test_a_rolled_back_change_is_never_delivered(
    hub: EventHub, services: Services, merchant: Merchant
) -> None:
    async with hub.subscribe(merchant_id=merchant.id) as subscription:
        with pytest.raises(RuntimeError):
            async with services.database.writer() as conn:
                await repository.record(
                    conn,
                    merchant_id=merchant.id,
                    type=EventType.CUSTOMER_CREATED,
                    customer_uuid="00000000-0000-4000-8000-000000000000",
                    data={},
                    now=utc_now(),
                )
                raise RuntimeError("the change fails after its event was written")
        kept = await services.customers.create(merchant_id=merchant.id, data={"name": "Kept"})

        event = await next_event(subscription)
        await nothing_within(subscription, 0.2)

    assert event.customer_uuid == kept.uuid


async def test_writes_of_another_process_arrive(
    hub: EventHub, settings: Settings, merchant: Merchant
) -> None:
    # Another Services: its own engines, as another worker has (on SQLite, only the poll sees them).
    writer = Services.from_settings(settings)
    try:
        async with hub.subscribe(merchant_id=merchant.id) as subscription:
            created = await writer.customers.create(merchant_id=merchant.id, data={"name": "Elsewhere"})
            event = await next_event(subscription)
    finally:
        await writer.close()

    assert event.customer_uuid == created.uuid


async def test_the_reader_runs_only_while_someone_is_subscribed(hub: EventHub, merchant: Merchant) -> None:
    assert not hub.running
    async with hub.subscribe(merchant_id=merchant.id):
        assert hub.running
        async with hub.subscribe(merchant_id=merchant.id):
            assert hub.subscriber_count() == 2
        assert hub.running
    assert not hub.running and hub.subscriber_count() == 0


async def test_closing_ends_every_subscription(hub: EventHub, merchant: Merchant) -> None:
    async with hub.subscribe(merchant_id=merchant.id) as subscription:
        await hub.close()
        with pytest.raises(HubClosed):
            await next_event(subscription)
    assert not hub.running
    with pytest.raises(HubClosed):
        async with hub.subscribe(merchant_id=merchant.id):
            pass


def test_a_subscriber_that_falls_behind_is_ended() -> None:
    subscription = Subscription(merchant_id=1)
    event = Event(
        sequence=1,
        id="evt_1",
        type=EventType.CUSTOMER_CREATED,
        customer_uuid="u",
        data={},
        previous_attributes=None,
        created_at=utc_now(),
    )
    for _ in range(QUEUE_LIMIT + 1):
        subscription.push(event)

    async def drain() -> int:
        count = 0
        with pytest.raises(SubscriberTooSlow):
            async for _ in subscription:
                count += 1
        return count

    assert asyncio.run(drain()) == QUEUE_LIMIT


class FakeListening:
    """A LISTEN connection the test drives: it notifies, and it loses the connection."""

    def __init__(self, on_payload: Callable[[str], None], on_lost: Callable[[], None]) -> None:
        self.on_payload = on_payload
        self.on_lost = on_lost
        self.closed = False

    async def ping(self) -> None:
        """Always alive."""

    async def close(self) -> None:
        """Forget the connection."""
        self.closed = True


class FakeListener:
    """Opens FakeListenings; can be made to fail for a while, like a server that is down."""

    def __init__(self) -> None:
        self.opened: list[FakeListening] = []
        self.failures = 0

    async def __call__(self, on_payload: Callable[[str], None], on_lost: Callable[[], None]) -> FakeListening:
        if self.failures:
            self.failures -= 1
            raise OSError("connection refused")
        self.opened.append(FakeListening(on_payload, on_lost))
        return self.opened[-1]

    @property
    def current(self) -> FakeListening:
        """The newest connection."""
        return self.opened[-1]

    async def wait_for_connections(self, count: int) -> None:
        """Until `count` connections have been opened."""
        for _ in range(500):
            if len(self.opened) >= count:
                return
            await asyncio.sleep(0.01)
        raise AssertionError(f"{len(self.opened)} connections opened")


async def test_notified_events_are_read_by_sequence_and_delivered_once(
    services: Services, merchant: Merchant, other_merchant: Merchant
) -> None:
    listener = FakeListener()
    hub = EventHub(services.database, poll_seconds=POLL, listen=listener)
    try:
        async with hub.subscribe(merchant_id=merchant.id) as subscription:
            mine = await services.customers.create(merchant_id=merchant.id, data={"name": "Mine"})
            theirs = await services.customers.create(merchant_id=other_merchant.id, data={"name": "Theirs"})
            sequences = await _sequences(services, merchant, other_merchant)
            # Without a notification nothing is read (no polling when notified).
            await nothing_within(subscription, 0.2)
            listener.current.on_payload(f"{other_merchant.id}:{sequences[theirs.uuid]}")
            listener.current.on_payload(f"{merchant.id}:{sequences[mine.uuid]}")
            listener.current.on_payload(f"{merchant.id}:{sequences[mine.uuid]}")
            listener.current.on_payload("not a notification of ours")

            event = await next_event(subscription)
            await nothing_within(subscription, 0.2)
    finally:
        await hub.close()

    assert event.customer_uuid == mine.uuid
    assert listener.current.closed


async def test_after_a_lost_connection_the_hub_reconnects_and_catches_up(
    services: Services, merchant: Merchant
) -> None:
    listener = FakeListener()
    hub = EventHub(services.database, poll_seconds=POLL, listen=listener)
    try:
        async with hub.subscribe(merchant_id=merchant.id) as subscription:
            before = await services.customers.create(merchant_id=merchant.id, data={"name": "Before"})
            sequence = (await _sequences(services, merchant))[before.uuid]
            listener.current.on_payload(f"{merchant.id}:{sequence}")
            assert (await next_event(subscription)).customer_uuid == before.uuid

            # The connection drops, the server stays down for two attempts; meanwhile two commits
            # whose notifications nobody hears.
            listener.failures = 2
            listener.current.on_lost()
            missed = [
                await services.customers.create(merchant_id=merchant.id, data={"name": name})
                for name in ("Missed 1", "Missed 2")
            ]
            await listener.wait_for_connections(2)

            caught_up = [await next_event(subscription), await next_event(subscription)]
            # A late notification of an event already caught up is not delivered twice.
            late = (await _sequences(services, merchant))[missed[1].uuid]
            listener.current.on_payload(f"{merchant.id}:{late}")
            await nothing_within(subscription, 0.2)
    finally:
        await hub.close()

    assert [event.customer_uuid for event in caught_up] == [customer.uuid for customer in missed]
    assert listener.opened[0].closed


async def _sequences(services: Services, *merchants: Merchant) -> dict[str, int]:
    """customer uuid -> the sequence of its newest event, for the merchants' events."""
    found: dict[str, int] = {}
    for merchant in merchants:
        page = await services.events.list_events(merchant_id=merchant.id, limit=100)
        for event in reversed(page.items):
            found[event.customer_uuid] = event.sequence
    return found


async def test_postgresql_listen_connection_killed_by_the_server_is_replaced(
    hub: EventHub, services: Services, settings: Settings, merchant: Merchant
) -> None:
    if services.database.is_sqlite:
        pytest.skip("LISTEN/NOTIFY is PostgreSQL's")
    async with hub.subscribe(merchant_id=merchant.id) as subscription:
        assert await _terminate_listeners(settings) == 1
        # Committed while the hub may still be reconnecting: the catch-up or the new LISTEN brings it.
        during = await services.customers.create(merchant_id=merchant.id, data={"name": "During"})
        assert (await next_event(subscription)).customer_uuid == during.uuid
        after = await services.customers.create(merchant_id=merchant.id, data={"name": "After"})
        assert (await next_event(subscription)).customer_uuid == after.uuid
        await nothing_within(subscription, 0.2)


async def _terminate_listeners(settings: Settings) -> int:
    """Have PostgreSQL end every connection LISTENing on the test database; how many there were."""
    import asyncpg

    from app.db.notifications import asyncpg_dsn

    admin = await asyncpg.connect(asyncpg_dsn(settings.database_url))
    try:
        rows = await admin.fetch(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid() AND query ILIKE 'LISTEN%'"
        )
    finally:
        await admin.close()
    return len(rows)
