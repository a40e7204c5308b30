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
from app.db import Database
from app.timestamps import utc_now

BATCH_SIZE = 20_000
# Random uuids land all over the unique index; a large page cache keeps a big table's inserts from thrashing.
SQLITE_SEED_CACHE_KIB = 256 * 1024


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
                await conn.exec_driver_sql(f"PRAGMA cache_size = -{SQLITE_SEED_CACHE_KIB}")
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
    return SeedReport(customers=count, payment_methods=methods, seconds=time.perf_counter() - started)
