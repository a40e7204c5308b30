"""The retention sweep a serving process runs in the background."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from app.events.service import EventService

log = logging.getLogger("app.events")


async def _sweep_forever(events: EventService, interval_seconds: float) -> None:
    while True:
        try:
            deleted = await events.sweep()
        except Exception:  # a failed sweep is retried next interval; it must not end the loop
            log.exception("events retention sweep failed")
        else:
            if deleted:
                log.info("events retention sweep deleted %d events", deleted)
        await asyncio.sleep(interval_seconds)


@contextlib.asynccontextmanager
async def periodic_sweep(events: EventService, interval_seconds: float) -> AsyncIterator[None]:
    """Sweep events past retention now and every `interval_seconds` while the block runs (0: never).

    Several workers sweeping at once is harmless: each deletes what is still there.
    """
    if interval_seconds <= 0:
        yield
        return
    task = asyncio.create_task(_sweep_forever(events, interval_seconds))
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
