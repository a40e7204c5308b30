"""`/metrics` through HTTP: requests by route template and status, GraphQL operations, pool figures.

Metric values are per process and shared by every app a test builds, so tests compare before and after.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace

import httpx
import pytest

from app.client.auth import SignedAuth
from app.graphql.metrics import MAX_OPERATION_NAMES, operation_label
from app.main import create_app
from app.merchants.repository import Merchant
from app.settings import Settings
from tests.graphql.conftest import GraphQLClient
from tests.observability.helpers import sample_value, scrape
from tests.rest.conftest import create_customer

REQUESTS = "gateway_http_requests_total"
OPERATIONS = "gateway_graphql_operations_total"


async def test_metrics_are_prometheus_text_without_credentials(app_client: httpx.AsyncClient) -> None:
    response = await app_client.get("/metrics")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=")
    assert "# TYPE gateway_http_requests_total counter" in response.text
    assert "# TYPE gateway_http_request_duration_seconds histogram" in response.text


async def test_requests_are_counted_by_route_template_never_by_raw_path(
    app_client: httpx.AsyncClient, signed: SignedAuth
) -> None:
    customer = await create_customer(app_client, signed, name="Metered")
    template = "/v2/customers/{uuid}"
    before = await scrape(app_client)

    for _ in range(3):
        assert (await app_client.get(f"/v2/customers/{customer['uuid']}", auth=signed)).status_code == 200
    missing = await app_client.get("/v2/customers/00000000-0000-4000-8000-000000000000", auth=signed)
    after = await scrape(app_client)

    assert missing.status_code == 404
    labels = {"method": "GET", "route": template}
    assert (
        sample_value(after, REQUESTS, status="200", **labels)
        - sample_value(before, REQUESTS, status="200", **labels)
        == 3
    )
    assert (
        sample_value(after, REQUESTS, status="404", **labels)
        - sample_value(before, REQUESTS, status="404", **labels)
        == 1
    )
    histogram = "gateway_http_request_duration_seconds_count"
    assert (
        sample_value(after, histogram, status="200", **labels)
        - sample_value(before, histogram, status="200", **labels)
        == 3
    )
    assert 'le="0.005"' in after
    assert customer["uuid"] not in after


async def test_unknown_paths_wrong_methods_and_doubled_slashes_keep_bounded_labels(
    app_client: httpx.AsyncClient, signed: SignedAuth
) -> None:
    before = await scrape(app_client)

    await app_client.get("/no/such/path/4f1c2d")
    await app_client.put("/v2/customers")
    await app_client.request("BREW", "/v2/customers")
    await app_client.get("http://testserver//v2/customers", auth=signed)
    after = await scrape(app_client)

    def delta(**labels: str) -> float:
        return sample_value(after, REQUESTS, **labels) - sample_value(before, REQUESTS, **labels)

    assert delta(route="unmatched", status="404") == 1
    assert delta(method="PUT", route="/v2/customers", status="405") == 1
    assert delta(method="OTHER", route="/v2/customers", status="405") == 1
    assert delta(method="GET", route="/v2/customers", status="200") == 1
    assert "4f1c2d" not in after and "BREW" not in after


async def test_an_unhandled_error_is_counted_as_a_500(settings: Settings, merchant: Merchant) -> None:
    app = create_app(settings)

    async def explode(**_kwargs: object) -> None:
        raise RuntimeError("boom")

    app.state.services.customers.list_customers = explode
    transport = httpx.ASGITransport(app=app)
    auth = SignedAuth(merchant.authenticity_token, merchant.merchant_key)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        before = await scrape(client)
        response = await client.get("/v2/customers", auth=auth)
        after = await scrape(client)
    await app.state.services.close()

    assert response.status_code == 500
    labels = {"method": "GET", "route": "/v2/customers", "status": "500"}
    assert sample_value(after, REQUESTS, **labels) - sample_value(before, REQUESTS, **labels) == 1


async def test_graphql_operations_are_counted_by_name_and_outcome(
    gql: GraphQLClient, http: httpx.AsyncClient
) -> None:
    before = await scrape(http)

    await gql.execute("query CountMe { customers(first: 1) { totalCount } }")
    await gql.execute("query CountMe { customers(first: 2) { totalCount } }")
    await gql.errors("query Broken { customers { noSuchField } }")
    await gql.errors("query TooMany { customers(first: 500) { totalCount } }")
    await gql.post("{ __typename }", authorization="Bearer not-a-token")
    after = await scrape(http)

    def delta(operation: str, outcome: str) -> float:
        labels = {"operation": operation, "outcome": outcome}
        return sample_value(after, OPERATIONS, **labels) - sample_value(before, OPERATIONS, **labels)

    assert delta("CountMe", "ok") == 2
    assert delta("Broken", "invalid") == 1
    assert delta("TooMany", "user_error") == 1
    assert delta("unknown", "unauthenticated") == 1


def test_operation_names_are_checked_and_capped() -> None:
    assert operation_label("{ a }", None) == "anonymous"
    assert operation_label("fragment F on T { a } query Q { ...F }", None) == "Q"
    assert operation_label("query Q { a }", "not a name!") == "unknown"
    assert operation_label("query {", None) == "anonymous"
    assert operation_label('"unterminated', None) == "unknown"
    labels = {operation_label("{ a }", f"Op{index}") for index in range(MAX_OPERATION_NAMES + 50)}
    assert "other" in labels and len(labels) <= MAX_OPERATION_NAMES + 1


async def test_pool_figures_are_published(app_client: httpx.AsyncClient, signed: SignedAuth) -> None:
    await create_customer(app_client, signed, name="Pooled")

    text = await scrape(app_client)

    sizes = [line for line in text.splitlines() if line.startswith("gateway_db_pool_size{")]
    assert sizes, text
    assert any(line.startswith("gateway_db_connections_open{") for line in text.splitlines())
    assert any(line.startswith("gateway_db_connections_in_use{") for line in text.splitlines())


@pytest.fixture
async def client_without_metrics(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(replace(settings, metrics_enabled=False))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as c:
        yield c
    await app.state.services.close()


async def test_metrics_can_be_switched_off(client_without_metrics: httpx.AsyncClient) -> None:
    response = await client_without_metrics.get("/metrics")

    assert response.status_code == 404
    assert (await client_without_metrics.get("/healthz")).status_code == 200
