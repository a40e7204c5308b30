"""Idempotency keys, for both transports: the first request under a key runs, later ones replay its answer.

How one keyed write runs (`IdempotencyService.run`), all in ONE database transaction:
1. expired keys of the merchant are forgotten (a key is kept `GATEWAY_IDEMPOTENCY_TTL_SECONDS`, 24 h);
2. the key is claimed with an insert the unique index (merchant_id, key) may refuse. A racing request
   with the same key blocks right there until the first one commits (PostgreSQL waits on the index
   entry, SQLite on its write lock), then finds the first answer and replays it;
3. the operation runs inside a savepoint; every service write it makes joins this transaction
   (`Database.unit_of_work`), so the write and the stored answer commit together or not at all: a crash
   can lose neither one without the other;
4. a domain error is an answer like any other and is kept; an unexpected failure (an exception that
   is not a DomainError) rolls everything back, the claim included, so a retry runs again.

What is kept is an outcome (`succeeded`, or the domain error's code: app/idempotency/outcomes.py) and
a body; each transport turns the outcome into its own answer (REST: an HTTP status).

A key reused with a different request (another fingerprint) is refused with `idempotency_key_reused`.
The transports decide what "the request" and the body are (REST: method, path and body, and the
response body; GraphQL: the mutation and its arguments, and the service's result).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection

from app.db.engines import Database
from app.errors import DomainError, ErrorCode, FieldError, InvalidInput, RequestInProgress
from app.idempotency import outcomes, repository
from app.idempotency.rules import check_key
from app.secrets_at_rest import SecretBox
from app.timestamps import utc_now


@dataclass(frozen=True, slots=True)
class Answer:
    """How a keyed write ended (see `outcomes.outcome_of`) and the body the transport made of it;
    `replayed` when it comes from the store."""

    outcome: str
    body: str
    replayed: bool = False


# execute() runs the operation and returns the body of its success; render_error(error) the body of a
# domain error it raised.
Execute = Callable[[], Awaitable[str]]
RenderError = Callable[[DomainError], str]


class IdempotencyService:
    """Runs keyed writes once per merchant and key."""

    def __init__(
        self, database: Database, *, secrets: SecretBox, ttl_seconds: int, wait_seconds: int
    ) -> None:
        self._db = database
        self._secrets = secrets
        self._ttl = timedelta(seconds=ttl_seconds)
        self._wait_ms = wait_seconds * 1000

    async def run(
        self,
        *,
        merchant_id: int,
        key: str,
        field: str,
        request: Sequence[bytes],
        execute: Execute,
        render_error: RenderError,
    ) -> Answer:
        """The answer to a keyed write: `execute()`'s, or the one stored by the first request with `key`.

        `field` names the key in errors (the header or the argument); `request` is what must match for
        a replay; `render_error` turns a domain error of the operation into the body to keep.
        Raises InvalidInput for a malformed or reused key, RequestInProgress when the first request
        still holds the key after the bounded wait.
        """
        check_key(key, field)
        # Keyed with the server secret: a plain hash of a body holding a card number could be reversed.
        fingerprint = self._secrets.fingerprint(*request)
        now = utc_now()
        async with self._db.unit_of_work() as conn:
            await repository.delete_expired(conn, merchant_id=merchant_id, now=now)
            key_id = await self._claim(conn, merchant_id, key, field, fingerprint, now)
            if key_id is None:
                stored = await repository.stored_key(conn, merchant_id=merchant_id, key=key)
                replayed = _replay(stored, fingerprint, field)
                return replace(replayed, body=self._secrets.open(replayed.body))
            try:
                async with conn.begin_nested():
                    answer = Answer(outcome=outcomes.SUCCEEDED, body=await execute())
            except DomainError as error:
                # Rolled back to the savepoint: the failed operation leaves nothing but its answer.
                answer = Answer(outcome=outcomes.outcome_of(error), body=render_error(error))
            # Sealed like merchant keys: an answer can hold a secret shown once (a webhook signing secret)
            # and always holds customer data.
            await repository.store_response(
                conn,
                merchant_id=merchant_id,
                key_id=key_id,
                outcome=answer.outcome,
                body=self._secrets.seal(answer.body),
            )
            return answer

    async def _claim(
        self, conn: AsyncConnection, merchant_id: int, key: str, field: str, fingerprint: str, now: datetime
    ) -> int | None:
        """Insert the key, waiting a bounded time for a racing request that holds it."""
        await repository.limit_lock_wait(conn, self._wait_ms)
        try:
            key_id = await repository.claim(
                conn,
                merchant_id=merchant_id,
                key=key,
                fingerprint=fingerprint,
                now=now,
                expires_at=now + self._ttl,
            )
        except DBAPIError as error:
            if repository.is_lock_timeout(error):
                raise _in_progress(field) from None
            raise
        await repository.limit_lock_wait(conn, None)
        return key_id


def _in_progress(field: str) -> RequestInProgress:
    message = f"another request with this {field} is still being processed; retry later"
    return RequestInProgress(message, [FieldError(field, ErrorCode.IDEMPOTENCY_KEY_IN_USE, message)])


def _replay(stored: repository.StoredKey | None, fingerprint: str, field: str) -> Answer:
    if stored is None or stored.outcome is None or stored.body is None:
        # Only possible when the row expired and vanished between the claim and this read.
        raise _in_progress(field)
    if stored.fingerprint != fingerprint:
        raise InvalidInput.for_field(
            field,
            ErrorCode.IDEMPOTENCY_KEY_REUSED,
            f"{field} was already used for a different request",
        )
    return Answer(outcome=stored.outcome, body=stored.body, replayed=True)
