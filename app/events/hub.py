"""The live feed of one process: committed events handed to this process's subscribers as they commit.

One reader per process, whatever the number of subscribers, and only while there is at least one
(started by the first `subscribe`, stopped when the last one leaves):

- PostgreSQL: `record()` notifies `customer_events` with `<merchant id>:<sequence>` in the writing
  transaction, so every process hears of every commit (any worker, any instance). The hub LISTENs on
  one connection of its own and reads the notified events of merchants it has subscribers for, by
  sequence (sequences commit out of order on PostgreSQL, so "everything after the last one seen" could
  skip an event still committing). When the connection drops it reconnects with backoff and catches up
  by reading the outbox after the newest sequence it had seen.
- SQLite: the hub reads the outbox after the newest sequence it has seen, every `poll_seconds`, and at
  once after a write of this process commits. Other processes writing to the same file are seen at the
  next poll. SQLite commits one writer at a time, so sequences commit in order and nothing is skipped.

A subscriber that does not keep up (more than `QUEUE_LIMIT` events waiting) is ended with
`SubscriberTooSlow` rather than letting its queue grow without bound.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from typing import Protocol

from app.db.engines import Database
from app.db.notifications import Listening
from app.events import repository
from app.events.domain import Event, EventType
from app.events.statements import NOTIFY_CHANNEL

logger = logging.getLogger("app.events.hub")

QUEUE_LIMIT = 1000
READ_BATCH = 500
# How many delivered sequences are remembered, so a catch-up overlapping notifications delivers once.
REMEMBERED = 10_000
# PostgreSQL: how often an otherwise silent LISTEN connection is checked, and the reconnect backoff.
PING_SECONDS = 30.0
BACKOFF_FIRST_SECONDS = 0.1
BACKOFF_MAX_SECONDS = 10.0
# How long stopping waits for a read in progress before cancelling it.
STOP_SECONDS = 10.0


class SubscriberTooSlow(Exception):
    """The subscriber fell more than QUEUE_LIMIT events behind and was dropped."""


class HubClosed(Exception):
    """The process is shutting down; no more events will come."""


class ListenConnection(Protocol):
    """What the hub needs of a LISTEN connection (app/db/notifications.Listening, or a test double)."""

    async def ping(self) -> None: ...

    async def close(self) -> None: ...


# (on_payload, on_lost) -> an open LISTEN connection.
ListenOpener = Callable[[Callable[[str], None], Callable[[], None]], Awaitable[ListenConnection]]


@dataclass(eq=False)
class Subscription:
    """One subscriber's view of the feed: its merchant's events of the chosen types (none: every type)."""

    merchant_id: int
    types: frozenset[EventType] = frozenset()
    _pending: deque[Event] = field(default_factory=deque)
    _arrived: asyncio.Event = field(default_factory=asyncio.Event)
    _ended: Exception | None = None

    def wants(self, event: Event) -> bool:
        """True when this subscriber asked for events of this type."""
        return not self.types or event.type in self.types

    def push(self, event: Event) -> None:
        """Queue an event of this subscriber's merchant (dropped when not of a chosen type)."""
        if self._ended is not None or not self.wants(event):
            return
        if len(self._pending) >= QUEUE_LIMIT:
            self.end(SubscriberTooSlow(f"more than {QUEUE_LIMIT} events were waiting to be sent"))
            return
        self._pending.append(event)
        self._arrived.set()

    def end(self, reason: Exception) -> None:
        """Stop the subscription: events already queued are still handed out, then `reason` is raised."""
        if self._ended is None:
            self._ended = reason
            self._arrived.set()

    async def get(self) -> Event:
        """The next event, waiting for one; raises the reason once the subscription has ended."""
        while not self._pending:
            if self._ended is not None:
                raise self._ended
            self._arrived.clear()
            await self._arrived.wait()
        return self._pending.popleft()

    def __aiter__(self) -> Subscription:
        return self

    async def __anext__(self) -> Event:
        return await self.get()


