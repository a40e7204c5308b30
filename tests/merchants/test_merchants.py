"""Merchant credentials on both databases: creation, tokens, and authenticate()."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from app.auth import ALL_SCOPES, Scope, hash_token, signature_digest
from app.errors import Conflict, InvalidInput, Unauthenticated
from app.merchants.models import AccessTokenTable
from app.merchants.repository import Merchant
from app.runtime import Services
from app.timestamps import utc_now


def oauth(merchant: Merchant, **extra: object) -> dict[str, object]:
    return {
        "grant_type": "client_credentials",
        "client_id": merchant.authenticity_token,
        "client_secret": merchant.merchant_key,
        **extra,
    }


async def test_generated_credentials_have_the_documented_shape(services: Services) -> None:
    merchant = await services.merchants.create_merchant(name="Acme")
    assert len(merchant.authenticity_token) == 40
    int(merchant.authenticity_token, 16)
    assert len(merchant.merchant_key) >= 32


async def test_explicit_credentials_are_kept_and_unique(services: Services) -> None:
    token = f"tok-{time.time_ns()}"
    merchant = await services.merchants.create_merchant(
        name="Acme", authenticity_token=token, merchant_key="k"
    )
    assert (merchant.authenticity_token, merchant.merchant_key) == (token, "k")
    with pytest.raises(Conflict):
        await services.merchants.create_merchant(name="Copy", authenticity_token=token, merchant_key="k2")
    with pytest.raises(InvalidInput):
        await services.merchants.create_merchant(
            name="Spaces", authenticity_token="has space", merchant_key="k"
        )


async def test_token_grants_its_scopes_and_is_stored_only_hashed(
    services: Services, merchant: Merchant
) -> None:
    issued = await services.merchants.issue_token(**oauth(merchant, scopes=["customers"]))
    principal = await services.merchants.authenticate(
        f"Bearer {issued.access_token}", fullpath="/x", body=b""
    )
    assert principal.merchant_id == merchant.id
    assert principal.scopes == frozenset({Scope.CUSTOMERS})
    assert issued.expires_in == 900
    async with services.database.reader() as conn:
        rows = (await conn.exec_driver_sql("SELECT token_hash FROM access_tokens")).scalars().all()
    assert hash_token(issued.access_token) in rows
    assert issued.access_token not in rows


async def test_scopes_default_to_all_and_unknown_ones_are_invalid(
    services: Services, merchant: Merchant
) -> None:
    assert (await services.merchants.issue_token(**oauth(merchant))).scopes == ALL_SCOPES
    with pytest.raises(InvalidInput) as caught:
        await services.merchants.issue_token(**oauth(merchant, scopes=["customers", "admin"]))
    assert caught.value.field_errors[0].code.value == "invalid_scope"


async def test_wrong_secret_or_grant_type_is_refused(services: Services, merchant: Merchant) -> None:
    with pytest.raises(Unauthenticated):
        await services.merchants.issue_token(**oauth(merchant, client_secret="wrong"))
    with pytest.raises(Unauthenticated):
        await services.merchants.issue_token(**oauth(merchant, client_id="unknown"))
    with pytest.raises(InvalidInput):
        await services.merchants.issue_token(**oauth(merchant, grant_type="password"))


async def test_expired_token_is_refused(services: Services, merchant: Merchant) -> None:
    issued = await services.merchants.issue_token(**oauth(merchant))
    table = AccessTokenTable.__table__
    async with services.database.writer() as conn:
        await conn.execute(
            table.update()
            .where(table.c.token_hash == hash_token(issued.access_token))
            .values(expires_at=utc_now() - timedelta(seconds=1))
        )
    with pytest.raises(Unauthenticated) as caught:
        await services.merchants.authenticate(f"Bearer {issued.access_token}", fullpath="/x", body=b"")
    assert "expired" in caught.value.message


async def test_signed_request_authenticates_with_every_scope(services: Services, merchant: Merchant) -> None:
    now = int(time.time())
    digest = signature_digest(
        merchant_key=merchant.merchant_key,
        timestamp=now,
        authenticity_token=merchant.authenticity_token,
        fullpath="/v2/customers?limit=2",
        body=b"",
    )
    header = f"WP3-v2.1 {merchant.authenticity_token} {now} {digest}"
    principal = await services.merchants.authenticate(header, fullpath="/v2/customers?limit=2", body=b"")
    assert principal.merchant_id == merchant.id and principal.scopes == ALL_SCOPES
    with pytest.raises(Unauthenticated):
        await services.merchants.authenticate(header, fullpath="/v2/customers", body=b"")
    with pytest.raises(Unauthenticated):
        await services.merchants.authenticate(
            f"WP3-v2.1 unknown {now} {digest}", fullpath="/v2/customers?limit=2", body=b""
        )
