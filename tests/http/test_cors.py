"""CORS on /graphql and /v2 (SPEC section 7) through real HTTP: listed origins only, nothing by default."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace

import httpx
import pytest

from app.main import create_app
from app.merchants.repository import Merchant
from app.runtime import Services
from app.settings import Settings, load_settings
from tests.graphql.conftest import issue_token

FRONTEND = "http://127.0.0.1:5173"
OTHER_SITE = "http://127.0.0.1:6666"
QUERY = {"query": "{ customers { totalCount } }"}
SPEC_HEADERS = {
    "authorization",
    "content-type",
    "idempotency-key",
    "x-request-id",
    "apollo-require-preflight",
    "x-apollo-operation-name",
}


async def client_for(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client
    await app.state.services.close()


@pytest.fixture
async def cors_client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The app with one frontend origin allowed."""
    async for client in client_for(replace(settings, cors_origins=(FRONTEND,))):
        yield client


@pytest.fixture
async def plain_client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The app with the default settings: no origin allowed."""
    async for client in client_for(settings):
        yield client


@pytest.fixture
async def bearer(services: Services, merchant: Merchant) -> str:
    return f"Bearer {await issue_token(services, merchant)}"


def preflight(
    origin: str, method: str = "POST", headers: str = "authorization, content-type"
) -> dict[str, str]:
    return {
        "origin": origin,
        "access-control-request-method": method,
        "access-control-request-headers": headers,
    }


def assert_no_cors(response: httpx.Response) -> None:
    assert not [name for name in response.headers if name.startswith("access-control-allow")], (
        response.headers
    )


@pytest.mark.parametrize("path", ["/graphql", "/v2/customers", "/v2/customers/some-uuid/payment-methods"])
async def test_a_listed_origins_preflight_is_granted_what_spec_lists(
    cors_client: httpx.AsyncClient, path: str
) -> None:
    headers = ", ".join(sorted(SPEC_HEADERS))
    response = await cors_client.options(path, headers=preflight(FRONTEND, headers=headers))

    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == FRONTEND
    assert response.headers["access-control-allow-methods"] == "GET, POST, DELETE"
    allowed = {name.strip().lower() for name in response.headers["access-control-allow-headers"].split(",")}
    assert allowed >= SPEC_HEADERS
    assert response.headers["access-control-max-age"] == "600"
    assert "Origin" in response.headers["vary"]
    assert "access-control-allow-credentials" not in response.headers


async def test_a_listed_origin_reads_the_answer_and_the_request_id(
    cors_client: httpx.AsyncClient, bearer: str
) -> None:
    response = await cors_client.post(
        "/graphql", json=QUERY, headers={"origin": FRONTEND, "authorization": bearer}
    )

    assert response.status_code == 200
    assert response.json() == {"data": {"customers": {"totalCount": 0}}, "extensions": {"cost": 2}}
    assert response.headers["access-control-allow-origin"] == FRONTEND
    assert "Origin" in response.headers["vary"]
    assert response.headers["access-control-expose-headers"] == "x-request-id"
    assert response.headers["x-request-id"]


async def test_a_listed_origin_sees_refusals_too(cors_client: httpx.AsyncClient) -> None:
    """A browser page can only read a 401 the server lets it read."""
    graphql = await cors_client.post("/graphql", json=QUERY, headers={"origin": FRONTEND})
    rest = await cors_client.get("/v2/customers", headers={"origin": FRONTEND})

    for response in (graphql, rest):
        assert response.status_code == 401
        assert response.headers["access-control-allow-origin"] == FRONTEND


async def test_rest_answers_a_listed_origin(cors_client: httpx.AsyncClient, bearer: str) -> None:
    response = await cors_client.get("/v2/customers", headers={"origin": FRONTEND, "authorization": bearer})

    assert response.status_code == 200
    assert response.json() == {"status": "approved", "data": []}
    assert response.headers["access-control-allow-origin"] == FRONTEND


async def test_a_doubled_leading_slash_gets_the_same_cors(cors_client: httpx.AsyncClient) -> None:
    response = await cors_client.options("http://testserver//v2/customers", headers=preflight(FRONTEND))
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == FRONTEND


@pytest.mark.parametrize(
    ("path", "shape"),
    [("/graphql", "graphql"), ("/v2/customers", "rest")],
)
async def test_an_unlisted_origin_is_granted_nothing(
    cors_client: httpx.AsyncClient, bearer: str, path: str, shape: str
) -> None:
    refused = await cors_client.options(path, headers=preflight(OTHER_SITE))
    answered = await cors_client.request(
        "POST" if shape == "graphql" else "GET",
        path,
        json=QUERY if shape == "graphql" else None,
        headers={"origin": OTHER_SITE, "authorization": bearer},
    )

    assert refused.status_code == 400
    assert_no_cors(refused)
    body = refused.json()
    if shape == "graphql":
        assert "origin" in body["errors"][0]["message"]
    else:
        assert body["status"] == "invalid-request" and "origin" in body["message"]
    # The server still answers (CORS is enforced by the browser), but grants the page nothing.
    assert answered.status_code == 200
    assert_no_cors(answered)


async def test_a_preflight_asking_for_an_unlisted_header_or_method_is_refused(
    cors_client: httpx.AsyncClient,
) -> None:
    header = await cors_client.options("/graphql", headers=preflight(FRONTEND, headers="x-secret"))
    method = await cors_client.options("/v2/customers", headers=preflight(FRONTEND, method="PUT"))

    assert header.status_code == 400 and "headers" in header.json()["errors"][0]["message"]
    assert method.status_code == 400 and "method" in method.json()["message"]


@pytest.mark.parametrize("path", ["/graphql/static/graphiql-init.js", "/healthz", "/v2"])
async def test_only_the_api_paths_answer_cross_origin(cors_client: httpx.AsyncClient, path: str) -> None:
    response = await cors_client.get(path, headers={"origin": FRONTEND})
    assert_no_cors(response)


async def test_no_origin_is_allowed_by_default(plain_client: httpx.AsyncClient, bearer: str) -> None:
    refused = await plain_client.options("/graphql", headers=preflight(FRONTEND))
    answered = await plain_client.post(
        "/graphql", json=QUERY, headers={"origin": FRONTEND, "authorization": bearer}
    )

    assert refused.status_code == 405
    assert_no_cors(refused)
    assert answered.status_code == 200
    assert_no_cors(answered)
    assert "access-control-expose-headers" not in answered.headers


def test_origins_are_read_as_a_comma_separated_list() -> None:
    settings = load_settings({"GATEWAY_CORS_ORIGINS": " https://shop.example.com,http://127.0.0.1:5173 ,"})
    assert settings.cors_origins == ("https://shop.example.com", "http://127.0.0.1:5173")
    assert load_settings({}).cors_origins == ()


@pytest.mark.parametrize(
    "value",
    ["*", "https://shop.example.com/", "https://Shop.example.com", "shop.example.com", "https://*.a.b"],
)
def test_anything_but_an_exact_origin_stops_start_up(value: str) -> None:
    with pytest.raises(SystemExit) as stopped:
        load_settings({"GATEWAY_CORS_ORIGINS": value})
    assert "GATEWAY_CORS_ORIGINS" in str(stopped.value)
