"""Reads and writes of the outbox. Writes take the connection of the change they describe, so the event
commits, or rolls back, with it; every call names its merchant (keyword-only)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from app.db._commit_batch import execute_at_commit
from app.events import statements
from app.events.domain import Event, EventFilter, EventType
from app.events.rules import new_event_id


def _event(row: Sequence[Any]) -> Event:
    sequence, public_id, type_name, customer_uuid, data, previous, created_at = row
    return Event(
        sequence=sequence,
        id=public_id,
        type=EventType(type_name),
        customer_uuid=customer_uuid,
        data=data,
        previous_attributes=previous,
        created_at=created_at,
    )


async def record(
    conn: AsyncConnection,
    *,
    merchant_id: int,
    type: EventType,
    customer_uuid: str,
    data: dict[str, Any],
    now: datetime,
    previous_attributes: dict[str, Any] | None = None,
) -> Event:
    """Write one event on `conn`, inside the transaction of the change it describes.

    On SQLite the INSERT travels with the transaction's COMMIT (app/db/_commit_batch.py): the returned
    event's `sequence` is then 0, as nothing has numbered it yet.
    """
    event = Event(
        sequence=0,
        id=new_event_id(),
        type=type,
        customer_uuid=customer_uuid,
        data=data,
        previous_attributes=previous_attributes,
        created_at=now,
    )
    parameters = {
        "merchant_id": merchant_id,
        "public_id": event.id,
        "type": type.value,
        "customer_uuid": customer_uuid,
        "data": data,
        "previous_attributes": previous_attributes,
        "created_at": now,
    }
    if await execute_at_commit(conn, statements.INSERT_EVENT, parameters):
        return event
    if conn.dialect.name == "postgresql":
        # With its notification, in one round trip: subscribers of every process hear of the event when
        # (and only if) this transaction commits.
        sequence = int((await conn.execute(statements.INSERT_AND_NOTIFY_EVENT, parameters)).scalar_one())
    else:
        result = await conn.execute(statements.INSERT_EVENT, parameters)
        key = result.inserted_primary_key
        assert key is not None  # an INSERT of one row always has its key
        sequence = int(key[0])
    return replace(event, sequence=sequence)


def parse_notification(payload: str) -> tuple[int, int] | None:
    """(merchant id, sequence) from a notification payload; None for anything else on the channel."""
    merchant, _, sequence = payload.partition(":")
    if not (merchant.isdigit() and sequence.isdigit()):
        return None
    return int(merchant), int(sequence)


async def last_sequence(conn: AsyncConnection) -> int:
    """The newest event's sequence, of any merchant (0 when there is none): where a live feed starts."""
    result = await conn.execute(statements.LAST_SEQUENCE)
    return int(result.scalar() or 0)


async def events_after(conn: AsyncConnection, *, after_sequence: int, limit: int) -> list[tuple[int, Event]]:
    """Up to `limit` events of every merchant after `after_sequence`, oldest first, with their merchant id.

    Across merchants on purpose, like the retention sweep: one process's live feed reads the outbox once
    for all its subscribers and hands each merchant's events only to that merchant's subscribers.
    """
    result = await conn.execute(statements.EVENTS_AFTER, {"after": after_sequence, "limit": limit})
    return [(int(row[0]), _event(row[1:])) for row in result]


async def events_by_sequence(
    conn: AsyncConnection, *, merchant_id: int, sequences: Sequence[int]
) -> list[Event]:
    """The merchant's events of these sequences (those that still exist), oldest first."""
    if not sequences:
        return []
    result = await conn.execute(
        statements.EVENTS_BY_SEQUENCE, {"merchant_id": merchant_id, "sequences": list(sequences)}
    )
    return [_event(row) for row in result]


async def event_by_id(conn: AsyncConnection, *, merchant_id: int, public_id: str) -> Event | None:
    """The merchant's event with this public id, or None."""
    result = await conn.execute(
        statements.EVENT_BY_PUBLIC_ID, {"public_id": public_id, "merchant_id": merchant_id}
    )
    row = result.first()
    return None if row is None else _event(row)


async def feed(
    conn: AsyncConnection,
    *,
    merchant_id: int,
    event_filter: EventFilter,
    limit: int,
    offset: int,
    after: int | None,
) -> list[Event]:
    """The merchant's events newest first, filtered, after the `after` sequence if given."""
    statement = statements.feed_page(
        len(event_filter.types), event_filter.customer_uuid is not None, after is not None
    )
    parameters: dict[str, Any] = {"merchant_id": merchant_id, "limit": limit, "offset": offset}
    parameters.update({f"type{index}": kind.value for index, kind in enumerate(event_filter.types)})
    if event_filter.customer_uuid is not None:
        parameters["customer_uuid"] = event_filter.customer_uuid
    if after is not None:
        parameters["after"] = after
    result = await conn.execute(statement, parameters)
    return [_event(row) for row in result]


async def delete_created_before(conn: AsyncConnection, cutoff: datetime, *, batch: int) -> int:
    """Delete up to `batch` events older than `cutoff`, of every merchant; how many went."""
    result = await conn.execute(statements.delete_created_before(cutoff, batch=batch))
    return int(result.rowcount or 0)
