"""Deliveries end to end on both databases: events written through the service reach a real HTTP
receiver that verifies them with `standardwebhooks`; failures are retried on the schedule, recorded, and
end with the endpoint disabled; two workers never send one attempt at once."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator
from dataclasses import replace

import pytest

from app.customers.rules import NullMeans
from app.events.published import event_object
from app.merchants.repository import Merchant
from app.runtime import Services
from app.settings import Settings
from app.webhooks.worker import DeliveryWorker, running
from tests.webhooks.conftest import FAST_SCHEDULE
from tests.webhooks.receiver import Receiver, receiving

CARD = {"masked_pan": "411111******1111", "expiration_date": "12/34", "token": "tok_visa_1"}


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    async with receiving(Receiver()) as serving:
        yield serving


async def register(services: Services, merchant: Merchant, receiver: Receiver, **data: object) -> str:
    """Register the receiver for the merchant; it learns the secret. Returns the endpoint id."""
    created = await services.webhooks.create_endpoint(
        merchant_id=merchant.id, data={"url": receiver.url, **data}
    )
    receiver.secret = created.secret
    return created.endpoint.id


def worker_of(services: Services, **overrides: object) -> DeliveryWorker:
    worker = services.delivery_worker()
    for name, value in overrides.items():
        setattr(worker, name, value)
    return worker


async def wait_until(condition: object, timeout: float = 15.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not await condition():  # type: ignore[operator]
        assert asyncio.get_running_loop().time() < deadline, "condition not met in time"
        await asyncio.sleep(0.05)


async def test_every_change_is_delivered_signed_and_as_the_feed_shows_it(
    services: Services, merchant: Merchant, receiver: Receiver
) -> None:
    endpoint_id = await register(services, merchant, receiver)
    customers = services.customers
    async with running(worker_of(services)):
        customer = await customers.create(merchant_id=merchant.id, data={"name": "Ann"})
        await customers.update(
            merchant_id=merchant.id, uuid=customer.uuid, data={"name": "Bea"}, null_means=NullMeans.KEEP
        )
        card = await customers.add_payment_method(
            merchant_id=merchant.id, customer_uuid=customer.uuid, data=CARD
        )
        await customers.remove_payment_method(
            merchant_id=merchant.id, customer_uuid=customer.uuid, payment_method_id=card.id
        )
        await customers.delete(merchant_id=merchant.id, uuid=customer.uuid)
        await receiver.wait_for(5)

    feed = (await services.events.list_events(merchant_id=merchant.id)).items
    assert receiver.bad_signatures == 0
    by_id = {item.webhook_id: item.event for item in receiver.deliveries}
    assert set(by_id) == {event.id for event in feed}
    for event in feed:
        assert by_id[event.id] == event_object(event)
    assert by_id[feed[3].id]["previous_attributes"] == {"name": "Ann"}
    attempts = (await services.webhooks.list_attempts(merchant_id=merchant.id, endpoint_id=endpoint_id)).items
    assert len(attempts) == 5
    assert all(
        attempt.succeeded and attempt.status_code == 200 and attempt.error is None for attempt in attempts
    )
    assert {attempt.event_id for attempt in attempts} == set(by_id)


async def test_endpoints_get_the_types_they_want_from_when_they_were_registered(
    services: Services, merchant: Merchant, other_merchant: Merchant, receiver: Receiver
) -> None:
    early = await services.customers.create(merchant_id=merchant.id, data={"name": "Before"})
    await register(services, merchant, receiver, event_types=["customer.deleted"])
    worker = worker_of(services)
    await services.customers.create(merchant_id=merchant.id, data={"name": "Not wanted"})
    await services.customers.create(merchant_id=other_merchant.id, data={"name": "Other tenant"})
    await services.customers.delete(merchant_id=merchant.id, uuid=early.uuid)
    async with running(worker):
        await receiver.wait_for(1)
        await asyncio.sleep(0.3)  # time for anything else to (wrongly) arrive
    assert [item.event["type"] for item in receiver.deliveries] == ["customer.deleted"]
    assert receiver.deliveries[0].event["customer_uuid"] == early.uuid


async def test_failed_deliveries_are_retried_on_the_schedule_until_they_succeed(
    services: Services, merchant: Merchant, receiver: Receiver
) -> None:
    receiver.answer = lambda seen: 500 if seen <= 2 else 200
    endpoint_id = await register(services, merchant, receiver)
    async with running(worker_of(services)):
        for number in range(3):
            await services.customers.create(merchant_id=merchant.id, data={"name": f"Retry {number}"})
        await receiver.wait_for(3)

    assert set(receiver.attempts_by_id.values()) == {3}
    for times in receiver.arrivals.values():
        gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
        # Backoff respected: each retry waits at least its scheduled delay.
        assert gaps[0] >= FAST_SCHEDULE[0] * 0.95 and gaps[1] >= FAST_SCHEDULE[1] * 0.95, gaps
    attempts = (await services.webhooks.list_attempts(merchant_id=merchant.id, endpoint_id=endpoint_id)).items
    assert len(attempts) == 9
    assert sorted(attempt.status_code or 0 for attempt in attempts) == [200] * 3 + [500] * 6
    failed = [attempt for attempt in attempts if not attempt.succeeded]
    assert {attempt.error for attempt in failed} == {"answered 500"}
    assert {attempt.attempt for attempt in attempts} == {1, 2, 3}
    endpoint = await services.webhooks.get_endpoint(merchant_id=merchant.id, endpoint_id=endpoint_id)
    assert endpoint.enabled


async def test_an_endpoint_that_keeps_failing_is_disabled_and_can_be_enabled_again(
    services: Services, merchant: Merchant, receiver: Receiver
) -> None:
    receiver.answer = lambda seen: 503
    endpoint_id = await register(services, merchant, receiver)
    hooks = services.webhooks
    async with running(worker_of(services)):
        await services.customers.create(merchant_id=merchant.id, data={"name": "Doomed"})

        async def disabled() -> bool:
            return not (await hooks.get_endpoint(merchant_id=merchant.id, endpoint_id=endpoint_id)).enabled

        await wait_until(disabled)
        endpoint = await hooks.get_endpoint(merchant_id=merchant.id, endpoint_id=endpoint_id)
        assert endpoint.disabled_reason is not None and "4 attempts" in endpoint.disabled_reason
        # Every attempt of the schedule was made, none after it.
        assert list(receiver.attempts_by_id.values()) == [len(FAST_SCHEDULE) + 1]
        attempts = (await hooks.list_attempts(merchant_id=merchant.id, endpoint_id=endpoint_id)).items
        assert [attempt.attempt for attempt in attempts] == [4, 3, 2, 1]  # newest first

        # A disabled endpoint is sent nothing...
        await services.customers.create(merchant_id=merchant.id, data={"name": "Unsent"})
        await asyncio.sleep(0.4)
        assert sum(receiver.attempts_by_id.values()) == 4
        # ...until the merchant enables it again; what it missed meanwhile stays unsent.
        receiver.answer = lambda seen: 200
        await hooks.update_endpoint(merchant_id=merchant.id, endpoint_id=endpoint_id, data={"enabled": True})
        later = await services.customers.create(merchant_id=merchant.id, data={"name": "Sent"})
        await receiver.wait_for(1)
    assert [item.event["customer_uuid"] for item in receiver.deliveries] == [later.uuid]


@pytest.mark.parametrize(
    ("answer", "delay", "error"),
    [(302, 0.0, "redirects are not followed"), (200, 1.5, "timed out")],
)
async def test_redirects_and_slow_answers_are_failures(
    services: Services, merchant: Merchant, receiver: Receiver, answer: int, delay: float, error: str
) -> None:
    receiver.answer = lambda seen: answer
    receiver.delay_seconds = delay
    endpoint_id = await register(services, merchant, receiver)
    async with running(worker_of(services, timeout_seconds=0.5, schedule=(30.0,))):
        await services.customers.create(merchant_id=merchant.id, data={"name": "Slow"})

        async def attempted() -> bool:
            page = await services.webhooks.list_attempts(merchant_id=merchant.id, endpoint_id=endpoint_id)
            return bool(page.items)

        await wait_until(attempted)
    [attempt] = (
        await services.webhooks.list_attempts(merchant_id=merchant.id, endpoint_id=endpoint_id)
    ).items
    assert not attempt.succeeded and attempt.error == error
    assert attempt.status_code == (302 if answer == 302 else None)


async def test_a_private_target_is_refused_again_when_delivering(
    services: Services, merchant: Merchant, receiver: Receiver
) -> None:
    """An endpoint whose name resolves to a private address by the time of delivery (DNS rebinding) is
    refused then too; here: registered while private targets were allowed, delivered without."""
    endpoint_id = await register(services, merchant, receiver)
    async with running(worker_of(services, allow_private=False, schedule=(30.0,))):
        await services.customers.create(merchant_id=merchant.id, data={"name": "Rebound"})

        async def attempted() -> bool:
            page = await services.webhooks.list_attempts(merchant_id=merchant.id, endpoint_id=endpoint_id)
            return bool(page.items)

        await wait_until(attempted)
    [attempt] = (
        await services.webhooks.list_attempts(merchant_id=merchant.id, endpoint_id=endpoint_id)
    ).items
    assert attempt.error is not None and attempt.error.startswith("refused:") and "127.0.0.1" in attempt.error
    assert receiver.attempts_by_id == {}


@pytest.mark.slow
async def test_two_workers_deliver_500_racing_writes_once_each_never_concurrently(
    settings: Settings, services: Services, merchant: Merchant, receiver: Receiver
) -> None:
    """Two workers with their own engines (as two processes have) over one database, 500 writes racing."""
    receiver.delay_seconds = 0.005  # long enough for a second sender to overlap, were it allowed to
    await register(services, merchant, receiver)
    second = Services.from_settings(replace(settings))
    try:
        async with running(worker_of(services)), running(worker_of(second)):

            async def write(number: int) -> None:
                await services.customers.create(merchant_id=merchant.id, data={"name": f"Racer {number}"})

            for start in range(0, 500, 50):
                await asyncio.gather(*(write(number) for number in range(start, start + 50)))
            await receiver.wait_for(500, timeout=120)
            await asyncio.sleep(0.3)
    finally:
        await second.close()
    feed_ids: set[str] = set()
    while True:
        page = await services.events.list_events(merchant_id=merchant.id, limit=100, offset=len(feed_ids))
        feed_ids |= {event.id for event in page.items}
        if not page.has_next:
            break
    assert len(feed_ids) == 500
    assert receiver.delivered_ids() == feed_ids
    assert receiver.most_concurrent_per_id == 1
    assert set(receiver.attempts_by_id.values()) == {1}  # every event sent once: no attempt duplicated
    assert receiver.bad_signatures == 0


async def test_an_endpoint_deleted_mid_delivery_ends_the_attempt_quietly(
    services: Services, merchant: Merchant, receiver: Receiver, caplog: pytest.LogCaptureFixture
) -> None:
    receiver.delay_seconds = 0.5
    endpoint_id = await register(services, merchant, receiver)
    async with running(worker_of(services)):
        await services.customers.create(merchant_id=merchant.id, data={"name": "Going"})

        async def arrived() -> bool:
            return bool(receiver.in_flight and sum(receiver.in_flight.values()))

        await wait_until(arrived)
        await services.webhooks.delete_endpoint(merchant_id=merchant.id, endpoint_id=endpoint_id)
        await asyncio.sleep(0.8)  # the answer comes back to a delivery that no longer exists
    assert "failed unexpectedly" not in caplog.text
    assert await services.webhooks.list_endpoints(merchant_id=merchant.id) == []


async def test_turning_an_endpoint_off_gives_up_its_pending_deliveries(
    services: Services, merchant: Merchant, receiver: Receiver
) -> None:
    endpoint_id = await register(services, merchant, receiver)
    worker = worker_of(services)
    await services.customers.create(merchant_id=merchant.id, data={"name": "Queued"})
    assert await worker.fan_out() >= 1
    hooks = services.webhooks
    await hooks.update_endpoint(merchant_id=merchant.id, endpoint_id=endpoint_id, data={"enabled": False})
    await hooks.update_endpoint(merchant_id=merchant.id, endpoint_id=endpoint_id, data={"enabled": True})
    assert await worker.claim(10) == []  # what was pending when it was turned off stays unsent
