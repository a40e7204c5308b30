"""Reads and writes of webhook endpoints, deliveries and attempts. Endpoint calls name their merchant
(keyword-only); the worker's calls serve every merchant."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from app.events.domain import EventType
from app.webhooks import statements
from app.webhooks.domain import Attempt, ClaimedDelivery, DeliveryStatus, WebhookEndpoint


def _endpoint(row: Sequence[Any]) -> WebhookEndpoint:
    public_id, url, description, event_types, enabled, disabled_reason, created_at = row
    return WebhookEndpoint(
        id=public_id,
        url=url,
        description=description,
        event_types=tuple(EventType(name) for name in event_types),
        enabled=bool(enabled),
        disabled_reason=disabled_reason,
        created_at=created_at,
    )


async def insert_endpoint(
    conn: AsyncConnection,
    *,
    merchant_id: int,
    public_id: str,
    url: str,
    description: str,
    event_types: Sequence[EventType],
    sealed_secret: str,
    now: datetime,
) -> WebhookEndpoint:
    """Store a new, enabled endpoint."""
    await conn.execute(
        statements.INSERT_ENDPOINT,
        {
            "merchant_id": merchant_id,
            "public_id": public_id,
            "url": url,
            "description": description,
            "event_types": [kind.value for kind in event_types],
            "secret": sealed_secret,
            "enabled": True,
            "disabled_reason": None,
            "created_at": now,
        },
    )
    return WebhookEndpoint(
        id=public_id,
        url=url,
        description=description,
        event_types=tuple(event_types),
        enabled=True,
        disabled_reason=None,
        created_at=now,
    )


async def count_endpoints(conn: AsyncConnection, *, merchant_id: int) -> int:
    """How many endpoints the merchant has."""
    return int((await conn.execute(statements.COUNT_ENDPOINTS, {"merchant_id": merchant_id})).scalar_one())


async def endpoints_of(conn: AsyncConnection, *, merchant_id: int) -> list[WebhookEndpoint]:
    """The merchant's endpoints, newest first."""
    result = await conn.execute(statements.ENDPOINTS_OF_MERCHANT, {"merchant_id": merchant_id})
    return [_endpoint(row) for row in result]


async def endpoint_by_id(
    conn: AsyncConnection, *, merchant_id: int, public_id: str
) -> tuple[int, WebhookEndpoint] | None:
    """The merchant's endpoint with this public id, with its internal id; None for unknown or foreign."""
    result = await conn.execute(
        statements.ENDPOINT_BY_PUBLIC_ID, {"merchant_id": merchant_id, "public_id": public_id}
    )
    row = result.first()
    return None if row is None else (int(row[0]), _endpoint(row[1:]))


async def delete_endpoint(conn: AsyncConnection, *, merchant_id: int, public_id: str) -> bool:
    """Delete the endpoint with its deliveries and attempts; False when there was none."""
    result = await conn.execute(
        statements.DELETE_ENDPOINT, {"merchant_id": merchant_id, "public_id": public_id}
    )
    return bool(result.rowcount)


async def update_endpoint(
    conn: AsyncConnection, *, merchant_id: int, public_id: str, values: dict[str, Any]
) -> None:
    """Change stored columns of one endpoint (`event_types` as wire names)."""
    await conn.execute(
        statements.UPDATE_ENDPOINT.values(**values), {"of_merchant": merchant_id, "of_public_id": public_id}
    )


async def attempts_page(conn: AsyncConnection, *, endpoint_id: int, limit: int, offset: int) -> list[Attempt]:
    """An endpoint's attempts, newest first."""
    result = await conn.execute(
        statements.ATTEMPTS_PAGE, {"endpoint_id": endpoint_id, "limit": limit, "offset": offset}
    )
    return [
        Attempt(
            event_id=event_id,
            attempt=attempt,
            succeeded=bool(succeeded),
            status_code=status_code,
            duration_ms=duration_ms,
            error=error,
            attempted_at=attempted_at,
        )
        for event_id, attempt, succeeded, status_code, duration_ms, error, attempted_at in result
    ]


# --- the worker -------------------------------------------------------------------------------------


async def any_pending_event(conn: AsyncConnection) -> bool:
    """True when some event still waits to be fanned out (a cheap read before taking the write lock)."""
    return (await conn.execute(statements.ANY_PENDING_EVENT)).first() is not None


@dataclass(frozen=True, slots=True)
class PendingEvent:
    """An event waiting to be fanned out to its merchant's endpoints."""

    sequence: int
    merchant_id: int
    type: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class ListeningEndpoint:
    """An enabled endpoint, as fan-out matches it against events."""

    id: int
    merchant_id: int
    event_types: tuple[str, ...]
    created_at: datetime


