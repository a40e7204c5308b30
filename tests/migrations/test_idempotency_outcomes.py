"""Upgrading idempotency keys from a kept HTTP status to an outcome: rows kept before still replay."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import bindparam, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from app.db.column_types import UTCDateTime
from app.errors import NotFound
from app.idempotency import outcomes
from app.idempotency.service import Answer
from app.migrations import alembic_config, migrate
from app.rest.idempotency import status_of
from app.runtime import Services
from app.secrets_at_rest import SecretBox
from app.settings import Settings, normalise_database_url
from app.timestamps import utc_now
from tests.conftest import BACKENDS, DEFAULT_POSTGRES_URL, TEST_SECRET_KEY, _postgres_admin

REST_NOT_FOUND = '{"status": "invalid-request", "message": "customer not found", "errors": []}'
REST_CREATED = '{"status": "approved", "uuid": "0f8fad5b-d9cb-469f-a165-70867728950e"}'
REST_CONFLICT = '{"status": "invalid-request", "message": "already used", "errors": []}'


@pytest.fixture(params=BACKENDS)
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with no schema at all."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'upgrade.db'}"
        return
    admin_url = normalise_database_url(os.environ.get("TEST_DATABASE_URL", DEFAULT_POSTGRES_URL))
    name = f"gateway_upgrade_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    try:
        asyncio.run(_postgres_admin(admin_url, f'CREATE DATABASE "{name}"'))
    except Exception as error:
        if os.environ.get("GATEWAY_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL is required but unreachable: {error!r}")
        pytest.skip(f"PostgreSQL unreachable: {error!r}")
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(_postgres_admin(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _upgrade_to(url: str, revision: str) -> None:
    engine = create_async_engine(url)

    def upgrade(connection: Any) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, revision)

    try:
        async with engine.begin() as connection:
            await connection.run_sync(upgrade)
    finally:
        await engine.dispose()


@pytest.fixture
async def kept_before_the_upgrade(empty_database: str) -> AsyncIterator[tuple[Services, int]]:
    """A database at revision 0002 holding kept answers of both transports, then upgraded."""
    secrets = SecretBox.from_settings(Settings(database_url=empty_database, secret_key=TEST_SECRET_KEY))
    await _upgrade_to(empty_database, "0002")
    now = utc_now()
    rows = [
        ("rest-created", 200, REST_CREATED),
        ("rest-missing", 404, REST_NOT_FOUND),
        ("rest-conflict", 400, REST_CONFLICT),
        ("gql-missing", 200, outcomes.encode_error(NotFound("customer not found"))),
        ("gql-removed", 200, outcomes.encode_result(None)),
    ]
    engine = create_async_engine(empty_database)
    try:
        async with engine.begin() as conn:
            merchant_id = (
                await conn.execute(
                    text(
                        "INSERT INTO merchants (name, authenticity_token, merchant_key, created_at) "
                        "VALUES ('Old', 'old-token', 'old-key', :now) RETURNING id"
                    ).bindparams(bindparam("now", type_=UTCDateTime())),
                    {"now": now},
                )
            ).scalar_one()
            for key, status, body in rows:
                await conn.execute(
                    text(
                        "INSERT INTO idempotency_keys (merchant_id, key, fingerprint, response_status, "
                        "response_body, created_at, expires_at) VALUES (:m, :k, :f, :s, :b, :now, :later)"
                    ).bindparams(
                        bindparam("now", type_=UTCDateTime()), bindparam("later", type_=UTCDateTime())
                    ),
                    {
                        "m": merchant_id,
                        "k": key,
                        "f": secrets.fingerprint(key.encode()),
                        "s": status,
                        "b": body,
                        "now": now,
                        "later": now + timedelta(hours=1),
                    },
                )
    finally:
        await engine.dispose()
    await migrate(empty_database)
    services = Services.from_settings(Settings(database_url=empty_database, secret_key=TEST_SECRET_KEY))
    yield services, merchant_id
    await services.close()


async def _replay(services: Services, merchant_id: int, key: str) -> Answer:
    async def must_not_run() -> str:
        raise AssertionError("a kept answer must be replayed, not run again")

    return await services.idempotency.run(
        merchant_id=merchant_id,
        key=key,
        field="Idempotency-Key",
        request=(key.encode(),),
        execute=must_not_run,
        render_error=lambda error: error.message,
    )


async def test_rest_rows_replay_their_status_and_body(
    kept_before_the_upgrade: tuple[Services, int],
) -> None:
    services, merchant_id = kept_before_the_upgrade

    created = await _replay(services, merchant_id, "rest-created")
    missing = await _replay(services, merchant_id, "rest-missing")
    conflict = await _replay(services, merchant_id, "rest-conflict")

    assert (created.replayed, created.body, status_of(created.outcome)) == (True, REST_CREATED, 200)
    assert (missing.body, status_of(missing.outcome)) == (REST_NOT_FOUND, 404)
    assert (conflict.body, status_of(conflict.outcome)) == (REST_CONFLICT, 400)


async def test_graphql_rows_replay_their_result(
    kept_before_the_upgrade: tuple[Services, int],
) -> None:
    services, merchant_id = kept_before_the_upgrade

    missing = await _replay(services, merchant_id, "gql-missing")
    removed = await _replay(services, merchant_id, "gql-removed")

    assert missing.outcome == "not_found" and removed.outcome == "succeeded"
    with pytest.raises(NotFound):
        outcomes.decode(missing.body)
    assert outcomes.decode(removed.body) is None


async def test_the_upgrade_can_be_undone(kept_before_the_upgrade: tuple[Services, int]) -> None:
    services = kept_before_the_upgrade[0]
    url = services.database.url
    await services.database.dispose()
    engine = create_async_engine(url)

    def downgrade(connection: Any) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, "0002")

    try:
        async with engine.begin() as connection:
            await connection.run_sync(downgrade)
        async with engine.connect() as connection:
            statuses = dict(
                (await connection.execute(text("SELECT key, response_status FROM idempotency_keys"))).all()
            )
    finally:
        await engine.dispose()

    assert statuses["rest-created"] == 200 and statuses["rest-missing"] == 404
    assert statuses["rest-conflict"] == 400
