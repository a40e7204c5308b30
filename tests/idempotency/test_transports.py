"""Both transports keep the same outcome for the same refusal; REST turns it back into its status."""

from __future__ import annotations

import uuid

import httpx

from app.client.auth import SignedAuth
from app.idempotency import repository
from app.merchants.repository import Merchant
from app.runtime import Services
from tests.graphql.conftest import GraphQLClient, gql, graphql_app, graphql_settings, http  # noqa: F401
from tests.rest.conftest import signed  # noqa: F401


async def _kept_outcome(services: Services, merchant: Merchant, key: str) -> str | None:
    async with services.database.reader() as conn:
        stored = await repository.stored_key(conn, merchant_id=merchant.id, key=key)
    assert stored is not None
    return stored.outcome


async def test_a_rest_refusal_is_kept_as_an_outcome_and_replayed_with_its_status(
    app_client: httpx.AsyncClient,
    signed: SignedAuth,  # noqa: F811
    services: Services,
    merchant: Merchant,
) -> None:
    path = f"/v2/customers/{uuid.uuid4()}"
    headers = {"Idempotency-Key": "rest-missing"}

    first = await app_client.delete(path, headers=headers, auth=signed)
    again = await app_client.delete(path, headers=headers, auth=signed)

    assert (first.status_code, again.status_code) == (404, 404)
    assert again.headers["Idempotent-Replayed"] == "true" and again.json() == first.json()
    assert await _kept_outcome(services, merchant, "rest-missing") == "not_found"


async def test_a_graphql_refusal_is_kept_as_the_same_outcome(
    gql: GraphQLClient,  # noqa: F811
    services: Services,
    merchant: Merchant,
) -> None:
    query = 'mutation($u: ID!) { deleteCustomer(uuid: $u, idempotencyKey: "gql-missing") { __typename } }'

    first = await gql.execute(query, {"u": str(uuid.uuid4())})

    assert first["deleteCustomer"]["__typename"] == "NotFoundError"
    assert await _kept_outcome(services, merchant, "gql-missing") == "not_found"
