"""Every SQL statement about webhooks, defined here once. Endpoint statements filter by the merchant they
are given; the worker's statements work across merchants (it serves them all)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, delete, func, insert, select, update
from sqlalchemy.sql import Select

from app.db.tables import table_of
from app.events.models import EventTable
from app.webhooks.domain import DeliveryStatus
from app.webhooks.models import WebhookAttemptTable, WebhookDeliveryTable, WebhookEndpointTable

endpoints = table_of(WebhookEndpointTable)
deliveries = table_of(WebhookDeliveryTable)
attempts = table_of(WebhookAttemptTable)
events = table_of(EventTable)
w, d, a, e = endpoints.c, deliveries.c, attempts.c, events.c

# The order of `_endpoint`'s fields (app/webhooks/repository.py).
ENDPOINT_COLUMNS = (
    w.public_id,
    w.url,
    w.description,
    w.event_types,
    w.enabled,
    w.disabled_reason,
    w.created_at,
)
_MERCHANT = w.merchant_id == bindparam("merchant_id")
_THIS_ENDPOINT = (_MERCHANT, w.public_id == bindparam("public_id"))

INSERT_ENDPOINT = insert(endpoints)
ENDPOINTS_OF_MERCHANT = select(*ENDPOINT_COLUMNS).where(_MERCHANT).order_by(w.id.desc())
COUNT_ENDPOINTS = select(func.count()).select_from(endpoints).where(_MERCHANT)
ENDPOINT_BY_PUBLIC_ID = select(w.id, *ENDPOINT_COLUMNS).where(*_THIS_ENDPOINT)
DELETE_ENDPOINT = delete(endpoints).where(*_THIS_ENDPOINT)
# UPDATE reserves the column names for SET values, so its conditions bind other names.
UPDATE_ENDPOINT = update(endpoints).where(
    w.merchant_id == bindparam("of_merchant"), w.public_id == bindparam("of_public_id")
)

ATTEMPTS_PAGE = (
    select(a.event_public_id, a.attempt, a.succeeded, a.status_code, a.duration_ms, a.error, a.attempted_at)
    .where(a.endpoint_id == bindparam("endpoint_id"))
    .order_by(a.id.desc())
    .limit(bindparam("limit"))
    .offset(bindparam("offset"))
)

# --- the worker -------------------------------------------------------------------------------------
# `IS NOT NULL`, as the partial index says it: SQLite uses the index only for the very same term.
ANY_PENDING_EVENT = select(e.id).where(e.webhooks_pending.is_not(None)).limit(1)


def pending_events(*, lock: bool) -> Select[Any]:
    """The oldest events not yet fanned out; `lock`: claimed row by row (PostgreSQL), skipping rows another
    worker holds, so two workers never fan out one event."""
    statement = (
        select(e.id, e.merchant_id, e.type, e.created_at)
        .where(e.webhooks_pending.is_not(None))
        .order_by(e.id)
        .limit(bindparam("limit"))
    )
    return statement.with_for_update(skip_locked=True) if lock else statement


ENABLED_ENDPOINTS_OF = select(w.id, w.merchant_id, w.event_types, w.created_at).where(
    w.merchant_id.in_(bindparam("merchant_ids", expanding=True)), w.enabled.is_(True)
)
INSERT_DELIVERY = insert(deliveries)
FANNED_OUT = (
    update(events).where(e.id.in_(bindparam("event_ids", expanding=True))).values(webhooks_pending=None)
)

_DUE = (d.status == DeliveryStatus.PENDING.value, d.next_attempt_at <= bindparam("now"))
ANY_DUE_DELIVERY = select(d.id).where(*_DUE).limit(1)


def due_deliveries(*, lock: bool) -> Select[Any]:
    """Pending deliveries whose time has come, of enabled endpoints, oldest due first; `lock` as in
    `pending_events` (only the delivery rows are locked)."""
    statement = (
        select(d.id, d.endpoint_id, d.attempts, w.url, w.secret, d.event_id, w.merchant_id)
        .join(endpoints, endpoints.c.id == d.endpoint_id)
        .where(*_DUE, w.enabled.is_(True))
        .order_by(d.next_attempt_at, d.id)
        .limit(bindparam("limit"))
    )
    return statement.with_for_update(skip_locked=True, of=deliveries) if lock else statement


LEASE = (
    update(deliveries)
    .where(d.id.in_(bindparam("delivery_ids", expanding=True)))
    .values(attempts=d.attempts + 1, next_attempt_at=bindparam("lease_until"))
)
INSERT_ATTEMPT = insert(attempts)
# Only the claim that made this attempt may settle it (`attempts` is its fencing token).
_THIS_CLAIM = (d.id == bindparam("delivery_id"), d.attempts == bindparam("attempt"))
SETTLE = update(deliveries).where(*_THIS_CLAIM)
DISABLE_ENDPOINT = (
    update(endpoints)
    .where(w.id == bindparam("endpoint_id"))
    .values(enabled=False, disabled_reason=bindparam("reason"))
)
FAIL_PENDING_OF_ENDPOINT = (
    update(deliveries)
    .where(d.endpoint_id == bindparam("of_endpoint"), d.status == DeliveryStatus.PENDING.value)
    .values(status=DeliveryStatus.FAILED.value)
)
