"""The service objects one running app (or one CLI command) shares, built from Settings."""

from __future__ import annotations

from dataclasses import dataclass

from app.customers.service import CustomerService
from app.db import Database
from app.merchants.service import MerchantService
from app.settings import Settings


@dataclass
class Services:
    """Database plus the services over it; transports reach storage only through these."""

    settings: Settings
    database: Database
    customers: CustomerService
    merchants: MerchantService

    @classmethod
    def from_settings(cls, settings: Settings) -> Services:
        """Build the services; engines connect lazily, on first use."""
        database = Database(settings.database_url)
        return cls(
            settings=settings,
            database=database,
            customers=CustomerService(database),
            merchants=MerchantService(
                database,
                signature_window_seconds=settings.signature_window_seconds,
                token_ttl_seconds=settings.token_ttl_seconds,
            ),
        )

    async def close(self) -> None:
        """Release database connections."""
        await self.database.dispose()
