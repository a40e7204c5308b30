"""`/healthz` and `/readyz` through HTTP: unauthenticated, tiny, 503 while the database is not ready."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from app.main import create_app
from app.migrations import migrate
from app.settings import Settings
from tests.conftest import TEST_SECRET_KEY


def _settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, secret_key=TEST_SECRET_KEY)


async def _get(settings: Settings, path: str) -> httpx.Response:
    app = create_app(settings)
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver"
        ) as client:
            return await client.get(path)
    finally:
        await app.state.services.close()


async def test_healthz_needs_nothing(app_client: httpx.AsyncClient) -> None:
    response = await app_client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response.headers["cache-control"] == "no-store"


async def test_readyz_is_ok_on_a_migrated_database(app_client: httpx.AsyncClient) -> None:
    response = await app_client.get("/readyz")

    assert response.status_code == 200, response.text
    assert response.json() == {"status": "ok"}
    assert response.headers["x-request-id"]


async def test_readyz_is_503_on_a_database_never_migrated(tmp_path: Path) -> None:
    response = await _get(_settings(f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"), "/readyz")

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "reason": "database not migrated"}


async def test_readyz_is_503_when_the_schema_is_behind_the_code(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    await migrate(f"sqlite+aiosqlite:///{path}")
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '0000_older'")

    response = await _get(_settings(f"sqlite+aiosqlite:///{path}"), "/readyz")

    assert response.status_code == 503
    assert response.json()["reason"] == "database not migrated"


@pytest.fixture
async def unreachable_client() -> AsyncIterator[httpx.AsyncClient]:
    """An app pointed at a PostgreSQL port where nothing listens."""
    app = create_app(_settings("postgresql+asyncpg://nobody@127.0.0.1:9/none"))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as c:
        yield c
    await app.state.services.close()


async def test_readyz_is_503_when_the_database_is_unreachable_while_healthz_stays_up(
    unreachable_client: httpx.AsyncClient,
) -> None:
    ready = await unreachable_client.get("/readyz")
    alive = await unreachable_client.get("/healthz")

    assert ready.status_code == 503
    assert ready.json() == {"status": "unavailable", "reason": "database unreachable"}
    assert alive.status_code == 200
