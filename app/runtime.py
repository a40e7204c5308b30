"""The service objects one running app (or one CLI command) shares, built from Settings."""

from __future__ import annotations

from dataclasses import dataclass

from app.customers.service import CustomerService
from app.db import log_redaction
from app.db.engines import Database
from app.events.hub import EventHub
from app.events.service import EventService
from app.idempotency.service import IdempotencyService
from app.merchants.service import MerchantService
from app.persisted.store import PersistedQueryStore
from app.ratelimit.limiter import RateLimiter
from app.replays.service import ReplayGuard
from app.secrets_at_rest import SecretBox
from app.settings import Settings
from app.webhooks.service import WebhookService
from app.webhooks.worker import DeliveryWorker


@dataclass
class Services:
    """Database plus the services over it; transports reach storage only through these."""

    settings: Settings
    database: Database
    customers: CustomerService
    events: EventService
    merchants: MerchantService
    idempotency: IdempotencyService
    replays: ReplayGuard
    rate_limits: RateLimiter
    # Documents registered by automatic persisted queries, shared by every worker.
    persisted_queries: PersistedQueryStore
    webhooks: WebhookService
    # The server key that seals merchant keys and webhook secrets.
    secrets: SecretBox
    # This process's live feed of committed events (GraphQL subscriptions); reads only while subscribed.
    hub: EventHub

    @classmethod
    def from_settings(cls, settings: Settings) -> Services:
        """Build the services; engines connect lazily, on first use."""
        log_redaction.install()
        database = Database(settings.database_url)
        secrets = SecretBox.from_settings(settings)
        return cls(
            settings=settings,
            database=database,
            customers=CustomerService(database),
            events=EventService(database, retention_days=settings.events_retention_days),
            merchants=MerchantService(
                database,
                signature_window_seconds=settings.signature_window_seconds,
                token_ttl_seconds=settings.token_ttl_seconds,
                auth_cache_seconds=settings.auth_cache_seconds,
                secrets=secrets,
            ),
            idempotency=IdempotencyService(
                database,
                secrets=secrets,
                ttl_seconds=settings.idempotency_ttl_seconds,
                wait_seconds=settings.idempotency_wait_seconds,
            ),
            replays=ReplayGuard(database, window_seconds=settings.signature_window_seconds),
            rate_limits=RateLimiter.from_settings(settings),
            persisted_queries=PersistedQueryStore(database),
            webhooks=WebhookService(database, secrets=secrets, allow_private=settings.webhooks_allow_private),
            secrets=secrets,
            hub=EventHub(database, poll_seconds=settings.subscriptions_poll_seconds),
        )

    def delivery_worker(self) -> DeliveryWorker:
        """A webhook delivery worker over these services' database, configured by the settings."""
        return DeliveryWorker.from_settings(self.settings, self.database, self.secrets)

    async def close(self) -> None:
        """End live subscriptions, release database and Redis connections."""
        await self.hub.close()
        await self.rate_limits.close()
        await self.database.dispose()
