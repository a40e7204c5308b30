"""Connection pool figures for `/metrics`, sampled rather than counted per checkout.

Sampling costs the request path nothing. Each worker samples its own pools every few seconds (a task
started by the app's lifespan), and the worker answering a scrape samples again just before, so a
single process is always exact and, with several workers, the sum is at most SAMPLE_SECONDS old.

The pools: SQLAlchemy's (on SQLite a one-connection `writer` and a `reader` pool, on PostgreSQL one
`primary` pool), plus the prepared-read connections when `Database.prepared` offers `pool_figures()`
returning (size, open, in use).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Iterator

from sqlalchemy.pool import QueuePool

from app.db.engines import Database
from app.observability.metrics import DB_CONNECTIONS_IN_USE, DB_CONNECTIONS_OPEN, DB_POOL_SIZE

SAMPLE_SECONDS = 5.0
logger = logging.getLogger("app.observability")


def pool_figures(database: Database) -> Iterator[tuple[str, int, int, int]]:
    """(pool label, size, open connections, connections in use) for each pool of `database`."""
    engines = [("primary", database.write_engine)]
    if database.read_engine is not database.write_engine:
        engines = [("writer", database.write_engine), ("reader", database.read_engine)]
    for name, engine in engines:
        pool = engine.sync_engine.pool
        if isinstance(pool, QueuePool):
            in_use = pool.checkedout()
            yield name, pool.size(), pool.checkedin() + in_use, in_use
    prepared_figures = getattr(getattr(database, "prepared", None), "pool_figures", None)
    if callable(prepared_figures):
        size, open_now, in_use = prepared_figures()
        yield "prepared", size, open_now, in_use


def sample_pools(database: Database) -> None:
    """Write the current figures of every pool into the gauges."""
    for name, size, open_now, in_use in pool_figures(database):
        DB_POOL_SIZE.labels(name).set(size)
        DB_CONNECTIONS_OPEN.labels(name).set(open_now)
        DB_CONNECTIONS_IN_USE.labels(name).set(in_use)


async def _sample_forever(database: Database) -> None:
    while True:
        try:
            sample_pools(database)
        except Exception:  # a metrics hiccup must never take the worker down
            logger.exception("sampling the connection pools failed")
        await asyncio.sleep(SAMPLE_SECONDS)


@contextlib.asynccontextmanager
async def pool_sampler(database: Database) -> AsyncIterator[None]:
    """Sample `database`'s pools in the background for as long as the block runs."""
    task = asyncio.create_task(_sample_forever(database), name="db-pool-sampler")
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
