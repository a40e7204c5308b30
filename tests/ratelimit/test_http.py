"""Rate limits through real HTTP on both transports and both databases: the fields on every charged
answer, 429 with `Retry-After` once the budget is spent, nothing charged before authentication, and
counters shared through Redis by two apps (two workers) and skipped when Redis is down."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import replace
from typing import Any

import httpx
import pytest

from app.auth import Scope
from app.main import create_app
from app.merchants.repository import Merchant
from app.settings import Secret, Settings
from tests.graphql.conftest import issue_token
from tests.ratelimit.conftest import delete_prefixed, redis_url, unique_prefix

FIELDS = ("ratelimit-limit", "ratelimit-remaining", "ratelimit-reset", "ratelimit-policy")
QUERY = "{ customers { totalCount } }"

AppClient = tuple[httpx.AsyncClient, Any]


@asynccontextmanager
async def served(settings: Settings) -> AsyncIterator[AppClient]:
    """A fresh app over HTTP (ASGI transport) and its services."""
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client, app.state.services
    finally:
        await app.state.services.close()


@pytest.fixture
def limited(settings: Settings) -> Settings:
    """Tiny budgets: 3 REST requests and 4 GraphQL points (two QUERYs, 2 points each) per minute."""
    return replace(settings, rate_limit_rest_requests=3, rate_limit_graphql_points=4)


@pytest.fixture
async def gateway(limited: Settings) -> AsyncIterator[AppClient]:
    async with served(limited) as pair:
        yield pair


async def bearer(services: Any, scopes: frozenset[Scope] | None = None) -> dict[str, str]:
    """An Authorization header for a new merchant."""
    merchant: Merchant = await services.merchants.create_merchant(name="Limited")
    token = await issue_token(services, merchant, *(() if scopes is None else (scopes,)))
    return {"authorization": f"Bearer {token}"}


def limit_fields(response: httpx.Response) -> dict[str, str]:
    return {name: response.headers[name] for name in FIELDS if name in response.headers}


def graphql(client: httpx.AsyncClient, headers: dict[str, str], query: str = QUERY) -> Any:
    return client.post("/graphql", json={"query": query}, headers=headers)


async def test_rest_answers_carry_the_fields_then_429_with_retry_after(gateway: AppClient) -> None:
    client, services = gateway
    headers = await bearer(services)
    answers = [
        await client.get("/v2/customers", headers=headers),
        await client.get("/v2/customers/no-such-customer", headers=headers),  # an error answer is charged
        await client.post("/v2/customers", json={"email": "not an address"}, headers=headers),
    ]
    assert [answer.status_code for answer in answers] == [200, 404, 400]
    assert [limit_fields(answer)["ratelimit-remaining"] for answer in answers] == ["2", "1", "0"]
    first = limit_fields(answers[0])
    assert (first["ratelimit-limit"], first["ratelimit-policy"]) == ("3", "3;w=60")
    assert 1 <= int(first["ratelimit-reset"]) <= 60

    refused = await client.get("/v2/customers", headers=headers)
    assert refused.status_code == 429
    body = refused.json()
    assert body["status"] == "invalid-request"
    assert body["errors"] == []
    assert "rate limit" in body["message"]
    assert body["request_id"] == refused.headers["x-request-id"]
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert limit_fields(refused)["ratelimit-remaining"] == "0"
    # Writes are refused alike, before anything is written.
    assert (await client.post("/v2/customers", json={"name": "x"}, headers=headers)).status_code == 429


async def test_a_missing_scope_is_charged_too(gateway: AppClient) -> None:
    client, services = gateway
    headers = await bearer(services, frozenset({Scope.CUSTOMERS}))
    forbidden = await client.get("/v2/payment-methods", headers=headers)
    assert forbidden.status_code == 403
    assert limit_fields(forbidden)["ratelimit-remaining"] == "2"


async def test_requests_that_fail_authentication_are_not_charged(gateway: AppClient) -> None:
    client, services = gateway
    headers = await bearer(services)
    for wrong in ({}, {"authorization": "Bearer not-a-token"}, {"authorization": "WP3-v2.1 x 1 y"}):
        rest = await client.get("/v2/customers", headers=wrong)
        graph = await graphql(client, wrong)
        assert (rest.status_code, graph.status_code) == (401, 401)
        assert limit_fields(rest) == {} and limit_fields(graph) == {}
    oauth = await client.post("/v2/oauth", json={"grant_type": "client_credentials"})
    assert limit_fields(oauth) == {}
    answer = await client.get("/v2/customers", headers=headers)
    assert limit_fields(answer)["ratelimit-remaining"] == "2"  # the first charge of the window


async def test_each_merchant_has_its_own_budget(gateway: AppClient) -> None:
    client, services = gateway
    spender, other = await bearer(services), await bearer(services)
    for _ in range(3):
        await client.get("/v2/customers", headers=spender)
    assert (await client.get("/v2/customers", headers=spender)).status_code == 429
    fresh = await client.get("/v2/customers", headers=other)
    assert (fresh.status_code, limit_fields(fresh)["ratelimit-remaining"]) == (200, "2")


async def test_graphql_answers_carry_the_fields_then_429_rate_limited(gateway: AppClient) -> None:
    client, services = gateway
    headers = await bearer(services)
    ok = await graphql(client, headers)
    invalid = await graphql(client, headers, "{ customers { noSuchField } }")  # refused: one point
    assert (ok.status_code, invalid.status_code) == (200, 200)
    assert "errors" in invalid.json()
    assert [limit_fields(answer)["ratelimit-remaining"] for answer in (ok, invalid)] == ["2", "1"]
    assert limit_fields(ok)["ratelimit-policy"] == "4;w=60"

    refused = await graphql(client, headers)
    assert refused.status_code == 429
    assert refused.headers["content-type"].startswith("application/json")
    (error,) = refused.json()["errors"]
    assert "data" not in refused.json()
    assert error["extensions"]["code"] == "RATE_LIMITED"
    assert error["extensions"]["retryAfter"] == int(refused.headers["retry-after"])
    assert 1 <= error["extensions"]["retryAfter"] <= 60
    assert error["extensions"]["requestId"] == refused.headers["x-request-id"]
    assert limit_fields(refused)["ratelimit-remaining"] == "1"  # QUERY costs 2: more than is left


async def test_rest_and_graphql_spend_separate_budgets(gateway: AppClient) -> None:
    client, services = gateway
    headers = await bearer(services)
    for _ in range(3):
        await client.get("/v2/customers", headers=headers)
    assert (await client.get("/v2/customers", headers=headers)).status_code == 429
    assert (await graphql(client, headers)).status_code == 200


async def test_budgets_set_to_zero_are_off(settings: Settings) -> None:
    off = replace(settings, rate_limit_rest_requests=0, rate_limit_graphql_points=0)
    async with served(off) as (client, services):
        headers = await bearer(services)
        for _ in range(5):
            rest, graph = await client.get("/v2/customers", headers=headers), await graphql(client, headers)
            assert (rest.status_code, graph.status_code) == (200, 200)
            assert limit_fields(rest) == {} and limit_fields(graph) == {}


@pytest.fixture
async def redis_limited(limited: Settings, redis_client: Any) -> AsyncIterator[Settings]:
    """`limited` with its counters in Redis, under a prefix of the test's own."""
    prefix = unique_prefix()
    yield replace(limited, redis_url=Secret(redis_url()), redis_key_prefix=prefix)
    await delete_prefixed(redis_client, prefix)


