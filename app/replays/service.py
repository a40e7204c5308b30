"""Replay protection for signed writes: the same WP3-v2.1 Authorization header authorises one write.

A signature stays valid for the whole timestamp window, so a captured request could be sent again and
again until then. Writes (REST POST/DELETE, GraphQL mutations) therefore record the digest of each
signature they accept, in the database so every worker sees it, until the window has passed; reads are
not recorded (repeating a read changes nothing, and reads are the hot path). Bearer tokens are not
affected: they are meant to be reused until they expire.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from app.auth import SignedCredentials, parse_authorization, unauthenticated
from app.db.engines import Database
from app.errors import Unauthenticated
from app.replays import repository
from app.timestamps import utc_now


class ReplayGuard:
    """Accepts each signed write's signature once."""

    def __init__(self, database: Database, *, window_seconds: int) -> None:
        self._db = database
        self._window = timedelta(seconds=window_seconds)

    @staticmethod
    def applies_to(authorization: str | None) -> bool:
        """True for a signed request's header (only those are recorded); cheap, no database."""
        try:
            return isinstance(parse_authorization(authorization), SignedCredentials)
        except Unauthenticated:
            return False

    async def accept_once(self, *, merchant_id: int, authorization: str | None) -> None:
        """Record the signature of an authenticated write; Unauthenticated when it was used before.

        Call it only after the request authenticated (a forged signature must not fill the table).
        Bearer requests pass untouched.
        """
        if not self.applies_to(authorization):
            return
        credentials = parse_authorization(authorization)
        assert isinstance(credentials, SignedCredentials)
        signed_at = datetime.fromtimestamp(credentials.timestamp, UTC)
        # Stored hashed: the digest alone identifies the request, and the table needs nothing more.
        signature_hash = hashlib.sha256(credentials.digest.lower().encode()).hexdigest()
        async with self._db.writer() as conn:
            first_use = await repository.record_signature(
                conn,
                merchant_id=merchant_id,
                signature_hash=signature_hash,
                now=utc_now(),
                # One second more than the window: the timestamp check compares whole seconds.
                expires_at=signed_at + self._window + timedelta(seconds=1),
            )
        if not first_use:
            raise unauthenticated(
                "this Authorization header was already used for a write; sign every request afresh"
            )
