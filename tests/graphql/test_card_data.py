"""GraphQL: a full card number in addPaymentMethod is refused and leaves no trace (response, table, log)."""

from __future__ import annotations

import logging

import pytest

from app.runtime import Services
from tests.graphql.conftest import GraphQLClient
from tests.storage_dump import assert_card_number_absent, everything_stored

PANS = [
    "4111111111111111",
    "4111 1111 1111 1111",
    "5500-0000-0000-0004",
    "6011 0009 9013 9424",
    "378282246310005",
]
ADD_CARD = """
mutation($uuid: ID!, $input: AddPaymentMethodInput!, $key: String) {
  addPaymentMethod(customerUuid: $uuid, input: $input, idempotencyKey: $key) {
    __typename ... on ValidationError { message fieldErrors { field code message } }
  }
}
"""


@pytest.mark.parametrize("pan", PANS)
@pytest.mark.parametrize("field", ["maskedPan", "token"])
async def test_graphql_refuses_a_card_number_and_keeps_no_trace(
    gql: GraphQLClient, services: Services, caplog: pytest.LogCaptureFixture, pan: str, field: str
) -> None:
    created = await gql.execute(
        "mutation { createCustomer(input: {}) { ... on CustomerPayload { customer { uuid } } } }"
    )
    uuid = created["createCustomer"]["customer"]["uuid"]
    card = {"maskedPan": "411111******1111", "expirationDate": "12/34", "token": "tok_1"}
    caplog.set_level(logging.DEBUG)

    response = await gql.post(
        ADD_CARD,
        {"uuid": uuid, "input": {**card, field: pan}, "key": f"gql-pan-{field}-{PANS.index(pan)}"},
    )

    result = response.json()["data"]["addPaymentMethod"]
    snake = "masked_pan" if field == "maskedPan" else "token"
    assert result["__typename"] == "ValidationError"
    assert [(e["field"], e["code"]) for e in result["fieldErrors"]] == [(snake, "full_card_number")]
    assert_card_number_absent(pan, response.text, caplog.text, await everything_stored(services))
