"""The raw-driver prepared reader: refused inside a unit of work, and its pool visible in /metrics."""

from __future__ import annotations

import httpx
import pytest

from app.client.auth import SignedAuth
from app.customers import reads
from app.db.raw_reads import PreparedReadInTransaction
from app.merchants.repository import Merchant
from app.runtime import Services
from tests.observability.helpers import sample_value, scrape
from tests.rest.conftest import create_customer, signed  # noqa: F401


async def test_a_prepared_read_inside_a_unit_of_work_is_a_programming_error(
    services: Services, merchant: Merchant
) -> None:
    created = await services.customers.create(merchant_id=merchant.id, data={"name": "Inside"})

    with pytest.raises(PreparedReadInTransaction, match="unit of work"):
        async with services.database.unit_of_work():
            await reads.customer_by_uuid(
                services.database.prepared, merchant_id=merchant.id, uuid=created.uuid
            )

    # Outside the block the same read runs, and so does a read in a plain writer() block.
    found = await reads.customer_by_uuid(
        services.database.prepared, merchant_id=merchant.id, uuid=created.uuid
    )
    assert found is not None and found.uuid == created.uuid
    async with services.database.writer():
        assert await services.customers.get(merchant_id=merchant.id, uuid=created.uuid) == found


async def test_the_refusal_is_per_database(services: Services, merchant: Merchant) -> None:
    other = Services.from_settings(services.settings)
    try:
        async with services.database.unit_of_work():
            assert services.database.in_unit_of_work()
            assert not other.database.in_unit_of_work()
            assert await other.customers.count(merchant_id=merchant.id) == 0
    finally:
        await other.close()
    assert not services.database.in_unit_of_work()


async def test_pool_figures_follow_the_driver_connections(services: Services, merchant: Merchant) -> None:
    prepared = services.database.prepared
    size, open_before, in_use = prepared.pool_figures()
    assert size >= 1 and open_before == 0 and in_use == 0

    await services.customers.count(merchant_id=merchant.id)

    size_after, open_after, in_use_after = prepared.pool_figures()
    assert size_after == size and 1 <= open_after <= size and in_use_after == 0


async def test_the_prepared_pool_shows_in_metrics(app_client: httpx.AsyncClient, signed: SignedAuth) -> None:  # noqa: F811
    await create_customer(app_client, signed, name="Pooled")
    await app_client.get("/v2/customers", auth=signed)

    text = await scrape(app_client)

    assert sample_value(text, "gateway_db_pool_size", pool="prepared") >= 1
    assert sample_value(text, "gateway_db_connections_open", pool="prepared") >= 1
    assert 'gateway_db_connections_in_use{pool="prepared"}' in text


async def test_a_read_on_postgresql_is_one_statement_on_the_wire(
    services: Services, merchant: Merchant, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not services.settings.database_url.startswith("postgresql"):
        pytest.skip("asyncpg's pool reset is PostgreSQL's")
    import asyncpg

    created = await services.customers.create(merchant_id=merchant.id, data={"name": "Wire"})
    sent: list[str] = []
    execute = asyncpg.Connection.execute

    async def recording_execute(self: asyncpg.Connection, query: str, *args: object, **kwargs: object) -> str:
        sent.append(query)
        return await execute(self, query, *args, **kwargs)

    monkeypatch.setattr(asyncpg.Connection, "execute", recording_execute)
    for _ in range(3):
        found = await reads.customer_by_uuid(
            services.database.prepared, merchant_id=merchant.id, uuid=created.uuid
        )
        assert found is not None and found.uuid == created.uuid

    # The default pool release would send its reset query (RESET ALL, UNLISTEN *, ...) after each read.
    assert sent == []