class EventHub:
    """Fans committed events out to this process's subscribers; see the module docstring."""

    def __init__(
        self,
        database: Database,
        *,
        poll_seconds: float = 0.5,
        listen: ListenOpener | None = None,
    ) -> None:
        self._db = database
        self.poll_seconds = poll_seconds
        # A given `listen` (tests) means notifications whatever the database.
        self._uses_notifications = listen is not None or not database.is_sqlite
        self._listen = listen or self._open_listening
        self._subscribers: dict[int, set[Subscription]] = {}
        self._task: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()
        self._wake = asyncio.Event()
        self._lost = asyncio.Event()
        self._notified: list[tuple[int, int]] = []
        self._last_sequence = 0
        self._delivered: deque[int] = deque(maxlen=REMEMBERED)
        self._delivered_set: set[int] = set()
        self._closed = False
        self._stopping = False
        if database.is_sqlite:
            database.commit_listeners.append(self._wake.set)

    @property
    def running(self) -> bool:
        """True while the reader task runs (there are subscribers)."""
        return self._task is not None and not self._task.done()

    def subscriber_count(self) -> int:
        """How many subscriptions this process serves now."""
        return sum(len(group) for group in self._subscribers.values())

    @asynccontextmanager
    async def subscribe(
        self, *, merchant_id: int, types: Iterable[EventType] = ()
    ) -> AsyncIterator[Subscription]:
        """A live subscription to the merchant's events committed from now on, for the block's length.

        Raises when the feed cannot start (the database unreachable); the subscription iterates until the
        hub closes (HubClosed) or the subscriber falls behind (SubscriberTooSlow).
        """
        if self._closed:
            raise HubClosed("the server is shutting down")
        subscription = Subscription(merchant_id=merchant_id, types=frozenset(types))
        async with self._lock:
            await self._start()
            self._subscribers.setdefault(merchant_id, set()).add(subscription)
        try:
            yield subscription
        finally:
            async with self._lock:
                group = self._subscribers.get(merchant_id, set())
                group.discard(subscription)
                if not group:
                    self._subscribers.pop(merchant_id, None)
                if not self._subscribers:
                    await self._stop()

    async def close(self) -> None:
        """End every subscription and stop reading (at shutdown)."""
        self._closed = True
        if self._wake.set in self._db.commit_listeners:
            self._db.commit_listeners.remove(self._wake.set)
        async with self._lock:
            for group in self._subscribers.values():
                for subscription in group:
                    subscription.end(HubClosed("the server is shutting down"))
            self._subscribers.clear()
            await self._stop()

    # --- the reader task ----------------------------------------------------------------------------

    async def _start(self) -> None:
        if self.running:
            return
        self._stopping = False
        ready: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        reader = self._listen_loop(ready) if self._uses_notifications else self._poll_loop(ready)
        self._task = asyncio.create_task(reader, name="event-hub")
        try:
            await asyncio.shield(ready)
        except BaseException:
            await self._stop()
            raise

    async def _stop(self) -> None:
        """Ask the reader to stop and wait for it. Asked, not cancelled: a database read cancelled half
        way (aiosqlite's above all) can leave its connection waiting forever, and disposal with it."""
        task, self._task = self._task, None
        if task is None:
            return
        self._stopping = True
        self._wake.set()
        try:
            await asyncio.wait_for(asyncio.shield(task), STOP_SECONDS)
        except TimeoutError:
            task.cancel()
            logger.warning("the event reader did not stop within %ss; cancelled", STOP_SECONDS)
        except Exception:
            logger.exception("the event reader failed")

    async def _pause(self, seconds: float) -> None:
        """Sleep until `seconds` pass or something wakes the reader (new events, or a stop)."""
        with suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), seconds)
        self._wake.clear()

    async def _poll_loop(self, ready: asyncio.Future[None]) -> None:
        try:
            self._last_sequence = await self._newest_sequence()
        except Exception as error:
            ready.set_exception(error)
            return
        ready.set_result(None)
        while not self._stopping:
            await self._pause(self.poll_seconds)
            if self._stopping:
                return
            try:
                await self._catch_up()
            except Exception:
                # The next poll tries again from the same sequence: nothing is skipped.
                logger.exception("reading new events failed")

    async def _listen_loop(self, ready: asyncio.Future[None]) -> None:
        connection: ListenConnection | None = None
        backoff = BACKOFF_FIRST_SECONDS
        try:
            while not self._stopping:
                self._lost.clear()
                try:
                    connection = await self._listen(self._on_payload, self._lost.set)
                    if not ready.done():
                        self._last_sequence = await self._newest_sequence()
                        ready.set_result(None)
                    else:
                        logger.info("listening for events again; catching up from %d", self._last_sequence)
                        await self._catch_up()
                    backoff = BACKOFF_FIRST_SECONDS
                    await self._serve_notifications(connection)
                except Exception as error:
                    if not ready.done():
                        ready.set_exception(error)
                        return
                    logger.warning("listening for events failed (%r); retrying in %.1fs", error, backoff)
                if connection is not None:
                    await _quietly_close(connection)
                    connection = None
                if self._stopping:
                    return
                await self._pause(backoff)
                backoff = min(backoff * 2, BACKOFF_MAX_SECONDS)
        finally:
            if connection is not None:
                await _quietly_close(connection)

    async def _serve_notifications(self, connection: ListenConnection) -> None:
        """Deliver notified events until the connection is lost (returns) or a read fails (raises)."""
        while not self._lost.is_set() and not self._stopping:
            woken = asyncio.ensure_future(self._wake.wait())
            lost = asyncio.ensure_future(self._lost.wait())
            try:
                done, _ = await asyncio.wait(
                    {woken, lost}, timeout=PING_SECONDS, return_when=asyncio.FIRST_COMPLETED
                )
            finally:
                woken.cancel()
                lost.cancel()
            if not done:
                await connection.ping()
                continue
            self._wake.clear()
            if self._stopping:
                return
            await self._deliver_notified()

    def _on_payload(self, payload: str) -> None:
        notified = repository.parse_notification(payload)
        if notified is not None:
            self._notified.append(notified)
            self._wake.set()

    # --- reading and delivering ---------------------------------------------------------------------

    async def _newest_sequence(self) -> int:
        async with self._db.reader() as conn:
            return await repository.last_sequence(conn)

    async def _catch_up(self) -> None:
        """Deliver every event after the newest sequence seen, in batches."""
        while True:
            async with self._db.reader() as conn:
                batch = await repository.events_after(
                    conn, after_sequence=self._last_sequence, limit=READ_BATCH
                )
            for merchant_id, event in batch:
                self._deliver(merchant_id, event)
            if len(batch) < READ_BATCH:
                return

    async def _deliver_notified(self) -> None:
        notified, self._notified = self._notified, []
        wanted: dict[int, list[int]] = {}
        for merchant_id, sequence in notified:
            if merchant_id in self._subscribers and sequence not in self._delivered_set:
                wanted.setdefault(merchant_id, []).append(sequence)
        found: list[tuple[int, Event]] = []
        try:
            if wanted:
                async with self._db.reader() as conn:
                    for merchant_id, sequences in wanted.items():
                        events = await repository.events_by_sequence(
                            conn, merchant_id=merchant_id, sequences=sequences
                        )
                        found.extend((merchant_id, event) for event in events)
        except Exception:
            # Put them back: the next wake-up (or the catch-up after a reconnect) reads them again.
            self._notified[:0] = notified
            raise
        for merchant_id, event in sorted(found, key=lambda item: item[1].sequence):
            self._deliver(merchant_id, event)
        self._last_sequence = max([self._last_sequence, *(sequence for _, sequence in notified)])

    def _deliver(self, merchant_id: int, event: Event) -> None:
        self._last_sequence = max(self._last_sequence, event.sequence)
        if event.sequence in self._delivered_set:
            return
        if len(self._delivered) == self._delivered.maxlen:
            self._delivered_set.discard(self._delivered[0])
        self._delivered.append(event.sequence)
        self._delivered_set.add(event.sequence)
        for subscription in tuple(self._subscribers.get(merchant_id, ())):
            subscription.push(event)

    async def _open_listening(
        self, on_payload: Callable[[str], None], on_lost: Callable[[], None]
    ) -> ListenConnection:
        return await Listening.open(self._db.url, NOTIFY_CHANNEL, on_payload=on_payload, on_lost=on_lost)


async def _quietly_close(connection: ListenConnection) -> None:
    try:
        await connection.close()
    except Exception:
        logger.debug("closing the LISTEN connection failed", exc_info=True)
