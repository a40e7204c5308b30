"""Every SQL statement about events, defined here once; each filters by the merchant it is given
(the retention sweep, by age, and the live feed of subscriptions work across merchants)."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Text, bindparam, cast, delete, func, insert, literal, select
from sqlalchemy.sql import Delete, Select

from app.db.tables import table_of
from app.events.models import EventTable

events = table_of(EventTable)
e = events.c

# The order of `Event`'s fields (app/events/domain.py).
EVENT_COLUMNS = (e.id, e.public_id, e.type, e.customer_uuid, e.data, e.previous_attributes, e.created_at)

EVENT_BY_PUBLIC_ID = select(*EVENT_COLUMNS).where(
    e.public_id == bindparam("public_id"), e.merchant_id == bindparam("merchant_id")
)

# Built once with bind parameters for every column, so each write reuses one compiled statement.
INSERT_EVENT = insert(events).values(
    merchant_id=bindparam("merchant_id"),
    public_id=bindparam("public_id"),
    type=bindparam("type"),
    customer_uuid=bindparam("customer_uuid"),
    data=bindparam("data", type_=e.data.type),
    previous_attributes=bindparam("previous_attributes", type_=e.previous_attributes.type),
    created_at=bindparam("created_at", type_=e.created_at.type),
    webhooks_pending=True,
)


# The live feed (app/events/hub.py): newest sequence, events after a sequence (every merchant, oldest
# first), and given sequences of one merchant.
LAST_SEQUENCE = select(func.max(e.id))

EVENTS_AFTER = (
    select(e.merchant_id, *EVENT_COLUMNS)
    .where(e.id > bindparam("after", type_=e.id.type))
    .order_by(e.id)
    .limit(bindparam("limit"))
)

EVENTS_BY_SEQUENCE = (
    select(*EVENT_COLUMNS)
    .where(e.merchant_id == bindparam("merchant_id"), e.id.in_(bindparam("sequences", expanding=True)))
    .order_by(e.id)
)

# PostgreSQL only: delivered to LISTENers when the writing transaction commits, dropped on rollback.
NOTIFY_CHANNEL = "customer_events"
# PostgreSQL: the INSERT and its notification (`<merchant id>:<sequence>`) in one round trip; answers the
# new event's sequence.
_INSERTED = INSERT_EVENT.returning(e.id, e.merchant_id).cte("inserted")
INSERT_AND_NOTIFY_EVENT = select(
    _INSERTED.c.id,
    func.pg_notify(
        literal(NOTIFY_CHANNEL),
        func.concat(cast(_INSERTED.c.merchant_id, Text), literal(":"), cast(_INSERTED.c.id, Text)),
    ),
)


@cache
def feed_page(type_count: int, by_customer: bool, keyset: bool) -> Select[Any]:
    """A page of one merchant's events newest first: of `type_count` types (`type0`..; 0: any), of one
    customer if asked, older than the `after` sequence if asked."""
    conditions: list[Any] = [e.merchant_id == bindparam("merchant_id")]
    if type_count:
        conditions.append(e.type.in_([bindparam(f"type{index}") for index in range(type_count)]))
    if by_customer:
        conditions.append(e.customer_uuid == bindparam("customer_uuid"))
    if keyset:
        conditions.append(e.id < bindparam("after", type_=e.id.type))
    return (
        select(*EVENT_COLUMNS)
        .where(*conditions)
        .order_by(e.id.desc())
        .limit(bindparam("limit"))
        .offset(bindparam("offset"))
    )


def delete_created_before(cutoff: datetime, *, batch: int) -> Delete:
    """DELETE of at most `batch` events created before `cutoff` (small batches keep locks short)."""
    oldest = select(e.id).where(e.created_at < cutoff).order_by(e.id).limit(batch).scalar_subquery()
    return delete(events).where(e.id.in_(oldest))
