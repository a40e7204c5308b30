"""GraphQL: NUL and lone surrogates are refused wherever a client puts them (variables at any depth,
operationName, string literals), as a validation error naming where, never a 500, on both databases.

Request bodies are JSON with `\\ud800` escapes, as a hostile client sends them.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from app.merchants.repository import Merchant
from app.runtime import Services
from tests.graphql.conftest import GraphQLClient

HOSTILE = {"nul": "\x00", "lone surrogate": "\ud800", "low surrogate": "x\udfffy"}
UUID = "00000000-0000-4000-8000-000000000000"
# (operation, variables holding the text, where the refusal names it), for each argument the attack run
# found answering 500 (or, on SQLite, matching every customer).
BY_MCID = "query($v: String!) { customerByMerchantCustomerId(merchantCustomerId: $v) { uuid } }"
FILTERED = "query($f: CustomerFilter) { customers(filter: $f) { totalCount nodes { uuid } } }"
REMOVE = f'mutation($v: ID!) {{ removePaymentMethod(customerUuid: "{UUID}", id: $v) {{ __typename }} }}'
ADD = (
    f'mutation($i: AddPaymentMethodInput!) {{ addPaymentMethod(customerUuid: "{UUID}", input: $i) '
    "{ __typename } }"
)
CARD = {"maskedPan": "411111******1111", "expirationDate": "12/34"}
ARGUMENTS = {
    "customerByMerchantCustomerId": (BY_MCID, lambda t: {"v": t}, "variables.v"),
    "filter.email": (FILTERED, lambda t: {"f": {"email": t}}, "variables.f.email"),
    "filter.merchantCustomerId": (
        FILTERED,
        lambda t: {"f": {"merchantCustomerId": t}},
        "variables.f.merchantCustomerId",
    ),
    "filter.nameContains": (FILTERED, lambda t: {"f": {"nameContains": t}}, "variables.f.nameContains"),
    "removePaymentMethod(id)": (REMOVE, lambda t: {"v": t}, "variables.v"),
    "addPaymentMethod.token": (ADD, lambda t: {"i": {**CARD, "token": f"tok_x{t}"}}, "variables.i.token"),
    "an unused variable": (BY_MCID, lambda t: {"v": "ok", "extra": [t]}, "variables.extra[0]"),
}


def assert_refused(response: httpx.Response, field: str) -> None:
    assert response.status_code == 200, response.text
    body = response.json()
    assert "data" not in body, body
    [error] = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    assert error["extensions"]["fieldErrors"] == [
        {"field": field, "code": "invalid_characters", "message": error["message"]}
    ]


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
@pytest.mark.parametrize("argument", ARGUMENTS, ids=ARGUMENTS)
async def test_hostile_text_in_a_variable_is_refused(gql: GraphQLClient, argument: str, text: str) -> None:
    query, variables, field = ARGUMENTS[argument]

    assert_refused(await gql.post(query, variables(text)), field)


async def post_raw(gql: GraphQLClient, payload: dict[str, Any]) -> httpx.Response:
    assert gql.authorization is not None
    headers = {"content-type": "application/json", "authorization": gql.authorization}
    return await gql.http.post("/graphql", content=json.dumps(payload).encode("ascii"), headers=headers)


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
async def test_hostile_text_in_the_operation_name_is_refused(gql: GraphQLClient, text: str) -> None:
    response = await post_raw(
        gql, {"query": "query Q { customers { totalCount } }", "operationName": f"Q{text}"}
    )

    assert_refused(response, "operationName")


@pytest.mark.parametrize(
    ("document", "field"),
    [
        ('{ customerByMerchantCustomerId(merchantCustomerId: "\\u0000") { uuid } }', "merchantCustomerId"),
        ('{ customers(filter: {nameContains: "a\\u0000"}) { totalCount } }', "filter.nameContains"),
        ('{ customers(filter: {email: """x\x00"""}) { totalCount } }', "filter.email"),  # block strings
        ('{ customers(filter: {merchantCustomerId: "\x00"}) { totalCount } }', "filter.merchantCustomerId"),
        (f'mutation {{ removePaymentMethod(customerUuid: "{UUID}", id: "\\u0000") {{ __typename }} }}', "id"),
        (
            'query($f: CustomerFilter = {nameContains: "\\u0000"}) { customers(filter: $f) { totalCount } }',
            "$f.nameContains",
        ),
    ],
)
async def test_nul_in_a_string_literal_is_refused(gql: GraphQLClient, document: str, field: str) -> None:
    assert_refused(await gql.post(document), field)


@pytest.mark.parametrize(
    "document",
    [
        '{ customerByMerchantCustomerId(merchantCustomerId: "\ud800") { uuid } }',
        '{ customerByMerchantCustomerId(merchantCustomerId: "\\ud800") { uuid } }',
        '{ customers(filter: {nameContains: "\\uDFFF"}) { totalCount } }',
        "# \ud800\n{ customers { totalCount } }",
    ],
)
async def test_a_lone_surrogate_in_the_document_is_a_syntax_error(gql: GraphQLClient, document: str) -> None:
    response = await post_raw(gql, {"query": document})

    assert response.status_code == 200, response.text
    body = response.json()
    assert "data" not in body
    assert body["errors"][0]["message"].startswith("Syntax Error"), body


async def test_a_nul_name_filter_matches_nothing_rather_than_everything(
    gql: GraphQLClient, services: Services, merchant: Merchant
) -> None:
    await services.customers.create(merchant_id=merchant.id, data={"name": "Ada"})
    await services.customers.create(merchant_id=merchant.id, data={"name": "Grace"})

    refused = await gql.post(FILTERED, {"f": {"nameContains": "\x00"}})
    matching = await gql.execute(FILTERED, {"f": {"nameContains": "ad"}})

    assert_refused(refused, "variables.f.nameContains")
    assert matching["customers"]["totalCount"] == 1


async def test_both_transports_refuse_hostile_text_in_a_write_with_the_same_code(gql: GraphQLClient) -> None:
    # REST names the body field; GraphQL refuses the variables before any resolver runs, naming the path.
    assert gql.authorization is not None
    headers = {"authorization": gql.authorization}
    rest = await gql.http.post("/v2/customers", content=b'{"phone": "x\\u0000y"}', headers=headers)
    graphql = await gql.post(
        "mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { __typename } }",
        {"input": {"phone": "x\x00y"}},
    )

    assert rest.status_code == 400
    assert [(e["field"], e["code"]) for e in rest.json()["errors"]] == [("phone", "invalid_characters")]
    assert_refused(graphql, "variables.input.phone")
