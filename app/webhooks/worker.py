"""The delivery worker: fans events out to endpoints, claims due deliveries and sends them.

Every step is its own short transaction, so any number of workers (processes, instances) can run over
one database: on PostgreSQL, events and deliveries are claimed with `FOR UPDATE SKIP LOCKED`; on SQLite,
writers take turns (`BEGIN IMMEDIATE`). A claimed delivery is leased (app/webhooks/models.py), so an
attempt is never sent by two workers at once, and a worker killed mid-send loses nothing: its deliveries
are claimed again when their lease runs out. Deliveries are at least once; receivers deduplicate by
`webhook-id`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import AsyncIterator, Sequence
from datetime import timedelta

import httpx
import orjson

from app.db.engines import Database
from app.events import repository as events_repository
from app.events.published import event_object
from app.secrets_at_rest import SecretBox, UndecryptableSecret
from app.settings import Settings
from app.timestamps import utc_now
from app.webhooks import repository
from app.webhooks.domain import ClaimedDelivery, DeliveryStatus
from app.webhooks.rules import claim_lease_seconds, retry_delay, wants
from app.webhooks.sender import Outcome, deliver, signed_headers

log = logging.getLogger("app.webhooks")

FAN_OUT_BATCH = 500


class DeliveryWorker:
    """Sends the events of every merchant to their endpoints; `run()` until cancelled."""

    def __init__(
        self,
        database: Database,
        secrets: SecretBox,
        *,
        schedule: Sequence[float],
        allow_private: bool = False,
        concurrency: int = 16,
        timeout_seconds: float = 10.0,
        poll_seconds: float = 0.5,
        rng: random.Random | None = None,
    ) -> None:
        self._db = database
        self._secrets = secrets
        self.schedule = tuple(schedule)
        self.allow_private = allow_private
        self.concurrency = concurrency
        self.timeout_seconds = timeout_seconds
        self.poll_seconds = poll_seconds
        self._rng = rng or random.Random()
        self._lock_rows = not database.is_sqlite
        self._in_flight: set[asyncio.Task[None]] = set()

    @classmethod
    def from_settings(cls, settings: Settings, database: Database, secrets: SecretBox) -> DeliveryWorker:
        """A worker configured by the `GATEWAY_WEBHOOKS_*` settings."""
        return cls(
            database,
            secrets,
            schedule=settings.webhooks_retry_schedule,
            allow_private=settings.webhooks_allow_private,
            concurrency=settings.webhooks_concurrency,
            timeout_seconds=settings.webhooks_timeout_seconds,
            poll_seconds=settings.webhooks_poll_ms / 1000,
        )

    async def fan_out(self) -> int:
        """Make the deliveries of up to FAN_OUT_BATCH waiting events; how many events were taken."""
        async with self._db.reader() as conn:
            if not await repository.any_pending_event(conn):
                return 0
        now = utc_now()
        async with self._db.writer() as conn:
            events = await repository.pending_events(conn, limit=FAN_OUT_BATCH, lock=self._lock_rows)
            if not events:
                return 0
            endpoints = await repository.enabled_endpoints(
                conn, sorted({event.merchant_id for event in events})
            )
            rows = [
                {
                    "endpoint_id": endpoint.id,
                    "event_id": event.sequence,
                    "next_attempt_at": now,
                    "created_at": now,
                }
                for event in events
                for endpoint in endpoints
                # An endpoint gets the events written since it was registered, of the types it wants.
                if endpoint.merchant_id == event.merchant_id
                and endpoint.created_at <= event.created_at
                and wants(endpoint.event_types, event.type)
            ]
            await repository.insert_deliveries(conn, rows)
            await repository.mark_fanned_out(conn, [event.sequence for event in events])
        return len(events)

    async def claim(self, limit: int) -> list[ClaimedDelivery]:
        """Lease up to `limit` due deliveries to this worker."""
        if limit <= 0:
            return []
        now = utc_now()
        async with self._db.reader() as conn:
            if not await repository.any_due_delivery(conn, now=now):
                return []
        lease_until = now + timedelta(seconds=claim_lease_seconds(self.timeout_seconds))
        async with self._db.writer() as conn:
            return await repository.claim_due(
                conn, now=now, limit=limit, lease_until=lease_until, lock=self._lock_rows
            )

    async def attempt(self, client: httpx.AsyncClient, claimed: ClaimedDelivery) -> Outcome:
        """Send one claimed delivery and settle it: delivered, retried later, or failed for good (which
        disables the endpoint). Every attempt is recorded."""
        async with self._db.reader() as conn:
            found = await events_repository.events_by_sequence(
                conn, merchant_id=claimed.merchant_id, sequences=[claimed.event_sequence]
            )
        event = found[0] if found else None
        if event is None:  # swept past retention while it waited: nothing left to send
            outcome = Outcome(False, None, 0, "the event is past retention")
            await self._settle(claimed, "", outcome, final=True)
            return outcome
        try:
            body = orjson.dumps(event_object(event))
            secret = self._secrets.open(claimed.sealed_secret)
        except UndecryptableSecret:  # the server key was rotated away: retried until the schedule ends
            outcome = Outcome(False, None, 0, "the signing secret does not open with the server key")
            await self._settle(claimed, event.id, outcome, final=False)
            return outcome
        headers = signed_headers(secret=secret, message_id=event.id, timestamp=utc_now(), body=body)
        try:
            async with asyncio.timeout(self.timeout_seconds):
                outcome = await deliver(
                    client, url=claimed.url, body=body, headers=headers, allow_private=self.allow_private
                )
        except TimeoutError:
            outcome = Outcome(False, None, round(self.timeout_seconds * 1000), "timed out")
        await self._settle(claimed, event.id, outcome, final=False)
        return outcome

    async def _settle(
        self, claimed: ClaimedDelivery, event_id: str, outcome: Outcome, *, final: bool
    ) -> None:
        now = utc_now()
        delay = None if outcome.succeeded or final else retry_delay(self.schedule, claimed.attempt, self._rng)
        async with self._db.writer() as conn:
            if outcome.succeeded:
                settled = await repository.settle(
                    conn, claimed=claimed, status=DeliveryStatus.DELIVERED, next_attempt_at=None
                )
            elif delay is not None:
                settled = await repository.settle(
                    conn,
                    claimed=claimed,
                    status=DeliveryStatus.PENDING,
                    next_attempt_at=now + timedelta(seconds=delay),
                )
            else:
                settled = await repository.settle(
                    conn, claimed=claimed, status=DeliveryStatus.FAILED, next_attempt_at=None
                )
                if settled and not final:
                    reason = f"gave up after {claimed.attempt} attempts: {outcome.error or 'failed'}"
                    await repository.disable_endpoint(
                        conn, endpoint_id=claimed.endpoint_id, reason=reason[:255]
                    )
                    log.warning("webhook endpoint %d disabled: %s", claimed.endpoint_id, reason)
            # Not settled: the delivery is gone (its endpoint deleted, its event swept) or, past its lease,
            # another worker's; its attempts are then that worker's to record.
            if settled:
                await repository.record_attempt(
                    conn,
                    claimed=claimed,
                    event_public_id=event_id,
                    outcome={
                        "succeeded": outcome.succeeded,
                        "status_code": outcome.status_code,
                        "duration_ms": outcome.duration_ms,
                        "error": outcome.error,
                    },
                    attempted_at=now,
                )

    async def _attempt_logged(self, client: httpx.AsyncClient, claimed: ClaimedDelivery) -> None:
        try:
            await self.attempt(client, claimed)
        except asyncio.CancelledError:
            raise
        except Exception:  # the lease runs out and the delivery is tried again; the worker carries on
            log.exception("webhook delivery %d failed unexpectedly", claimed.delivery_id)

    async def run_once(self, client: httpx.AsyncClient) -> int:
        """One round: fan out, then start attempts for as many due deliveries as there are free slots.
        How much work was found (events fanned out plus attempts started)."""
        fanned = await self.fan_out()
        claimed = await self.claim(self.concurrency - len(self._in_flight))
        for delivery in claimed:
            task = asyncio.create_task(self._attempt_logged(client, delivery))
            self._in_flight.add(task)
            task.add_done_callback(self._in_flight.discard)
        return fanned + len(claimed)

    async def run(self) -> None:
        """Deliver until cancelled; on cancellation, attempts in flight are given the timeout to finish."""
        timeout = httpx.Timeout(self.timeout_seconds)
        limits = httpx.Limits(max_connections=self.concurrency, max_keepalive_connections=self.concurrency)
        async with httpx.AsyncClient(timeout=timeout, limits=limits, trust_env=False) as client:
            try:
                while True:
                    try:
                        found = await self.run_once(client)
                    except Exception:  # a database hiccup: try again next round
                        log.exception("webhook worker round failed")
                        found = 0
                    if len(self._in_flight) >= self.concurrency:
                        await asyncio.wait(self._in_flight, return_when=asyncio.FIRST_COMPLETED)
                    elif not found:
                        await asyncio.sleep(self.poll_seconds)
            finally:
                await self._finish_in_flight()

    async def _finish_in_flight(self) -> None:
        """Let attempts in flight finish and be recorded (each is bounded by the timeout); cancel what
        is left after that (their leases run out and they are sent again)."""
        if self._in_flight:
            await asyncio.wait(set(self._in_flight), timeout=self.timeout_seconds + 1)
        for task in list(self._in_flight):
            task.cancel()
        if self._in_flight:
            await asyncio.wait(set(self._in_flight))


@contextlib.asynccontextmanager
async def running(worker: DeliveryWorker | None) -> AsyncIterator[None]:
    """Run `worker` in the background while the block runs (None: no worker)."""
    if worker is None:
        yield
        return
    task = asyncio.create_task(worker.run(), name="webhook-delivery-worker")
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
