"""REST and GraphQL report the same invalid input with the same fields and codes (one set of rules)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.graphql.conftest import GraphQLClient

CREATE = """
mutation($input: CreateCustomerInput!) {
  createCustomer(input: $input) {
    __typename
    ... on ValidationError { fieldErrors { field code } }
    ... on ConflictError { fieldErrors { field code } }
  }
}
"""
UPDATE = """
mutation($uuid: ID!, $input: UpdateCustomerInput!) {
  updateCustomer(uuid: $uuid, input: $input) {
    __typename
    ... on ValidationError { fieldErrors { field code } }
    ... on ConflictError { fieldErrors { field code } }
  }
}
"""
ADD_CARD = """
mutation($uuid: ID!, $input: AddPaymentMethodInput!) {
  addPaymentMethod(customerUuid: $uuid, input: $input) {
    __typename
    ... on ValidationError { fieldErrors { field code } }
    ... on ConflictError { fieldErrors { field code } }
  }
}
"""
INVALID_CUSTOMERS: list[dict[str, Any]] = [
    {"email": "not-an-email"},
    {"email": "a@" + "b" * 200},
    {"name": "x" * 51},
    {"city": "ab"},
    {"zip_code": "1234567890"},
    {"country": "XX"},
    {"metadata": "not an object"},
    {"metadata": {"k": True}},
    {"metadata": {"": "empty key"}},
    {"metadata": {f"k{index}": "v" for index in range(51)}},
    {"email": "bad", "name": "n" * 60, "country": "ZZ"},
]
CARD = {"masked_pan": "411111******1111", "expiration_date": "12/34", "token": "tok"}
INVALID_CARDS: list[dict[str, Any]] = [
    {**CARD, "masked_pan": "4111111111111111"},
    {**CARD, "masked_pan": "4111"},
    {**CARD, "expiration_date": "13/34"},
    {**CARD, "keep_until": "2030-02-30"},
    {**CARD, "token": "card 4111111111111111"},
]


def camel(data: dict[str, Any]) -> dict[str, Any]:
    """The GraphQL input for a REST body."""
    return {
        "".join(p if i == 0 else p.title() for i, p in enumerate(k.split("_"))): v for k, v in data.items()
    }


def rest_codes(response: httpx.Response) -> set[tuple[str, str]]:
    assert response.status_code == 400, response.text
    return {(error["field"], error["code"]) for error in response.json()["errors"]}


def graphql_codes(result: dict[str, Any]) -> set[tuple[str, str]]:
    return {(error["field"], error["code"]) for error in result["fieldErrors"]}


async def rest(gql: GraphQLClient, method: str, path: str, body: dict[str, Any]) -> httpx.Response:
    headers = {"authorization": str(gql.authorization)}
    return await gql.http.request(method, path, json=body, headers=headers)


@pytest.mark.parametrize("body", INVALID_CUSTOMERS)
async def test_create_and_update_report_the_same_fields_and_codes(
    gql: GraphQLClient, body: dict[str, Any]
) -> None:
    created = await rest(gql, "POST", "/v2/customers", {"name": "Ada"})
    uuid = created.json()["uuid"]

    rest_create = rest_codes(await rest(gql, "POST", "/v2/customers", body))
    rest_update = rest_codes(await rest(gql, "POST", f"/v2/customers/{uuid}", body))
    graphql_create = (await gql.execute(CREATE, {"input": camel(body)}))["createCustomer"]
    graphql_update = (await gql.execute(UPDATE, {"uuid": uuid, "input": camel(body)}))["updateCustomer"]

    assert graphql_create["__typename"] == graphql_update["__typename"] == "ValidationError"
    assert graphql_codes(graphql_create) == rest_create
    assert graphql_codes(graphql_update) == rest_update
    assert rest_create


@pytest.mark.parametrize("body", INVALID_CARDS)
async def test_add_payment_method_reports_the_same_fields_and_codes(
    gql: GraphQLClient, body: dict[str, Any]
) -> None:
    uuid = (await rest(gql, "POST", "/v2/customers", {"name": "Ada"})).json()["uuid"]

    rest_result = rest_codes(await rest(gql, "POST", f"/v2/customers/{uuid}/payment-methods", body))
    graphql_result = (await gql.execute(ADD_CARD, {"uuid": uuid, "input": camel(body)}))["addPaymentMethod"]

    assert graphql_codes(graphql_result) == rest_result
    assert rest_result


async def test_conflicts_report_the_same_fields_and_codes(gql: GraphQLClient) -> None:
    await rest(gql, "POST", "/v2/customers", {"merchant_customer_id": "taken"})
    uuid = (await rest(gql, "POST", "/v2/customers", {"name": "Ada"})).json()["uuid"]

    rest_duplicate = rest_codes(await rest(gql, "POST", "/v2/customers", {"merchant_customer_id": "taken"}))
    graphql_duplicate = (await gql.execute(CREATE, {"input": {"merchantCustomerId": "taken"}}))[
        "createCustomer"
    ]
    await rest(gql, "DELETE", f"/v2/customers/{uuid}", {})
    rest_deleted = rest_codes(await rest(gql, "POST", f"/v2/customers/{uuid}", {"name": "x"}))
    graphql_deleted = (await gql.execute(UPDATE, {"uuid": uuid, "input": {"name": "x"}}))["updateCustomer"]

    assert graphql_duplicate["__typename"] == graphql_deleted["__typename"] == "ConflictError"
    assert graphql_codes(graphql_duplicate) == rest_duplicate == {("merchant_customer_id", "already_exists")}
    assert graphql_codes(graphql_deleted) == rest_deleted
