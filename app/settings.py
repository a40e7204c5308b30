"""Runtime configuration, read once from the environment into a frozen object."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./data/gateway.db"
# Seconds before each retry of a failed webhook delivery: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 1 day,
# 1 day (~2.7 days in all, within SPEC's "up to 3 days").
DEFAULT_RETRY_SCHEDULE = (5.0, 300.0, 1800.0, 7200.0, 18000.0, 36000.0, 86400.0, 86400.0)


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
    # How long a verified token or a merchant's key is reused without a database lookup (0: never).
    auth_cache_seconds: int = 5
    max_body_bytes: int = 64 * 1024
    # 15: the standard introspection query (GraphiQL, graphql-js 16) is 15 fields deep.
    graphql_max_depth: int = 15
    graphql_max_aliases: int = 30
    graphql_max_tokens: int = 2000
    # Fields an operation may resolve, fragments expanded, times the page sizes above them (cost.py).
    graphql_max_cost: int = 200_000

    # --- Security and reliability (issue 6) -----------------------------------------------------------
    # Server key(s) encrypting merchant keys at rest: comma-separated Fernet keys, the first one encrypts
    # and every one decrypts (rotation). Unset: the key file below is used, and created if missing.
    secret_key: Secret | None = None
    secret_key_file: str = "data/secret.key"
    # How long an Idempotency-Key's first answer is kept for replay.
    idempotency_ttl_seconds: int = 24 * 3600
    # How long a request waits for another one still running under the same Idempotency-Key (then 409).
    idempotency_wait_seconds: int = 30
    # HTTP server limits (`serve`): request line plus headers, time to receive them, idle keep-alive,
    # and how long a shutdown waits for in-flight requests.
    max_header_bytes: int = 16 * 1024
    header_timeout_seconds: int = 10
    keep_alive_timeout_seconds: int = 5
    graceful_shutdown_seconds: int = 30
    # --- end of issue 6 settings ----------------------------------------------------------------------

    # --- Operations (issue 7): logs, metrics, reverse proxy ---------------------------------------------
    # `text` (human-readable lines) or `json` (one object per line), for access and error logs alike.
    log_format: str = "text"
    log_level: str = "info"
    # One line per request (method, path, route, status, duration, request id); probes stay quiet.
    access_log: bool = True
    # Request and GraphQL counters, latency histograms and pool figures on /metrics.
    metrics_enabled: bool = True
    # Proxies whose X-Forwarded-For / X-Forwarded-Proto are believed (`serve`; comma-separated, `*`: any).
    forwarded_allow_ips: str = "127.0.0.1"
    # --- end of issue 7 settings ----------------------------------------------------------------------

    # --- Rate limits: per merchant and window, REST in requests, GraphQL in cost points (0: off) -------
    rate_limit_window_seconds: int = 60
    rate_limit_rest_requests: int = 6000
    rate_limit_graphql_points: int = 10_000_000
    # Redis shared by every worker and instance for the counters; unset: each process counts its own.
    redis_url: Secret | None = None
    # Prepended to every Redis key, so deployments can share one Redis server.
    redis_key_prefix: str = "gateway:"
    # --- Persisted GraphQL documents -------------------------------------------------------------------
    # An Apollo persisted query manifest whose documents are prepared at start-up (trusted documents).
    graphql_persisted_documents: str | None = None
    # `any`: every document runs; `persisted`: only the manifest's documents do.
    graphql_documents: str = "any"
    # Browser origins (exact, `scheme://host[:port]`) allowed to call /graphql and /v2 cross-origin.
    cors_origins: tuple[str, ...] = ()
    # GraphQL engine: `fast` (shortcuts for plain fields) or `stock` (Strawberry's own executor), and
    # how long one operation may run before it is stopped.
    graphql_engine: str = "fast"
    graphql_deadline_ms: int = 5000

    # --- Events: the outbox and its feed ---------------------------------------------------------------
    # How long events are kept, and how often a serving process sweeps older ones (0: never).
    events_retention_days: int = 30
    events_sweep_seconds: int = 3600
    # --- GraphQL subscriptions (live events over graphql-transport-ws) ---------------------------------
    # Operations one websocket may run at once, and websockets one merchant may hold open, per process.
    subscriptions_per_connection: int = 20
    subscription_connections_per_merchant: int = 100
    # SQLite: how often the outbox is read for events other processes committed (this process's own
    # commits are seen at once). PostgreSQL is told of every commit and does not poll.
    subscriptions_poll_seconds: float = 0.5

    # --- Webhooks ---------------------------------------------------------------------------------------
    # Whether `serve` runs a delivery worker in each of its processes (`python -m app worker` runs one alone).
    webhooks_worker: bool = True
    # Seconds before each retry of a failed delivery; once spent, the endpoint is disabled.
    webhooks_retry_schedule: tuple[float, ...] = DEFAULT_RETRY_SCHEDULE
    # Deliveries may reach loopback, private and link-local addresses (development and tests only).
    webhooks_allow_private: bool = False
    # Requests in flight per worker, how long one may take, and how often an idle worker looks for work.
    webhooks_concurrency: int = 16
    webhooks_timeout_seconds: int = 10
    webhooks_poll_ms: int = 500

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
        auth_cache_seconds=_int(env, "GATEWAY_AUTH_CACHE_SECONDS", 5, minimum=0),
        max_body_bytes=_int(env, "GATEWAY_MAX_BODY_BYTES", 64 * 1024),
        graphql_max_depth=_int(env, "GATEWAY_GRAPHQL_MAX_DEPTH", 15),
        graphql_max_aliases=_int(env, "GATEWAY_GRAPHQL_MAX_ALIASES", 30),
        graphql_max_tokens=_int(env, "GATEWAY_GRAPHQL_MAX_TOKENS", 2000),
        graphql_max_cost=_int(env, "GATEWAY_GRAPHQL_MAX_COST", 200_000),
        **_security_settings(env),
        **_operations_settings(env),
        **_rate_limit_settings(env),
        **_persisted_documents_settings(env),
        cors_origins=_origins(env, "GATEWAY_CORS_ORIGINS"),
        **_graphql_engine_settings(env),
        events_retention_days=_int(env, "GATEWAY_EVENTS_RETENTION_DAYS", 30),
        events_sweep_seconds=_int(env, "GATEWAY_EVENTS_SWEEP_SECONDS", 3600, minimum=0),
        **_webhook_settings(env),
        **_subscription_settings(env),
    )


_ORIGIN = re.compile(r"https?://[^/?#@\s*]+")


def _origins(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    """Comma-separated exact origins, each `scheme://host[:port]` as a browser sends it (no path, no `*`)."""
    origins = tuple(item.strip() for item in (env.get(name) or "").split(",") if item.strip())
    for origin in origins:
        if not _ORIGIN.fullmatch(origin) or origin != origin.lower():
            raise SystemExit(
                f"configuration error: {name} takes exact origins such as https://shop.example.com"
                f" (lower-case, no path, no trailing slash, no wildcard), got {origin!r}"
            )
    return origins


# --- Security and reliability (issue 6) ---------------------------------------------------------------
def _security_settings(env: Mapping[str, str]) -> dict[str, Any]:
    """The issue 6 block of Settings: server key, idempotency and HTTP server limits."""
    secret_key = env.get("GATEWAY_SECRET_KEY") or None
    return {
        "secret_key": None if secret_key is None else Secret(secret_key),
        "secret_key_file": env.get("GATEWAY_SECRET_KEY_FILE") or "data/secret.key",
        "idempotency_ttl_seconds": _int(env, "GATEWAY_IDEMPOTENCY_TTL_SECONDS", 24 * 3600),
        "idempotency_wait_seconds": _int(env, "GATEWAY_IDEMPOTENCY_WAIT_SECONDS", 30),
        "max_header_bytes": _int(env, "GATEWAY_MAX_HEADER_BYTES", 16 * 1024, minimum=1024),
        "header_timeout_seconds": _int(env, "GATEWAY_HEADER_TIMEOUT_SECONDS", 10),
        "keep_alive_timeout_seconds": _int(env, "GATEWAY_KEEP_ALIVE_TIMEOUT_SECONDS", 5),
        "graceful_shutdown_seconds": _int(env, "GATEWAY_GRACEFUL_SHUTDOWN_SECONDS", 30, minimum=0),
    }


# --- Operations (issue 7) -----------------------------------------------------------------------------
LOG_FORMATS = ("text", "json")
LOG_LEVELS = ("critical", "error", "warning", "info", "debug")


def _choice(env: Mapping[str, str], name: str, default: str, choices: tuple[str, ...]) -> str:
    value = (env.get(name) or default).strip().lower()
    if value not in choices:
        raise SystemExit(f"configuration error: {name} must be one of {', '.join(choices)}, got {value!r}")
    return value


def _flag(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = (env.get(name) or "").strip().lower()
    if raw == "":
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise SystemExit(f"configuration error: {name} must be 1/0, true/false, yes/no or on/off, got {raw!r}")


def _operations_settings(env: Mapping[str, str]) -> dict[str, Any]:
    """The issue 7 block of Settings: log format and level, access log, metrics, trusted proxies."""
    return {
        "log_format": _choice(env, "GATEWAY_LOG_FORMAT", "text", LOG_FORMATS),
        "log_level": _choice(env, "GATEWAY_LOG_LEVEL", "info", LOG_LEVELS),
        "access_log": _flag(env, "GATEWAY_ACCESS_LOG", True),
        "metrics_enabled": _flag(env, "GATEWAY_METRICS", True),
        "forwarded_allow_ips": env.get("GATEWAY_FORWARDED_ALLOW_IPS") or "127.0.0.1",
    }


# --- Rate limits --------------------------------------------------------------------------------------
REDIS_URL_SCHEMES = ("redis://", "rediss://", "unix://")


def _rate_limit_settings(env: Mapping[str, str]) -> dict[str, Any]:
    """The rate-limit block of Settings: window, the two budgets, the Redis store."""
    redis_url = env.get("GATEWAY_REDIS_URL") or None
    if redis_url is not None and not redis_url.startswith(REDIS_URL_SCHEMES):
        schemes = ", ".join(REDIS_URL_SCHEMES)
        raise SystemExit(f"configuration error: GATEWAY_REDIS_URL must start with one of {schemes}")
    return {
        "rate_limit_window_seconds": _int(env, "GATEWAY_RATE_LIMIT_WINDOW_SECONDS", 60),
        "rate_limit_rest_requests": _int(env, "GATEWAY_RATE_LIMIT_REST_REQUESTS", 6000, minimum=0),
        "rate_limit_graphql_points": _int(env, "GATEWAY_RATE_LIMIT_GRAPHQL_POINTS", 10_000_000, minimum=0),
        "redis_url": None if redis_url is None else Secret(redis_url),
        "redis_key_prefix": env.get("GATEWAY_REDIS_KEY_PREFIX") or "gateway:",
    }


# --- Persisted GraphQL documents ----------------------------------------------------------------------
DOCUMENT_POLICIES = ("any", "persisted")


def _persisted_documents_settings(env: Mapping[str, str]) -> dict[str, Any]:
    """The manifest of trusted documents and whether only those may run (which needs a manifest)."""
    manifest = env.get("GATEWAY_GRAPHQL_PERSISTED_DOCUMENTS") or None
    policy = _choice(env, "GATEWAY_GRAPHQL_DOCUMENTS", "any", DOCUMENT_POLICIES)
    if policy == "persisted" and manifest is None:
        raise SystemExit(
            "configuration error: GATEWAY_GRAPHQL_DOCUMENTS=persisted needs a manifest in "
            "GATEWAY_GRAPHQL_PERSISTED_DOCUMENTS"
        )
    return {"graphql_persisted_documents": manifest, "graphql_documents": policy}


# --- GraphQL engine -----------------------------------------------------------------------------------
GRAPHQL_ENGINES = ("fast", "stock")


def _graphql_engine_settings(env: Mapping[str, str]) -> dict[str, Any]:
    """The engine mode and the per-operation execution deadline."""
    return {
        "graphql_engine": _choice(env, "GATEWAY_GRAPHQL_ENGINE", "fast", GRAPHQL_ENGINES),
        "graphql_deadline_ms": _int(env, "GATEWAY_GRAPHQL_DEADLINE_MS", 5000),
    }


# --- Webhooks -----------------------------------------------------------------------------------------
def _number(raw: str, name: str, minimum: float) -> float:
    """A decimal number of at least `minimum` (and below 10**7: no infinity, nothing timedelta refuses)."""
    try:
        value = float(raw)
    except ValueError:
        raise SystemExit(f"configuration error: {name} must be a number, got {raw!r}") from None
    if not minimum <= value < 10**7:  # also refuses nan
        raise SystemExit(f"configuration error: {name} must be >= {minimum} (and below 10000000), got {raw}")
    return value


def _schedule(env: Mapping[str, str], name: str) -> tuple[float, ...]:
    """Comma-separated seconds (`1,2,4`); at least one."""
    raw = (env.get(name) or "").strip()
    if not raw:
        return DEFAULT_RETRY_SCHEDULE
    return tuple(_number(item.strip(), name, minimum=0.001) for item in raw.split(","))


def _webhook_settings(env: Mapping[str, str]) -> dict[str, Any]:
    """The delivery worker: on or off in `serve`, retry schedule, private targets, request limits."""
    return {
        "webhooks_worker": _flag(env, "GATEWAY_WEBHOOKS_WORKER", True),
        "webhooks_retry_schedule": _schedule(env, "GATEWAY_WEBHOOKS_RETRY_SCHEDULE"),
        "webhooks_allow_private": _flag(env, "GATEWAY_WEBHOOKS_ALLOW_PRIVATE", False),
        "webhooks_concurrency": _int(env, "GATEWAY_WEBHOOKS_CONCURRENCY", 16),
        "webhooks_timeout_seconds": _int(env, "GATEWAY_WEBHOOKS_TIMEOUT_SECONDS", 10),
        "webhooks_poll_ms": _int(env, "GATEWAY_WEBHOOKS_POLL_MS", 500),
    }


# --- GraphQL subscriptions ---------------------------------------------------------------------------
def _float(environ: Mapping[str, str], name: str, default: float, minimum: float) -> float:
    raw = environ.get(name)
    if raw is None or raw == "":
        return default
    return _number(raw, name, minimum)


def _subscription_settings(env: Mapping[str, str]) -> dict[str, Any]:
    """The GraphQL subscriptions block of Settings: the two caps and the SQLite poll interval."""
    return {
        "subscriptions_per_connection": _int(env, "GATEWAY_SUBSCRIPTIONS_PER_CONNECTION", 20),
        "subscription_connections_per_merchant": _int(
            env, "GATEWAY_SUBSCRIPTION_CONNECTIONS_PER_MERCHANT", 100
        ),
        "subscriptions_poll_seconds": _float(env, "GATEWAY_SUBSCRIPTIONS_POLL_SECONDS", 0.5, minimum=0.01),
    }
