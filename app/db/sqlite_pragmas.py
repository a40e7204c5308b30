"""Every PRAGMA the gateway sets on SQLite, in one place: engine connections, the prepared reader, seeding.

Why these: WAL lets readers run beside the one writer; `synchronous = NORMAL` is durable across process
crashes in WAL mode (a power loss may drop the last commits, never corrupt); the busy timeout makes a
connection wait for the write lock instead of failing at once; foreign keys are off by default in SQLite.
"""

from __future__ import annotations

BUSY_TIMEOUT_MS = 30_000
# A large page cache keeps a big table's index inserts from thrashing while seeding.
SEED_CACHE_KIB = 256 * 1024
# WAL pages before SQLite copies them back into the database (default 1000): at the default every seed
# batch is checkpointed on its own, copying the same index pages again and again. ~100 MB of WAL at most.
SEED_AUTOCHECKPOINT_PAGES = 25_000
DEFAULT_AUTOCHECKPOINT_PAGES = 1000


def connection_pragmas(busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> tuple[str, ...]:
    """The statements every SQLAlchemy connection runs when it opens."""
    return (
        f"PRAGMA busy_timeout = {int(busy_timeout_ms)}",
        "PRAGMA journal_mode = WAL",
        "PRAGMA synchronous = NORMAL",
        "PRAGMA foreign_keys = ON",
    )


def prepared_reader_pragmas(busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> tuple[str, ...]:
    """The statements a prepared-read connection runs when it opens: it may never write."""
    return (f"PRAGMA busy_timeout = {int(busy_timeout_ms)}", "PRAGMA query_only = ON")


def seed_pragmas() -> tuple[str, ...]:
    """Set on the writer for the length of a seed run (see `after_seed_pragmas`)."""
    return (
        f"PRAGMA cache_size = -{SEED_CACHE_KIB}",
        f"PRAGMA wal_autocheckpoint = {SEED_AUTOCHECKPOINT_PAGES}",
    )


def after_seed_pragmas() -> tuple[str, ...]:
    """Give the pooled writer connection back its default checkpoint threshold."""
    return (f"PRAGMA wal_autocheckpoint = {DEFAULT_AUTOCHECKPOINT_PAGES}",)


CHECKPOINT_TRUNCATE = "PRAGMA wal_checkpoint(TRUNCATE)"
