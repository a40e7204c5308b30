"""Secrets at rest: merchant keys encrypted with the server key, access tokens stored only hashed."""

from __future__ import annotations

import hashlib
import stat
import uuid
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.fernet import Fernet
from sqlalchemy import insert, select, update

from app.auth import hash_token
from app.client.auth import SignedAuth
from app.merchants.repository import Merchant, merchants, tokens
from app.runtime import Services
from app.secrets_at_rest import SecretBox, SecretKeyError, load_or_create_key_file, report_unreadable
from app.settings import Secret, Settings, load_settings
from app.timestamps import utc_now
from tests.graphql.conftest import issue_token


async def _stored_key(services: Services, merchant_id: int) -> str:
    async with services.database.reader() as conn:
        statement = select(merchants.c.merchant_key).where(merchants.c.id == merchant_id)
        return str((await conn.execute(statement)).scalar_one())


async def _store_key(services: Services, merchant_id: int, stored: str) -> None:
    async with services.database.writer() as conn:
        await conn.execute(update(merchants).where(merchants.c.id == merchant_id).values(merchant_key=stored))


async def _all_rows(services: Services, table: Any) -> list[tuple[Any, ...]]:
    async with services.database.reader() as conn:
        return [tuple(row) for row in await conn.execute(select(table))]


@pytest.fixture
async def services_with(settings: Settings) -> AsyncIterator[Any]:
    """Builds extra service stacks on the test database with other server keys; closes them after."""
    built: list[Services] = []

    def make(secret_key: str) -> Services:
        built.append(Services.from_settings(replace(settings, secret_key=Secret(secret_key))))
        return built[-1]

    yield make
    for services in built:
        await services.close()


async def test_a_new_merchant_key_is_stored_encrypted(services: Services, merchant: Merchant) -> None:
    stored = await _stored_key(services, merchant.id)

    assert stored.startswith("fernet:")
    assert merchant.merchant_key not in stored
    assert SecretBox.from_settings(services.settings).open(stored) == merchant.merchant_key


async def test_an_explicit_merchant_key_is_encrypted_too_and_still_signs(
    services: Services, app_client: httpx.AsyncClient
) -> None:
    merchant = await services.merchants.create_merchant(
        name="Keeps its key", authenticity_token="a" * 40, merchant_key="the-key-its-clients-have"
    )

    assert merchant.merchant_key == "the-key-its-clients-have"
    assert "the-key-its-clients-have" not in await _stored_key(services, merchant.id)
    response = await app_client.get("/v2/customers", auth=SignedAuth("a" * 40, "the-key-its-clients-have"))
    assert response.status_code == 200


async def test_a_plaintext_key_from_before_encryption_works_and_is_encrypted_on_first_use(
    services: Services, app_client: httpx.AsyncClient
) -> None:
    async with services.database.writer() as conn:
        legacy_id = (
            await conn.execute(
                insert(merchants)
                .values(
                    name="Legacy",
                    authenticity_token="b" * 40,
                    merchant_key="plain-old-key",
                    created_at=utc_now(),
                )
                .returning(merchants.c.id)
            )
        ).scalar_one()

    response = await app_client.get("/v2/customers", auth=SignedAuth("b" * 40, "plain-old-key"))

    assert response.status_code == 200
    stored = await _stored_key(services, legacy_id)
    assert stored.startswith("fernet:") and "plain-old-key" not in stored


async def test_migrate_reseals_every_plaintext_key(services: Services) -> None:
    async with services.database.writer() as conn:
        ids = [
            (
                await conn.execute(
                    insert(merchants)
                    .values(
                        name=f"Legacy {n}",
                        authenticity_token=f"legacy-{n}-{uuid.uuid4().hex}",
                        merchant_key=f"plain-{n}",
                        created_at=utc_now(),
                    )
                    .returning(merchants.c.id)
                )
            ).scalar_one()
            for n in range(3)
        ]

    assert await services.merchants.reseal_merchant_keys() >= 3
    for merchant_id in ids:
        assert (await _stored_key(services, merchant_id)).startswith("fernet:")
    assert await services.merchants.reseal_merchant_keys() == 0


