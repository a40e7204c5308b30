"""What the CLI's data commands do, kept apart from argument parsing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from app.auth import ALL_SCOPES
from app.errors import DomainError
from app.seeding import seed_customers
from app.services import Services
from app.settings import Settings

DEMO_TOKEN_TTL_SECONDS = 7 * 24 * 3600


async def create_merchant(
    settings: Settings, *, name: str, token: str | None, key: str | None
) -> dict[str, Any]:
    """Create a merchant and return `{"id","name","authenticity_token","merchant_key"}`."""
    services = Services.from_settings(settings)
    try:
        merchant = await services.merchants.create_merchant(
            name=name, authenticity_token=token, merchant_key=key
        )
    except DomainError as error:
        raise SystemExit(f"error: {error.message}") from None
    finally:
        await services.close()
    return {
        "id": merchant.id,
        "name": merchant.name,
        "authenticity_token": merchant.authenticity_token,
        "merchant_key": merchant.merchant_key,
    }


async def demo_merchant(settings: Settings, credentials_file: str, base_url: str) -> str:
    """Create the demo merchant on first run (or find it again), issue a week-long token, describe both."""
    services = Services.from_settings(settings)
    path = Path(credentials_file)
    try:
        merchant = None
        if path.exists():
            saved = json.loads(path.read_text())
            merchant = await services.merchants.merchant_by_authenticity_token(saved["authenticity_token"])
        if merchant is None:
            merchant = await services.merchants.create_merchant(name="Demo merchant")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(
                json.dumps(
                    {"authenticity_token": merchant.authenticity_token, "merchant_key": merchant.merchant_key}
                )
            )
            path.chmod(0o600)
        issued = await services.merchants.issue_token(
            {
                "grant_type": "client_credentials",
                "client_id": merchant.authenticity_token,
                "client_secret": merchant.merchant_key,
                "scopes": sorted(ALL_SCOPES),
            },
            ttl_seconds=DEMO_TOKEN_TTL_SECONDS,
        )
    finally:
        await services.close()
    header = f"Authorization: Bearer {issued.access_token}"
    return "\n".join(
        [
            "Demo merchant (saved in " + str(path) + "):",
            f"  authenticity_token: {merchant.authenticity_token}",
            f"  merchant_key:       {merchant.merchant_key}",
            "Access token (all scopes, valid 7 days):",
            f"  {header}",
            "",
            f"GraphiQL:  {base_url}/graphql   (paste the header into the Headers tab as JSON:",
            f'           {{"Authorization": "Bearer {issued.access_token}"}})',
            f"REST:      {base_url}/v2/customers",
            f"Try:       curl -s -H '{header}' {base_url}/v2/customers",
        ]
    )


async def seed(settings: Settings, authenticity_token: str, count: int, payment_method_every: int) -> str:
    """Seed a merchant's customers and describe the run (rows/s reached)."""
    services = Services.from_settings(settings)
    try:
        merchant = await services.merchants.merchant_by_authenticity_token(authenticity_token)
        if merchant is None:
            raise SystemExit(f"error: no merchant with authenticity_token {authenticity_token!r}")
        report = await seed_customers(
            services.database, merchant_id=merchant.id, count=count, payment_method_every=payment_method_every
        )
    finally:
        await services.close()
    return json.dumps(
        {
            "customers": report.customers,
            "payment_methods": report.payment_methods,
            "seconds": round(report.seconds, 3),
            "customers_per_second": round(report.customers_per_second),
        }
    )
