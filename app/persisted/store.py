"""Registered persisted queries: the database (shared by every worker and instance) behind a bounded
in-memory cache of this process."""

from __future__ import annotations

from collections import OrderedDict

from app.db.engines import Database
from app.persisted import repository
from app.timestamps import utc_now

# The cache is bounded by the characters it holds, not by entries: bodies range from a few bytes to the
# request body limit, and a count alone would let large ones take far more memory than intended.
DEFAULT_CACHE_CHARACTERS = 4 * 1024 * 1024


class PersistedQueryStore:
    """Documents by SHA-256: found in the cache, else in the database (and then cached)."""

    def __init__(self, database: Database, *, cache_characters: int = DEFAULT_CACHE_CHARACTERS) -> None:
        self._db = database
        self._limit = cache_characters
        self._cache: OrderedDict[str, str] = OrderedDict()
        self._cached_characters = 0

    def cached(self, sha256: str) -> str | None:
        """The document if this process has it at hand; no database access."""
        body = self._cache.get(sha256)
        if body is not None:
            self._cache.move_to_end(sha256)
        return body

    async def find(self, sha256: str) -> str | None:
        """The registered document with this hash, from the cache or the database; None if unknown."""
        body = self.cached(sha256)
        if body is not None:
            return body
        async with self._db.reader() as conn:
            body = await repository.find_body(conn, sha256=sha256)
        if body is not None:
            self._remember(sha256, body)
        return body

    async def register(self, sha256: str, body: str) -> None:
        """Store a document under its hash (the caller has verified the hash)."""
        async with self._db.writer() as conn:
            await repository.store(conn, sha256=sha256, body=body, now=utc_now())
        self._remember(sha256, body)

    def _remember(self, sha256: str, body: str) -> None:
        if len(body) > self._limit or sha256 in self._cache:
            return
        self._cache[sha256] = body
        self._cached_characters += len(body)
        while self._cached_characters > self._limit:
            _, evicted = self._cache.popitem(last=False)
            self._cached_characters -= len(evicted)
