"""Access and error logs: request ids, route templates, JSON lines, and no credentials or bodies."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator

import httpx
import pytest

from app.client.auth import SignedAuth
from app.main import create_app
from app.merchants.repository import Merchant
from app.observability.log_config import JsonFormatter, RequestIdFilter, TextFormatter, logging_config, redact
from app.settings import Settings

SECRET_BODY = "body-secret-3b8e"


def test_redact_masks_authorization_values_and_credential_fields() -> None:
    text = (
        "Authorization: Bearer abc.DEF-123_x== then WP3-v2.1 tok123 1700000000 deadbeef00 "
        '{"merchant_key": "k3y", "client_secret":"s3cret"} access_token=t0k3n'
    )

    masked = redact(text)

    for secret in ("abc.DEF-123_x", "tok123", "deadbeef00", "k3y", "s3cret", "t0k3n"):
        assert secret not in masked
    assert "[redacted]" in masked and redact("Bearer abc") == "Bearer [redacted]"
    assert redact("WP3-v2.1 tok 1700000000 beef") == "WP3-v2.1 [redacted]"


def _record(message: str, **extra: object) -> logging.LogRecord:
    record = logging.LogRecord("app.test", logging.INFO, __file__, 1, message, None, None)
    record.__dict__.update(extra)
    RequestIdFilter().filter(record)
    return record


def test_json_formatter_writes_one_object_with_fields_and_exceptions() -> None:
    record = _record("hello %s", fields={"status": 200, "route": "/v2/customers"}, request_id="rid-1")
    record.args = ("world",)
    try:
        raise ValueError("bad Bearer sekrit-token")
    except ValueError:
        import sys

        record.exc_info = sys.exc_info()

    entry = json.loads(JsonFormatter().format(record))

    assert entry["message"] == "hello world" and entry["level"] == "info" and entry["logger"] == "app.test"
    assert entry["request_id"] == "rid-1" and entry["status"] == 200 and entry["route"] == "/v2/customers"
    assert entry["ts"].endswith("+00:00")
    assert entry["exception"]["type"] == "ValueError"
    assert "sekrit-token" not in json.dumps(entry)


def test_text_formatter_is_one_readable_line_with_the_request_id() -> None:
    line = TextFormatter().format(_record("GET /healthz 200", request_id="rid-2"))

    assert "INFO app.test [rid-2] GET /healthz 200" in line


def test_logging_config_routes_everything_through_one_handler_and_silences_uvicorns_access_log() -> None:
    # The config itself is applied for real by the `serve` tests (tests/cli/test_serve.py).
    for log_format in ("text", "json"):
        config = logging_config(log_format, "debug")
        assert config["handlers"]["default"]["formatter"] == log_format
        assert config["handlers"]["default"]["filters"] == ["request_id"]
        assert config["loggers"]["app"]["level"] == "DEBUG"
        assert config["loggers"]["uvicorn.access"]["level"] == "WARNING"
        assert config["root"]["level"] == "WARNING"  # libraries (SQL parameters at DEBUG) stay quiet


@pytest.fixture
async def failing_client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """An app whose customer creation raises (with a credential in the message), answering 500."""
    app = create_app(settings)

    async def explode(**_kwargs: object) -> None:
        raise RuntimeError("database said: Authorization: Bearer leaked-token-9f")

    app.state.services.customers.create = explode
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client
    await app.state.services.close()


def _all_formatted(records: list[logging.LogRecord]) -> str:
    lines = []
    for record in records:
        RequestIdFilter().filter(record)
        lines.append(JsonFormatter().format(record))
        lines.append(TextFormatter().format(record))
    return "\n".join(lines)


async def test_access_log_names_request_route_status_and_duration(
    app_client: httpx.AsyncClient, signed: SignedAuth, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="app.access"):
        response = await app_client.get(
            "/v2/customers/00000000-0000-4000-8000-000000000000",
            auth=signed,
            headers={"X-Request-Id": "log-me-1"},
        )
        await app_client.get("/healthz")

    records = [r for r in caplog.records if r.name == "app.access"]
    assert len(records) == 1  # probes are not access-logged
    entry = json.loads(JsonFormatter().format(records[0]))
    assert response.status_code == 404
    assert entry["request_id"] == "log-me-1"
    assert entry["route"] == "/v2/customers/{uuid}" and entry["status"] == 404
    assert entry["method"] == "GET" and entry["duration_ms"] >= 0
    assert entry["path"] == "/v2/customers/00000000-0000-4000-8000-000000000000"


async def test_an_unhandled_error_is_logged_once_with_its_request_id_and_no_secrets(
    failing_client: httpx.AsyncClient, merchant: Merchant, caplog: pytest.LogCaptureFixture
) -> None:
    auth = SignedAuth(merchant.authenticity_token, merchant.merchant_key)
    with caplog.at_level(logging.INFO):
        response = await failing_client.post(
            "/v2/customers", json={"name": SECRET_BODY}, auth=auth, headers={"X-Request-Id": "err-1"}
        )

    assert response.status_code == 500
    errors = [r for r in caplog.records if r.name == "app.error"]
    assert len(errors) == 1 and errors[0].exc_info is not None
    entry = json.loads(JsonFormatter().format(errors[0]))
    assert entry["request_id"] == "err-1" and entry["exception"]["type"] == "RuntimeError"
    logged = _all_formatted(caplog.records)
    for secret in ("leaked-token-9f", merchant.merchant_key, SECRET_BODY, auth.authenticity_token + " "):
        assert secret not in logged


async def test_bearer_tokens_and_bodies_never_reach_the_logs(
    app_client: httpx.AsyncClient, merchant: Merchant, caplog: pytest.LogCaptureFixture
) -> None:
    # The gateway's own loggers at their most verbose (libraries stay at WARNING, see logging_config).
    with caplog.at_level(logging.DEBUG, logger="app"):
        issued = await app_client.post(
            "/v2/oauth",
            json={
                "client_id": merchant.authenticity_token,
                "client_secret": merchant.merchant_key,
                "grant_type": "client_credentials",
            },
        )
        token = issued.json()["access_token"]
        await app_client.post(
            "/v2/customers", json={"name": SECRET_BODY}, headers={"Authorization": f"Bearer {token}"}
        )
        await app_client.post(
            "/graphql", json={"query": "{ __typename }"}, headers={"Authorization": "Bearer x"}
        )

    logged = _all_formatted([r for r in caplog.records if r.name.startswith("app")])
    assert "/v2/oauth" in logged and "/v2/customers" in logged
    for secret in (token, merchant.merchant_key, SECRET_BODY):
        assert secret not in logged
