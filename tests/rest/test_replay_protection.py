"""A signed (WP3-v2.1) write is accepted once; reads and Bearer requests may repeat."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy import func, select

from app.client.auth import authorization_header
from app.main import create_app
from app.merchants.repository import Merchant
from app.replays.repository import signatures
from app.runtime import Services
from app.settings import Settings
from tests.graphql.conftest import issue_token


def _signed(
    merchant: Merchant, target: str, body: bytes = b"", timestamp: int | None = None
) -> dict[str, str]:
    header = authorization_header(
        authenticity_token=merchant.authenticity_token,
        merchant_key=merchant.merchant_key,
        target=target,
        body=body,
        timestamp=timestamp,
    )
    return {"Authorization": header, "Content-Type": "application/json"}


@pytest.fixture
async def second_app_client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """Another worker: its own app and connection pools on the same database."""
    app = create_app(settings)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as client:
        yield client
    await app.state.services.close()


async def test_replaying_a_signed_create_is_refused(
    app_client: httpx.AsyncClient, merchant: Merchant
) -> None:
    body = b'{"name": "Ada"}'
    headers = _signed(merchant, "/v2/customers", body)

    first = await app_client.post("/v2/customers", content=body, headers=headers)
    replayed = await app_client.post("/v2/customers", content=body, headers=headers)

    assert first.status_code == 200
    assert replayed.status_code == 401
    assert "Authorization" in replayed.json()["message"]
    listed = await app_client.get("/v2/customers", headers=_signed(merchant, "/v2/customers"))
    assert len(listed.json()["data"]) == 1


async def test_replaying_a_signed_delete_is_refused(
    app_client: httpx.AsyncClient, merchant: Merchant
) -> None:
    created = await app_client.post(
        "/v2/customers", content=b"{}", headers=_signed(merchant, "/v2/customers", b"{}")
    )
    target = f"/v2/customers/{created.json()['uuid']}"
    headers = _signed(merchant, target)

    assert (await app_client.delete(target, headers=headers)).status_code == 200
    assert (await app_client.delete(target, headers=headers)).status_code == 401


async def test_a_replay_is_refused_by_another_worker_too(
    app_client: httpx.AsyncClient, second_app_client: httpx.AsyncClient, merchant: Merchant
) -> None:
    body = b'{"name": "Ada"}'
    headers = _signed(merchant, "/v2/customers", body)

    assert (await app_client.post("/v2/customers", content=body, headers=headers)).status_code == 200
    assert (await second_app_client.post("/v2/customers", content=body, headers=headers)).status_code == 401


async def test_the_same_write_signed_again_later_is_accepted(
    app_client: httpx.AsyncClient, merchant: Merchant
) -> None:
    body = b'{"name": "Ada"}'
    now = int(time.time())

    for timestamp in (now, now + 1):
        response = await app_client.post(
            "/v2/customers", content=body, headers=_signed(merchant, "/v2/customers", body, timestamp)
        )
        assert response.status_code == 200


async def test_signed_reads_may_be_repeated(app_client: httpx.AsyncClient, merchant: Merchant) -> None:
    headers = _signed(merchant, "/v2/customers?limit=5")

    statuses = [
        (await app_client.get("/v2/customers?limit=5", headers=headers)).status_code for _ in range(3)
    ]

    assert statuses == [200, 200, 200]


async def test_bearer_writes_are_not_affected(
    app_client: httpx.AsyncClient, services: Services, merchant: Merchant
) -> None:
    headers = {"Authorization": f"Bearer {await issue_token(services, merchant)}"}

    statuses = [
        (await app_client.post("/v2/customers", json={}, headers=headers)).status_code for _ in range(3)
    ]

    assert statuses == [200, 200, 200]


async def test_reads_record_nothing_and_stale_signatures_are_swept(
    app_client: httpx.AsyncClient, services: Services, merchant: Merchant
) -> None:
    await app_client.get("/v2/customers", headers=_signed(merchant, "/v2/customers"))
    assert await _recorded(services, merchant) == 0
    async with services.database.writer() as conn:
        await conn.execute(
            signatures.insert().values(
                merchant_id=merchant.id, signature_hash="0" * 64, expires_at=datetime(2000, 1, 1, tzinfo=UTC)
            )
        )

    await app_client.post("/v2/customers", content=b"{}", headers=_signed(merchant, "/v2/customers", b"{}"))

    assert await _recorded(services, merchant) == 1  # the stale one went, the new one stays


async def _recorded(services: Services, merchant: Merchant) -> int:
    async with services.database.reader() as conn:
        statement = (
            select(func.count()).select_from(signatures).where(signatures.c.merchant_id == merchant.id)
        )
        return int((await conn.execute(statement)).scalar_one())
