"""Schemathesis against `/v2/openapi.json`, through the ASGI app, authenticated with a Bearer token:
generated requests (valid and invalid) never get a 5xx, and every answer matches the documented
status codes, content type and schema. The example count is bounded so each database takes seconds."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any

import httpx
import pytest
import schemathesis
from anyio.from_thread import BlockingPortal, start_blocking_portal
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from app.main import create_app
from app.rest.openapi import build_document
from app.rest.routes import ROUTE_TABLE
from app.settings import Settings

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES_PER_OPERATION = 50


@dataclass
class FuzzedApp:
    """The app on its own event loop thread (where its pools live), an httpx client, a Bearer header."""

    portal: BlockingPortal
    client: httpx.AsyncClient
    authorization: dict[str, str]

    def request(self, **arguments: Any) -> httpx.Response:
        """Send one request through the ASGI app, from this (synchronous) test."""
        return self.portal.call(partial(self.client.request, **arguments))


@pytest.fixture
def fuzzed_app(settings: Settings) -> Iterator[FuzzedApp]:
    """The app for one fuzzed operation, acting as a fresh merchant with every scope."""
    with start_blocking_portal() as portal:
        app = create_app(settings)
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")
        merchant = portal.call(partial(app.state.services.merchants.create_merchant, name="Fuzzed"))
        fuzzed = FuzzedApp(portal, client, {})
        oauth = fuzzed.request(
            method="POST",
            url="/v2/oauth",
            json={
                "client_id": merchant.authenticity_token,
                "client_secret": merchant.merchant_key,
                "grant_type": "client_credentials",
                "scopes": ["customers", "payment-methods"],
            },
        )
        fuzzed.authorization["Authorization"] = f"Bearer {oauth.json()['access_token']}"
        try:
            yield fuzzed
        finally:
            portal.call(client.aclose)
            portal.call(app.state.services.close)


# The document the app serves (tests/rest/test_openapi.py checks that it is this one). Loaded eagerly:
# schemathesis's fixture-based loader relies on a pytest internal that pytest 9 removed.
schema = schemathesis.openapi.from_dict(build_document(ROUTE_TABLE))


@schema.parametrize()
@hypothesis_settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_generated_requests_stay_within_the_contract(case: Any, fuzzed_app: FuzzedApp) -> None:
    request = case.as_transport_kwargs(base_url="http://testserver", headers=fuzzed_app.authorization)
    response = fuzzed_app.request(**_httpx_arguments(request))
    case.validate_response(response, checks=CHECKS)


def _httpx_arguments(request: dict[str, Any]) -> dict[str, Any]:
    """Schemathesis speaks `requests`; the test client is httpx."""
    arguments = {key: request[key] for key in ("method", "url", "params") if request.get(key) is not None}
    # HTTP header values are bytes; generated ones may use all of latin-1, which httpx will not guess.
    arguments["headers"] = {
        name: value.encode("latin-1", "replace") if isinstance(value, str) else value
        for name, value in (request.get("headers") or {}).items()
    }
    if request.get("json") is not None:
        arguments["json"] = request["json"]
    elif request.get("data") is not None:
        arguments["content"] = request["data"]
    return arguments
