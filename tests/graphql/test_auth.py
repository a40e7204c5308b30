"""Authentication and scopes on /graphql: the same two schemes as REST, answered in JSON."""

from __future__ import annotations

import time

import httpx
import pytest

from app.auth import Scope
from app.merchants.repository import Merchant
from app.runtime import Services
from tests.graphql.conftest import GraphQLClient, issue_token, operation_body, signed_header

QUERY = "{ customers { totalCount } }"
CARDS_QUERY = "{ customers { nodes { uuid paymentMethods { id } } } }"


def assert_unauthenticated(response: httpx.Response) -> None:
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/json"
    error = response.json()["errors"][0]
    assert "Authorization" in error["message"]
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    assert "data" not in response.json()


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "Bearer not-a-token",
        "Basic dXNlcjpwYXNz",
        "WP3-v2.1 unknown 1 abc",
        "WP3-v2.1 too few",
    ],
)
async def test_missing_or_bad_credentials_answer_401(gql: GraphQLClient, authorization: str | None) -> None:
    gql.authorization = None
    assert_unauthenticated(await gql.post(QUERY, authorization=authorization))


async def test_expired_token_answers_401(gql: GraphQLClient, services: Services, merchant: Merchant) -> None:
    issued = await services.merchants.issue_token(
        grant_type="client_credentials",
        client_id=merchant.authenticity_token,
        client_secret=merchant.merchant_key,
        ttl_seconds=-1,
    )

    assert_unauthenticated(await gql.post(QUERY, authorization=f"Bearer {issued.access_token}"))


async def test_signed_request_with_fullpath_graphql_is_accepted(
    http: httpx.AsyncClient, merchant: Merchant
) -> None:
    body = operation_body(QUERY)

    response = await http.post(
        "/graphql",
        content=body,
        headers={"content-type": "application/json", "authorization": signed_header(merchant, body)},
    )

    assert response.status_code == 200, response.text
    assert response.json() == {"data": {"customers": {"totalCount": 0}}, "extensions": {"cost": 2}}


async def test_signed_request_with_a_query_string_signs_it_too(
    http: httpx.AsyncClient, merchant: Merchant
) -> None:
    body = operation_body(QUERY)
    headers = {"content-type": "application/json"}

    signed_with = await http.post(
        "/graphql?x=1",
        content=body,
        headers={**headers, "authorization": signed_header(merchant, body, "/graphql?x=1")},
    )
    signed_without = await http.post(
        "/graphql?x=1",
        content=body,
        headers={**headers, "authorization": signed_header(merchant, body, "/graphql")},
    )

    assert signed_with.status_code == 200
    assert_unauthenticated(signed_without)


async def test_signature_over_another_body_path_or_time_is_refused(
    http: httpx.AsyncClient, merchant: Merchant
) -> None:
    body = operation_body(QUERY)
    other_body = operation_body("{ customers { nodes { uuid } } }")
    headers = {"content-type": "application/json"}
    stale = int(time.time()) - 3600

    for authorization in (
        signed_header(merchant, other_body),
        signed_header(merchant, body, fullpath="/v2/customers"),
        signed_header(merchant, body, timestamp=stale),
    ):
        response = await http.post(
            "/graphql", content=body, headers={**headers, "authorization": authorization}
        )
        assert_unauthenticated(response)


async def test_token_without_payment_methods_scope_gets_403_on_payment_methods(
    gql: GraphQLClient, services: Services, merchant: Merchant
) -> None:
    await services.customers.create(merchant_id=merchant.id, data={"name": "Ada"})
    token = await issue_token(services, merchant, frozenset({Scope.CUSTOMERS}))
    gql.authorization = f"Bearer {token}"

    allowed = await gql.post(QUERY)
    refused = await gql.post(CARDS_QUERY)
    refused_mutation = await gql.post(
        'mutation { removePaymentMethod(customerUuid: "x", id: "y") { __typename } }'
    )

    assert allowed.status_code == 200
    for response in (refused, refused_mutation):
        assert response.status_code == 403, response.text
        error = response.json()["errors"][0]
        assert error["message"].startswith("the access token lacks the scope: payment-methods")
        assert error["extensions"]["code"] == "FORBIDDEN"


async def test_token_without_customers_scope_gets_403(
    gql: GraphQLClient, services: Services, merchant: Merchant
) -> None:
    token = await issue_token(services, merchant, frozenset({Scope.PAYMENT_METHODS}))

    response = await gql.post(QUERY, authorization=f"Bearer {token}")

    assert response.status_code == 403
    assert response.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
