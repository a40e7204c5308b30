"""Fixtures shared by every test: both databases through one parameter, a fresh merchant per test.

Each database is migrated once per session; tests stay independent because every test works as its own
freshly created merchant, and every query is merchant-scoped.
PostgreSQL: `TEST_DATABASE_URL` (default the local server's `test` database) is used to create a
throw-away database per run. When it is unreachable the PostgreSQL half is skipped, unless
`GATEWAY_REQUIRE_POSTGRES=1` (set by CI) makes that a failure.
"""

from __future__ import annotations

import asyncio
import os
import threading
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import make_url

from app.main import create_app
from app.merchants.repository import Merchant
from app.migrations import migrate_sync
from app.runtime import Services
from app.settings import Secret, Settings, normalise_database_url
from tests import thread_errors
from tests.storage_dump import card_numbers_stored


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    """Wrap pytest's thread-exception hook (installed by then) to drop one known aiosqlite race."""
    thread_errors.install(threading.excepthook)


DEFAULT_POSTGRES_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
BACKENDS = ["sqlite", "postgresql"]


async def _postgres_admin(url: str, statement: str) -> None:
    import asyncpg

    parsed = make_url(url)
    connection = await asyncpg.connect(
        host=parsed.host or "127.0.0.1",
        port=parsed.port or 5432,
        user=parsed.username or "postgres",
        password=parsed.password,
        database=parsed.database or "postgres",
        timeout=5,
    )
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


def _postgres_database(tmp_name: str) -> Iterator[str]:
    admin_url = normalise_database_url(os.environ.get("TEST_DATABASE_URL", DEFAULT_POSTGRES_URL))
    try:
        asyncio.run(_postgres_admin(admin_url, f'CREATE DATABASE "{tmp_name}"'))
    except Exception as error:  # any failure to reach the server means the PostgreSQL half cannot run
        if os.environ.get("GATEWAY_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL is required but unreachable at {admin_url}: {error!r}")
        pytest.skip(f"PostgreSQL unreachable at {admin_url}: {error!r}")
    url = make_url(admin_url).set(database=tmp_name).render_as_string(hide_password=False)
    try:
        migrate_sync(url)
        yield url
        assert_no_card_number_stored(url)
    finally:
        asyncio.run(_postgres_admin(admin_url, f'DROP DATABASE IF EXISTS "{tmp_name}" WITH (FORCE)'))


def assert_no_card_number_stored(url: str) -> None:
    """Once the session is done with a database: whatever the tests sent, no full card number was kept."""
    stored = asyncio.run(card_numbers_stored(url))
    assert not stored, f"full card numbers stored in {sorted(set(stored))}"


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated database URL: an SQLite file, then a throw-away PostgreSQL database."""
    if request.param == "sqlite":
        path: Path = tmp_path_factory.mktemp("sqlite") / "gateway.db"
        url = f"sqlite+aiosqlite:///{path}"
        migrate_sync(url)
        yield url
        assert_no_card_number_stored(url)
    else:
        yield from _postgres_database(f"gateway_test_{os.getpid()}_{uuid.uuid4().hex[:8]}")


# A fixed server key (merchant keys are encrypted at rest), so tests never create ./data/secret.key.
TEST_SECRET_KEY = Secret("tHZQYIx6z-8mWhQKx8JS5m9vWjWvXMqNzYJrOGIddbA=")


@pytest.fixture
def settings(database_url: str) -> Settings:
    """Settings for the test database."""
    return Settings(database_url=database_url, secret_key=TEST_SECRET_KEY)


@pytest.fixture
async def services(settings: Settings) -> AsyncIterator[Services]:
    """The service layer on the test database, closed after the test."""
    built = Services.from_settings(settings)
    yield built
    await built.close()


async def new_merchant(services: Services, name: str = "Test merchant") -> Merchant:
    """A freshly created merchant with generated credentials."""
    return await services.merchants.create_merchant(name=name)


@pytest.fixture
async def merchant(services: Services) -> Merchant:
    """The merchant this test acts as."""
    return await new_merchant(services)


@pytest.fixture
async def other_merchant(services: Services) -> Merchant:
    """A second tenant, for isolation tests."""
    return await new_merchant(services, "Other merchant")


@pytest.fixture
async def app_client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client talking to a fresh app (ASGI transport) on the test database."""
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client
    await app.state.services.close()
