"""`customers:read` tokens on /graphql: every query runs, no mutation does (FORBIDDEN, nothing written)."""

from __future__ import annotations

import pytest

from app.auth import Scope
from app.merchants.repository import Merchant
from app.runtime import Services
from tests.graphql.conftest import GraphQLClient, issue_token

READ_EVERYTHING = """
{
  customers(first: 5) {
    totalCount
    nodes { uuid name paymentMethods { maskedPan } }
  }
}
"""
CARD = {"masked_pan": "411111******1111", "expiration_date": "12/34", "token": "tok_visa_1"}

MUTATIONS = [
    'mutation { createCustomer(input: {name: "Intruder"}) { __typename } }',
    'mutation { updateCustomer(uuid: "{uuid}", input: {name: "Changed"}) { __typename } }',
    'mutation { deleteCustomer(uuid: "{uuid}") { __typename } }',
    'mutation { addPaymentMethod(customerUuid: "{uuid}", input: {maskedPan: "411111******1111",'
    ' expirationDate: "12/34", token: "tok_2"}) { __typename } }',
    'mutation { removePaymentMethod(customerUuid: "{uuid}", id: "{card}") { __typename } }',
]


@pytest.fixture
async def reader(gql: GraphQLClient, services: Services, merchant: Merchant) -> GraphQLClient:
    """The test's merchant through a `customers:read` token."""
    token = await issue_token(services, merchant, frozenset({Scope.CUSTOMERS_READ}))
    return GraphQLClient(gql.http, gql.app, f"Bearer {token}")


async def test_a_read_only_token_runs_queries_payment_methods_included(
    reader: GraphQLClient, services: Services, merchant: Merchant
) -> None:
    customer = await services.customers.create(merchant_id=merchant.id, data={"name": "Ada"})
    await services.customers.add_payment_method(
        merchant_id=merchant.id, customer_uuid=customer.uuid, data=dict(CARD)
    )

    data = await reader.execute(READ_EVERYTHING)

    assert data["customers"]["totalCount"] == 1
    assert data["customers"]["nodes"] == [
        {"uuid": customer.uuid, "name": "Ada", "paymentMethods": [{"maskedPan": "411111******1111"}]}
    ]


@pytest.mark.parametrize("mutation", MUTATIONS)
async def test_a_read_only_token_runs_no_mutation(
    reader: GraphQLClient, gql: GraphQLClient, services: Services, merchant: Merchant, mutation: str
) -> None:
    customer = await services.customers.create(merchant_id=merchant.id, data={"name": "Kept"})
    card = await services.customers.add_payment_method(
        merchant_id=merchant.id, customer_uuid=customer.uuid, data=dict(CARD)
    )

    response = await reader.post(mutation.replace("{uuid}", customer.uuid).replace("{card}", card.id))

    assert response.status_code == 403, response.text
    body = response.json()
    assert "data" not in body
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert "customers" in body["errors"][0]["message"]
    after = await gql.execute(READ_EVERYTHING)
    assert after["customers"]["totalCount"] == 1
    assert after["customers"]["nodes"][0]["name"] == "Kept"
    assert len(after["customers"]["nodes"][0]["paymentMethods"]) == 1


async def test_a_document_with_a_mutation_still_runs_its_query_for_a_reader(reader: GraphQLClient) -> None:
    document = (
        "query Count { customers { totalCount } }\n"
        'mutation Write { createCustomer(input: {name: "x"}) { __typename } }'
    )

    allowed = await reader.http.post(
        "/graphql",
        json={"query": document, "operationName": "Count"},
        headers={"authorization": reader.authorization or ""},
    )
    refused = await reader.http.post(
        "/graphql",
        json={"query": document, "operationName": "Write"},
        headers={"authorization": reader.authorization or ""},
    )

    assert allowed.status_code == 200, allowed.text
    assert allowed.json()["data"] == {"customers": {"totalCount": 0}}
    assert refused.status_code == 403
    assert refused.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