async def test_two_apps_on_redis_share_each_budget(redis_limited: Settings) -> None:
    async with served(redis_limited) as (first, services), served(redis_limited) as (second, _):
        headers = await bearer(services)
        clients: list[Callable[..., Any]] = [first.get, second.get]
        statuses = [(await clients[i % 2]("/v2/customers", headers=headers)).status_code for i in range(6)]
        graph = [(await graphql((first, second)[i % 2], headers)).status_code for i in range(4)]
    assert statuses == [200, 200, 200, 429, 429, 429]
    assert graph == [200, 200, 429, 429]


async def test_redis_down_serves_every_request_without_the_fields(limited: Settings) -> None:
    down = replace(limited, redis_url=Secret("redis://127.0.0.1:1/0"))
    async with served(down) as (client, services):
        headers = await bearer(services)
        for _ in range(5):
            rest, graph = await client.get("/v2/customers", headers=headers), await graphql(client, headers)
            assert (rest.status_code, graph.status_code) == (200, 200)
            assert limit_fields(rest) == {} and limit_fields(graph) == {}


async def test_graphql_spends_the_operations_cost(settings: Settings) -> None:
    from graphql import parse

    from app.graphql.cost import operation_costs
    from app.graphql.engine._compat import graphql_schema
    from app.graphql.schema import build_schema

    page = "{ customers(first: 20) { nodes { uuid email paymentMethods { id } } } }"
    cost = operation_costs(graphql_schema(build_schema()), parse(page))[None]
    assert cost > 20  # a page of 20 customers costs more than one point
    async with served(replace(settings, rate_limit_graphql_points=10_000)) as (client, services):
        headers = await bearer(services)
        answer = await graphql(client, headers, page)
    assert answer.status_code == 200, answer.text
    assert limit_fields(answer)["ratelimit-remaining"] == str(10_000 - cost)
