"""The idempotency mechanism itself, across two service stacks sharing one database (two workers)."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator
from dataclasses import replace

import pytest

from app.errors import CustomerDeleted, DomainError, InvalidInput, RequestInProgress
from app.idempotency import outcomes, repository
from app.idempotency.service import Answer
from app.merchants.repository import Merchant
from app.rest.errors import status_for
from app.runtime import Services
from app.secrets_at_rest import SecretBox
from app.settings import Settings


@pytest.fixture
async def second_worker(settings: Settings) -> AsyncIterator[Services]:
    """Another process's services: its own engines and pools on the same database."""
    built = Services.from_settings(replace(settings, idempotency_wait_seconds=1))
    yield built
    await built.close()


def _render(error: DomainError) -> str:
    return error.message


async def _keyed_create(services: Services, merchant: Merchant, key: str, *, hold: float = 0.0) -> Answer:
    async def execute() -> str:
        created = await services.customers.create(merchant_id=merchant.id, data={"name": "Racer"})
        await asyncio.sleep(hold)  # still inside the transaction: the key stays taken meanwhile
        return created.uuid

    return await services.idempotency.run(
        merchant_id=merchant.id,
        key=key,
        field="Idempotency-Key",
        request=(b"create", b"Racer"),
        execute=execute,
        render_error=_render,
    )


async def test_two_workers_racing_one_key_write_once(
    services: Services, second_worker: Services, merchant: Merchant
) -> None:
    first, second = await asyncio.gather(
        _keyed_create(services, merchant, "race", hold=0.2),
        _keyed_create(second_worker, merchant, "race", hold=0.2),
    )

    assert first.body == second.body
    assert sorted([first.replayed, second.replayed]) == [False, True]
    assert await services.customers.count(merchant_id=merchant.id) == 1


async def test_the_write_and_its_answer_commit_together(services: Services, merchant: Merchant) -> None:
    async def write_then_fail() -> str:
        await services.customers.create(merchant_id=merchant.id, data={"name": "Half"})
        raise RuntimeError("crash after the write, before the answer was kept")

    with pytest.raises(RuntimeError):
        await services.idempotency.run(
            merchant_id=merchant.id,
            key="atomic",
            field="Idempotency-Key",
            request=(b"x",),
            execute=write_then_fail,
            render_error=_render,
        )

    # Neither the customer nor the claim survived: a retry starts from scratch.
    assert await services.customers.count(merchant_id=merchant.id) == 0
    retried = await _keyed_create(services, merchant, "atomic")
    assert retried.replayed is False


async def test_a_domain_error_rolls_back_its_writes_but_keeps_its_answer(
    services: Services, merchant: Merchant
) -> None:
    async def write_then_refuse() -> str:
        await services.customers.create(merchant_id=merchant.id, data={"name": "Half"})
        raise InvalidInput("refused after a write")

    kwargs = dict(merchant_id=merchant.id, key="refused", field="Idempotency-Key", request=(b"x",))
    first = await services.idempotency.run(**kwargs, execute=write_then_refuse, render_error=_render)
    again = await services.idempotency.run(**kwargs, execute=write_then_refuse, render_error=_render)

    assert first == Answer("invalid_body", "refused after a write")
    assert again == Answer("invalid_body", "refused after a write", replayed=True)
    assert await services.customers.count(merchant_id=merchant.id) == 0


async def test_an_unexpected_failure_is_not_kept(services: Services, merchant: Merchant) -> None:
    attempts = iter([RuntimeError("busy"), "ok"])

    async def execute() -> str:
        attempt = next(attempts)
        if isinstance(attempt, Exception):
            raise attempt
        return attempt

    kwargs = dict(merchant_id=merchant.id, key="unexpected", field="Idempotency-Key", request=(b"x",))
    with pytest.raises(RuntimeError):
        await services.idempotency.run(**kwargs, execute=execute, render_error=_render)
    second = await services.idempotency.run(**kwargs, execute=execute, render_error=_render)

    assert second == Answer("succeeded", "ok")


async def test_outcomes_name_no_transport_status(services: Services, merchant: Merchant) -> None:
    async def refuse() -> str:
        raise CustomerDeleted("gone")

    kwargs = dict(merchant_id=merchant.id, key="outcome", field="Idempotency-Key", request=(b"x",))
    answer = await services.idempotency.run(**kwargs, execute=refuse, render_error=_render)
    async with services.database.reader() as conn:
        stored = await repository.stored_key(conn, merchant_id=merchant.id, key="outcome")

    assert answer.outcome == "customer_deleted"
    assert stored is not None and stored.outcome == "customer_deleted"
    assert outcomes.error_class_of(answer.outcome) is CustomerDeleted


async def test_a_key_held_longer_than_the_wait_is_answered_in_progress(
    database_url: str, services: Services, second_worker: Services, merchant: Merchant
) -> None:
    if database_url.startswith("sqlite"):
        pytest.skip("SQLite serialises writers on its lock; the bounded wait is PostgreSQL's lock_timeout")
    holder = asyncio.create_task(_keyed_create(services, merchant, "slow", hold=2.5))
    await asyncio.sleep(0.3)

    with pytest.raises(RequestInProgress) as raised:
        await _keyed_create(second_worker, merchant, "slow")

    assert status_for(raised.value) == 409
    assert [(e.field, e.code.value) for e in raised.value.field_errors] == [
        ("Idempotency-Key", "idempotency_key_in_use")
    ]

    assert (await holder).replayed is False
    assert (await _keyed_create(second_worker, merchant, "slow")).replayed is True


async def test_fingerprints_are_keyed_hashes_not_plain_ones(services: Services) -> None:
    body = b'{"masked_pan": "4111111111111111"}'
    fingerprint = SecretBox.from_settings(services.settings).fingerprint(body)

    assert fingerprint != hashlib.sha256(body).hexdigest()
    assert len(fingerprint) == 64
