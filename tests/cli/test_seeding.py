"""`seed` writes customers the service reads back like any other, on both databases."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import make_url

from app.cli import seed as seeding
from app.cli.seed import seed_customers
from app.customers.pagination import encode_cursor
from app.db import sqlite_pragmas
from app.merchants.repository import Merchant
from app.runtime import Services

UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


async def test_seeded_customers_read_back_newest_first_with_cards(
    services: Services, merchant: Merchant
) -> None:
    report = await seed_customers(
        services.database, merchant_id=merchant.id, count=250, payment_method_every=10, progress=None
    )

    assert report.customers == 250
    assert await services.customers.count(merchant_id=merchant.id) == 250
    page = await services.customers.list_customers(merchant_id=merchant.id, limit=100)
    names = [customer.name for customer in page.items]
    assert names[:3] == ["Customer 249", "Customer 248", "Customer 247"]
    assert all(UUID4.match(customer.uuid) for customer in page.items)
    newest = page.items[0]
    assert await services.customers.get(merchant_id=merchant.id, uuid=newest.uuid) == newest
    assert newest.metadata in ({"tier": "gold"}, {"tier": "standard"})
    assert newest.created_at > page.items[1].created_at
    following = await services.customers.list_customers(
        merchant_id=merchant.id, limit=100, after=encode_cursor(page.items[-1])
    )
    assert following.items[0].name == "Customer 149"
    methods = await services.customers.list_merchant_payment_methods(merchant_id=merchant.id, limit=100)
    assert report.payment_methods == len(methods) == 25
    assert all(not method.expired for method in methods)


async def test_seeding_twice_appends(services: Services, merchant: Merchant) -> None:
    await seed_customers(
        services.database, merchant_id=merchant.id, count=30, payment_method_every=0, progress=None
    )
    await seed_customers(
        services.database, merchant_id=merchant.id, count=30, payment_method_every=0, progress=None
    )
    assert await services.customers.count(merchant_id=merchant.id) == 60


async def test_seeding_leaves_sqlite_checkpointed_with_its_default_threshold(
    services: Services, merchant: Merchant, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not services.database.is_sqlite:
        pytest.skip("WAL checkpoints are SQLite's")
    monkeypatch.setattr(seeding, "BATCH_SIZE", 40)  # several batches, as a large seed has

    report = await seed_customers(
        services.database, merchant_id=merchant.id, count=100, payment_method_every=0, progress=None
    )

    assert report.customers == await services.customers.count(merchant_id=merchant.id) == 100
    async with services.database.writer() as conn:
        threshold = (await conn.exec_driver_sql("PRAGMA wal_autocheckpoint")).scalar_one()
    assert threshold == sqlite_pragmas.DEFAULT_AUTOCHECKPOINT_PAGES
    database_file = Path(make_url(services.database.url).database or "")
    wal = database_file.with_name(database_file.name + "-wal")
    assert wal.stat().st_size == 0  # truncated: every seeded page is in the database file
