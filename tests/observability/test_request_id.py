"""Request ids through HTTP: accepted or generated, echoed on every response, named in error bodies."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest

from app.client.auth import SignedAuth
from app.main import create_app
from app.observability.request_id import accept_request_id
from app.settings import Settings
from tests.graphql.conftest import GraphQLClient

GENERATED = re.compile(r"^[0-9a-f]{32}$")


@pytest.mark.parametrize(
    "value",
    [b"abc-123", b"3f2a9c1e-6a1b-4c2d-9e8f-1a2b3c4d5e6f", b"trace:00-4bf92f35/b7ad6b71=+_.@", b"x" * 128],
)
def test_safe_ids_are_kept(value: bytes) -> None:
    assert accept_request_id(value) == value.decode()


@pytest.mark.parametrize(
    "value", [b"", b"has space", b'quote"d', b"line\nbreak", "caf\u00e9".encode(), b"x" * 129, None]
)
def test_unsafe_or_missing_ids_are_replaced(value: bytes | None) -> None:
    assert GENERATED.match(accept_request_id(value))


async def test_a_client_id_is_echoed_and_named_in_rest_error_bodies(
    app_client: httpx.AsyncClient, signed: SignedAuth
) -> None:
    ok = await app_client.get("/v2/customers", auth=signed, headers={"X-Request-Id": "order-42"})
    invalid = await app_client.post(
        "/v2/customers", json={"email": "nope"}, auth=signed, headers={"X-Request-Id": "order-43"}
    )

    assert ok.status_code == 200 and ok.headers["x-request-id"] == "order-42"
    assert invalid.status_code == 400
    assert invalid.headers["x-request-id"] == "order-43"
    assert invalid.json()["request_id"] == "order-43"


async def test_an_unsafe_client_id_is_replaced_not_echoed(app_client: httpx.AsyncClient) -> None:
    response = await app_client.get("/healthz", headers={"X-Request-Id": "<script>alert(1)</script>"})

    assert GENERATED.match(response.headers["x-request-id"])


async def test_every_rest_error_carries_the_id_of_its_response(
    app_client: httpx.AsyncClient, signed: SignedAuth
) -> None:
    responses = {
        401: await app_client.get("/v2/customers"),
        404: await app_client.get("/v2/customers/nonexistent", auth=signed),
        405: await app_client.put("/v2/customers", auth=signed),
        413: await app_client.post("/v2/customers", content=b"x" * (64 * 1024 + 1), auth=signed),
        0: await app_client.get("/unknown/path"),
    }

    for status, response in responses.items():
        assert response.status_code == (status or 404)
        request_id = response.headers["x-request-id"]
        assert GENERATED.match(request_id)
        assert response.json()["request_id"] == request_id


@pytest.fixture
async def failing_client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """A client of an app whose customer listing raises, answering 500s instead of raising in tests."""
    app = create_app(settings)

    async def explode(**_kwargs: object) -> None:
        raise RuntimeError("secret-internal-detail")

    app.state.services.customers.list_customers = explode
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client
    await app.state.services.close()


async def test_a_500_carries_the_request_id_too(
    failing_client: httpx.AsyncClient, signed: SignedAuth
) -> None:
    response = await failing_client.get("/v2/customers", auth=signed, headers={"X-Request-Id": "boom-1"})

    assert response.status_code == 500
    assert response.headers["x-request-id"] == "boom-1"
    assert response.json() == {"status": "error", "message": "internal error", "request_id": "boom-1"}


async def test_graphql_errors_name_the_request_id(gql: GraphQLClient, http: httpx.AsyncClient) -> None:
    invalid = await gql.post("{ customers { noSuchField } }")
    unauthenticated = await http.post(
        "/graphql", json={"query": "{ __typename }"}, headers={"X-Request-Id": "gql-7"}
    )
    wrong_method = await http.put("/graphql")

    for response in (invalid, unauthenticated, wrong_method):
        request_id = response.headers["x-request-id"]
        assert [error["extensions"]["requestId"] for error in response.json()["errors"]] == [request_id]
    assert unauthenticated.status_code == 401 and unauthenticated.headers["x-request-id"] == "gql-7"
    assert (await gql.post("{ __typename }")).headers["x-request-id"]
