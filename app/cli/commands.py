"""What the CLI's data commands do, kept apart from argument parsing."""

from __future__ import annotations

import asyncio
import json
import signal
from pathlib import Path
from typing import Any

from app.auth import ALL_SCOPES
from app.cli.seed import seed_customers
from app.errors import DomainError
from app.events.sweeper import periodic_sweep
from app.graphql.ide import authorised_link
from app.merchants.admin import MerchantAdmin
from app.merchants.repository import Merchant
from app.merchants.rules import CLIENT_CREDENTIALS
from app.runtime import Services
from app.secrets_at_rest import SecretBox
from app.settings import Settings
from app.timestamps import format_timestamp
from app.webhooks.published import attempt_object, endpoint_object
from app.webhooks.worker import running

DEMO_TOKEN_TTL_SECONDS = 7 * 24 * 3600


def merchant_json(merchant: Merchant) -> dict[str, Any]:
    """A merchant as the CLI prints it: `{"id","name","authenticity_token","merchant_key"}`."""
    return {
        "id": merchant.id,
        "name": merchant.name,
        "authenticity_token": merchant.authenticity_token,
        "merchant_key": merchant.merchant_key,
    }


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
    return merchant_json(merchant)


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
            grant_type=CLIENT_CREDENTIALS,
            client_id=merchant.authenticity_token,
            client_secret=merchant.merchant_key,
            scopes=sorted(ALL_SCOPES),
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
            f"GraphiQL:  {authorised_link(base_url, issued.access_token)}",
            "           (opens signed in: the token stays in your browser, which keeps the header)",
            f"REST:      {base_url}/v2/customers   (API docs: {base_url}/docs)",
            f"Home:      {base_url}/   (links GraphiQL, the docs, /healthz, /readyz and /metrics)",
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


# --- administration (issue 7) --------------------------------------------------------------------------


def merchant_admin(services: Services) -> MerchantAdmin:
    """The admin operations over the services' database, sealing keys with the server key like the
    merchant service does (see app/secrets_at_rest.py)."""
    return MerchantAdmin(services.database, seal=SecretBox.from_settings(services.settings).seal)


async def list_merchants(settings: Settings) -> list[dict[str, Any]]:
    """`merchants list`: one object per merchant, oldest first; keys are never printed."""
    services = Services.from_settings(settings)
    try:
        merchants = await merchant_admin(services).list_merchants()
    finally:
        await services.close()
    return [
        {
            "id": merchant.id,
            "name": merchant.name,
            "authenticity_token": merchant.authenticity_token,
            "created_at": format_timestamp(merchant.created_at),
            "active_tokens": merchant.active_tokens,
        }
        for merchant in merchants
    ]


async def rotate_merchant_key(
    settings: Settings, *, token: str, key: str | None, revoke_tokens: bool
) -> dict[str, Any]:
    """`merchants rotate-key`: the merchant with its new key, and how many tokens were revoked."""
    services = Services.from_settings(settings)
    try:
        merchant, revoked = await merchant_admin(services).rotate_key(token, key, revoke_tokens=revoke_tokens)
    except DomainError as error:
        raise SystemExit(f"error: {error.message}") from None
    finally:
        await services.close()
    return {**merchant_json(merchant), "revoked_tokens": revoked}


async def revoke_tokens(settings: Settings, *, token: str | None, merchant: str | None) -> dict[str, int]:
    """`tokens revoke`: one token, every token of a merchant, or both; how many were revoked."""
    services = Services.from_settings(settings)
    admin = merchant_admin(services)
    revoked = 0
    try:
        if token:
            revoked += await admin.revoke_token(token)
        if merchant:
            revoked += await admin.revoke_merchant_tokens(merchant)
    except DomainError as error:
        raise SystemExit(f"error: {error.message}") from None
    finally:
        await services.close()
    return {"revoked_tokens": revoked}


async def sweep_events(settings: Settings) -> dict[str, int]:
    """`events sweep`: delete every event past retention once; how many went."""
    services = Services.from_settings(settings)
    try:
        return {"deleted_events": await services.events.sweep()}
    finally:
        await services.close()


# --- webhooks -------------------------------------------------------------------------------------------


async def _merchant_id(services: Services, authenticity_token: str) -> int:
    merchant = await services.merchants.merchant_by_authenticity_token(authenticity_token)
    if merchant is None:
        raise SystemExit(f"error: no merchant with authenticity_token {authenticity_token!r}")
    return merchant.id


async def webhooks_command(settings: Settings, command: str, authenticity_token: str, **options: Any) -> Any:
    """`webhooks create|list|delete|attempts`: the JSON REST answers (a created endpoint with its secret,
    shown this once)."""
    services = Services.from_settings(settings)
    try:
        merchant_id = await _merchant_id(services, authenticity_token)
        hooks = services.webhooks
        if command == "create":
            data = {"url": options["url"], "event_types": options["event_types"] or None}
            if options["description"] is not None:
                data["description"] = options["description"]
            created = await hooks.create_endpoint(merchant_id=merchant_id, data=data)
            return {**endpoint_object(created.endpoint), "secret": created.secret}
        if command == "list":
            return [endpoint_object(found) for found in await hooks.list_endpoints(merchant_id=merchant_id)]
        if command == "delete":
            deleted = await hooks.delete_endpoint(merchant_id=merchant_id, endpoint_id=options["endpoint_id"])
            return {**endpoint_object(deleted), "deleted": True}
        page = await hooks.list_attempts(
            merchant_id=merchant_id, endpoint_id=options["endpoint_id"], limit=options["limit"]
        )
        return [attempt_object(attempt) for attempt in page.items]
    except DomainError as error:
        raise SystemExit(f"error: {error.message}") from None
    finally:
        await services.close()


async def run_worker(settings: Settings) -> None:
    """`worker`: deliver webhooks (and sweep events past retention) until SIGINT or SIGTERM."""
    services = Services.from_settings(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        async with (
            periodic_sweep(services.events, settings.events_sweep_seconds),
            running(services.delivery_worker()),
        ):
            print("webhook delivery worker running; Ctrl-C to stop", flush=True)
            await stop.wait()
    finally:
        await services.close()