async def pending_events(conn: AsyncConnection, *, limit: int, lock: bool) -> list[PendingEvent]:
    """Up to `limit` of the oldest events waiting for fan-out (`lock`: row-locked, skipping held rows)."""
    result = await conn.execute(statements.pending_events(lock=lock), {"limit": limit})
    return [PendingEvent(*row) for row in result]


async def enabled_endpoints(conn: AsyncConnection, merchant_ids: Sequence[int]) -> list[ListeningEndpoint]:
    """The enabled endpoints of these merchants."""
    result = await conn.execute(statements.ENABLED_ENDPOINTS_OF, {"merchant_ids": list(merchant_ids)})
    return [
        ListeningEndpoint(id=row[0], merchant_id=row[1], event_types=tuple(row[2]), created_at=row[3])
        for row in result
    ]


async def mark_fanned_out(conn: AsyncConnection, sequences: Sequence[int]) -> None:
    """Take these events out of the fan-out queue."""
    await conn.execute(statements.FANNED_OUT, {"event_ids": list(sequences)})


async def insert_deliveries(conn: AsyncConnection, rows: list[dict[str, Any]]) -> None:
    """Store new pending deliveries (`endpoint_id`, `event_id`, `next_attempt_at`, `created_at` each)."""
    if rows:
        await conn.execute(
            statements.INSERT_DELIVERY,
            [{**row, "status": DeliveryStatus.PENDING.value, "attempts": 0} for row in rows],
        )


async def any_due_delivery(conn: AsyncConnection, *, now: datetime) -> bool:
    """True when some delivery is due (a cheap read before taking the write lock)."""
    return (await conn.execute(statements.ANY_DUE_DELIVERY, {"now": now})).first() is not None


async def claim_due(
    conn: AsyncConnection, *, now: datetime, limit: int, lease_until: datetime, lock: bool
) -> list[ClaimedDelivery]:
    """Claim up to `limit` due deliveries until `lease_until`, counting the attempt about to be made."""
    rows = (await conn.execute(statements.due_deliveries(lock=lock), {"now": now, "limit": limit})).all()
    if not rows:
        return []
    await conn.execute(
        statements.LEASE, {"delivery_ids": [row.id for row in rows], "lease_until": lease_until}
    )
    return [
        ClaimedDelivery(
            delivery_id=row.id,
            endpoint_id=row.endpoint_id,
            attempt=row.attempts + 1,
            url=row.url,
            sealed_secret=row.secret,
            event_sequence=row.event_id,
            merchant_id=row.merchant_id,
        )
        for row in rows
    ]


async def record_attempt(
    conn: AsyncConnection,
    *,
    claimed: ClaimedDelivery,
    event_public_id: str,
    outcome: dict[str, Any],
    attempted_at: datetime,
) -> None:
    """Store one attempt's outcome (`succeeded`, `status_code`, `duration_ms`, `error`)."""
    await conn.execute(
        statements.INSERT_ATTEMPT,
        {
            "endpoint_id": claimed.endpoint_id,
            "delivery_id": claimed.delivery_id,
            "event_public_id": event_public_id,
            "attempt": claimed.attempt,
            "attempted_at": attempted_at,
            **outcome,
        },
    )


async def settle(
    conn: AsyncConnection,
    *,
    claimed: ClaimedDelivery,
    status: DeliveryStatus,
    next_attempt_at: datetime | None,
) -> bool:
    """Settle the claimed attempt: delivered, failed, or pending again from `next_attempt_at`. False when
    the claim had been lost (its lease ran out and another worker took the delivery)."""
    values: dict[str, Any] = {"status": status.value}
    if next_attempt_at is not None:
        values["next_attempt_at"] = next_attempt_at
    result = await conn.execute(
        statements.SETTLE.values(**values), {"delivery_id": claimed.delivery_id, "attempt": claimed.attempt}
    )
    return bool(result.rowcount)


async def give_up_pending(conn: AsyncConnection, *, endpoint_id: int) -> None:
    """Mark every pending delivery of the endpoint failed (it was disabled)."""
    await conn.execute(statements.FAIL_PENDING_OF_ENDPOINT, {"of_endpoint": endpoint_id})


async def disable_endpoint(conn: AsyncConnection, *, endpoint_id: int, reason: str) -> None:
    """Disable an endpoint and give up on its other pending deliveries."""
    await conn.execute(statements.DISABLE_ENDPOINT, {"endpoint_id": endpoint_id, "reason": reason})
    await give_up_pending(conn, endpoint_id=endpoint_id)
