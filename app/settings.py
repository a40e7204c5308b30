"""Runtime configuration, read once from the environment into a frozen object."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./data/gateway.db"


class Secret(str):
    """A string that never shows its value in reprs, tracebacks or logs."""

    def __repr__(self) -> str:
        return "Secret('**********')"


def _mask_url(url: str) -> str:
    """Hide the password of a database URL so the URL can be printed."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def normalise_database_url(url: str) -> str:
    """Accept the plain `postgresql://` and `sqlite://` forms people paste and pick the async drivers."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        return "postgresql+asyncpg://" + url[len("postgresql://") :]
    if url.startswith("sqlite://") and not url.startswith("sqlite+"):
        return "sqlite+aiosqlite://" + url[len("sqlite://") :]
    return url


@dataclass(frozen=True)
class Settings:
    """Everything the app reads from its environment; built by `load_settings`."""

    database_url: str = DEFAULT_DATABASE_URL
    signature_window_seconds: int = 300
    token_ttl_seconds: int = 900
    max_body_bytes: int = 64 * 1024
    # 15: the standard introspection query (GraphiQL, graphql-js 16) is 15 fields deep.
    graphql_max_depth: int = 15
    graphql_max_aliases: int = 30
    graphql_max_tokens: int = 2000

    @property
    def is_sqlite(self) -> bool:
        """True when the database is the embedded SQLite file."""
        return self.database_url.startswith("sqlite")

    def display_database_url(self) -> str:
        """The database URL with any password hidden."""
        return _mask_url(self.database_url)

    def with_database_url(self, url: str | None) -> Settings:
        """A copy pointing at another database (for `--database-url`); None keeps this one."""
        return self if url is None else replace(self, database_url=normalise_database_url(url))


def _int(environ: Mapping[str, str], name: str, default: int, minimum: int = 1) -> int:
    raw = environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SystemExit(f"configuration error: {name} must be a whole number, got {raw!r}") from None
    if value < minimum:
        raise SystemExit(f"configuration error: {name} must be >= {minimum}, got {value}")
    return value


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Build Settings from `GATEWAY_*` variables (and `DATABASE_URL`), falling back to safe defaults."""
    env = os.environ if environ is None else environ
    url = env.get("GATEWAY_DATABASE_URL") or env.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    return Settings(
        database_url=normalise_database_url(url),
        signature_window_seconds=_int(env, "GATEWAY_SIGNATURE_WINDOW_SECONDS", 300),
        token_ttl_seconds=_int(env, "GATEWAY_TOKEN_TTL_SECONDS", 900),
        max_body_bytes=_int(env, "GATEWAY_MAX_BODY_BYTES", 64 * 1024),
        graphql_max_depth=_int(env, "GATEWAY_GRAPHQL_MAX_DEPTH", 15),
        graphql_max_aliases=_int(env, "GATEWAY_GRAPHQL_MAX_ALIASES", 30),
        graphql_max_tokens=_int(env, "GATEWAY_GRAPHQL_MAX_TOKENS", 2000),
    )
