"""The events feed both transports call, and the retention sweep. Events themselves are written by the
services whose changes they describe (through `app.events.repository.record`, in the change's transaction).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from app.db.engines import Database
from app.errors import NotFound
from app.events import repository
from app.events.cursors import decode_cursor
from app.events.domain import Event, EventFilter, EventPage
from app.events.rules import DEFAULT_RETENTION_DAYS, clean_types, retention_cutoff
from app.paging import clean_offset, clean_page_size
from app.timestamps import utc_now

SWEEP_BATCH = 1000


class EventService:
    """Reads of one merchant's events, and the sweep of events past retention."""

    def __init__(self, database: Database, *, retention_days: int = DEFAULT_RETENTION_DAYS) -> None:
        self._db = database
        self.retention_days = retention_days

    async def get(self, *, merchant_id: int, event_id: str) -> Event:
        """One event by its public id; NotFound for unknown or foreign ids."""
        async with self._db.reader() as conn:
            found = await repository.event_by_id(conn, merchant_id=merchant_id, public_id=event_id)
        if found is None:
            raise NotFound("event not found")
        return found

    async def list_events(
        self,
        *,
        merchant_id: int,
        limit: Any = None,
        offset: Any = None,
        after: str | None = None,
        types: Iterable[str] = (),
        customer_uuid: str | None = None,
        limit_field: str = "limit",
        types_field: str = "type",
    ) -> EventPage:
        """A page of events newest first, by offset and/or keyset cursor (`after`), filtered by type names
        and customer. `limit_field` and `types_field` are what the caller calls those, for errors."""
        size = clean_page_size(limit, limit_field)
        skip = clean_offset(offset)
        event_filter = EventFilter(types=clean_types(types, types_field), customer_uuid=customer_uuid)
        sequence = decode_cursor(after) if after is not None else None
        async with self._db.reader() as conn:
            rows = await repository.feed(
                conn,
                merchant_id=merchant_id,
                event_filter=event_filter,
                limit=size + 1,
                offset=skip,
                after=sequence,
            )
        return EventPage(items=rows[:size], has_next=len(rows) > size)

    async def sweep(self) -> int:
        """Delete every event past retention, in short transactions; how many were deleted."""
        cutoff = retention_cutoff(utc_now(), self.retention_days)
        total = 0
        while True:
            async with self._db.writer() as conn:
                deleted = await repository.delete_created_before(conn, cutoff, batch=SWEEP_BATCH)
            total += deleted
            if deleted < SWEEP_BATCH:
                return total
