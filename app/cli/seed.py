"""Bulk data for benchmarks and demos: `python -m app seed`.

The database generates the rows itself (see `app.customers.seed_sql`), one transaction per batch so
the write lock is never held for long and progress can be shown.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from app.customers import seed_sql
from app.db import sqlite_pragmas
from app.db.engines import Database
from app.timestamps import utc_now

# Random uuids land all over the uuid index, so every batch rewrites most of its pages: fewer, larger
# batches write each page fewer times (at 1M customers: 20k batches ~35k rows/s, 100k ~50k; 250k ~8%
# faster than 100k, measured back to back). A batch holds SQLite's write lock for a few seconds; other
# writers wait (busy timeout 30 s), so seed a database that is serving traffic with care.
BATCH_SIZE = 250_000


@dataclass(frozen=True)
class SeedReport:
    """What a seed run wrote and how fast."""

    customers: int
    payment_methods: int
    seconds: float

    @property
    def customers_per_second(self) -> float:
        """Customers written per second of wall time."""
        return self.customers / self.seconds if self.seconds else 0.0


def print_progress(done: int, total: int, started: float) -> None:
    """A one-line progress bar on stderr with the rate reached so far."""
    elapsed = time.perf_counter() - started
    rate = done / elapsed if elapsed else 0.0
    width = 30
    filled = int(width * done / total) if total else width
    bar = "#" * filled + "-" * (width - filled)
    end = "\n" if done >= total else ""
    sys.stderr.write(f"\r[{bar}] {done:,}/{total:,} customers  {rate:,.0f} rows/s{end}")
    sys.stderr.flush()


async def seed_customers(
    database: Database,
    *,
    merchant_id: int,
    count: int,
    payment_method_every: int = 10,
    progress: Callable[[int, int, float], None] | None = print_progress,
) -> SeedReport:
    """Insert `count` customers for a merchant, oldest first, one millisecond apart, ending now;
    every `payment_method_every`-th gets a card (0: none)."""
    started = time.perf_counter()
    now = utc_now()
    base = now - timedelta(milliseconds=count)
    expiry = date(now.year + 3, 12, 31)
    methods = 0
    for start in range(0, count, BATCH_SIZE):
        stop = min(start + BATCH_SIZE, count)
        async with database.writer() as conn:
            if database.is_sqlite:
                for pragma in sqlite_pragmas.seed_pragmas():
                    await conn.exec_driver_sql(pragma)
            methods += await seed_sql.seed_customers(
                conn,
                merchant_id=merchant_id,
                start=start,
                stop=stop,
                base=base,
                payment_method_every=payment_method_every,
                expiry=expiry,
            )
        if progress is not None:
            progress(stop, count, started)
    if database.is_sqlite:
        await _checkpoint_sqlite(database)
    return SeedReport(customers=count, payment_methods=methods, seconds=time.perf_counter() - started)


async def _checkpoint_sqlite(database: Database) -> None:
    """Copy the seeded pages into the database file and empty the WAL (counted in the seed's time), and
    give the pooled writer connection back its default checkpoint threshold."""
    async with database.writer() as conn:
        for pragma in sqlite_pragmas.after_seed_pragmas():
            await conn.exec_driver_sql(pragma)
    async with database.reader() as conn:  # outside a transaction, as a checkpoint must be
        await conn.exec_driver_sql(sqlite_pragmas.CHECKPOINT_TRUNCATE)