async def test_a_server_key_can_be_rotated(
    services: Services, merchant: Merchant, services_with: Any
) -> None:
    old_key = str(services.settings.secret_key)
    new_key = Fernet.generate_key().decode()
    rotating = services_with(f"{new_key},{old_key}")

    # New key first, old one still accepted: every key opens; reseal moves them all to the new key.
    found = await rotating.merchants.merchant_by_authenticity_token(merchant.authenticity_token)
    assert found is not None and found.merchant_key == merchant.merchant_key
    await rotating.merchants.reseal_merchant_keys()

    only_new = services_with(new_key)
    found = await only_new.merchants.merchant_by_authenticity_token(merchant.authenticity_token)
    assert found is not None and found.merchant_key == merchant.merchant_key
    # Back to the tests' key: the database is shared with later tests (and servers they start).
    await services_with(f"{old_key},{new_key}").merchants.reseal_merchant_keys()


async def test_access_tokens_are_stored_only_as_their_hash(services: Services, merchant: Merchant) -> None:
    token = await issue_token(services, merchant)

    rows = await _all_rows(services, tokens)
    assert not any(token in str(value) for row in rows for value in row)
    async with services.database.reader() as conn:
        hashes = [
            row[0]
            for row in await conn.execute(
                select(tokens.c.token_hash).where(tokens.c.merchant_id == merchant.id)
            )
        ]
    assert hashes == [hash_token(token)] == [hashlib.sha256(token.encode()).hexdigest()]


async def test_a_tampered_stored_key_does_not_authenticate(
    services: Services, merchant: Merchant, app_client: httpx.AsyncClient
) -> None:
    original = await _stored_key(services, merchant.id)
    await _store_key(services, merchant.id, "fernet:gAAAAAtampered")
    try:
        response = await app_client.get(
            "/v2/customers", auth=SignedAuth(merchant.authenticity_token, merchant.merchant_key)
        )
        with pytest.raises(SecretKeyError):  # were it the only sealed key, the server key must be wrong
            report_unreadable([merchant.id], sealed=1)
    finally:
        await _store_key(services, merchant.id, original)

    assert response.status_code == 500  # a configuration problem, never a silent pass
    assert response.json()["status"] == "error"


def test_without_the_variable_a_private_key_file_is_created_once(tmp_path: Path) -> None:
    path = tmp_path / "data" / "secret.key"

    first = load_or_create_key_file(path)
    second = load_or_create_key_file(path)

    assert first == second
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    Fernet(first.encode())  # a usable Fernet key
    box = SecretBox.from_settings(Settings(secret_key_file=str(path)))
    assert box.open(box.seal("k")) == "k"


def test_a_malformed_server_key_stops_the_process_with_a_clear_message() -> None:
    with pytest.raises(SecretKeyError, match="GATEWAY_SECRET_KEY"):
        SecretBox.from_settings(load_settings({"GATEWAY_SECRET_KEY": "not-a-fernet-key"}))


def test_the_server_key_never_shows_in_settings_reprs() -> None:
    settings = load_settings({"GATEWAY_SECRET_KEY": Fernet.generate_key().decode()})

    assert str(settings.secret_key) not in repr(settings)
    assert "secret_key=Secret('**********')" in repr(settings)


async def test_one_unreadable_key_is_reported_and_the_others_still_resealed(
    services: Services, merchant: Merchant, other_merchant: Merchant, caplog: pytest.LogCaptureFixture
) -> None:
    # other_merchant: at least one key still opens, so this is a damaged row, not a wrong server key.
    original = await _stored_key(services, merchant.id)
    await _store_key(services, merchant.id, "fernet:gAAAAAdamaged")
    try:
        await services.merchants.reseal_merchant_keys()
    finally:
        await _store_key(services, merchant.id, original)

    assert f"merchant ids [{merchant.id}]" in caplog.text
