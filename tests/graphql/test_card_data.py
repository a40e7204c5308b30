"""GraphQL: a full card number, however written, is refused in addPaymentMethod and in every customer
field of createCustomer and updateCustomer, and leaves no trace (response, table, log)."""

from __future__ import annotations

import logging

import pytest

from app.runtime import Services
from tests.card_forms import EVERY_FIELD_REFUSED, WRITTEN_FORMS, every_field_holding
from tests.graphql.conftest import GraphQLClient
from tests.storage_dump import assert_card_number_absent, everything_stored

PANS = [
    "4111111111111111",
    "4111 1111 1111 1111",
    "5500-0000-0000-0004",
    "6011 0009 9013 9424",
    "378282246310005",
    *WRITTEN_FORMS.values(),
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


ERRORS = "__typename ... on ValidationError { fieldErrors { field code } }"
CREATE = f"mutation($input: CreateCustomerInput!) {{ createCustomer(input: $input) {{ {ERRORS} }} }}"
UPDATE = f"""mutation($uuid: ID!, $input: UpdateCustomerInput!) {{
  updateCustomer(uuid: $uuid, input: $input) {{ {ERRORS} }}
}}"""


def camel_case(data: dict[str, object]) -> dict[str, object]:
    def camel(name: str) -> str:
        first, *rest = name.split("_")
        return first + "".join(part.title() for part in rest)

    return {camel(key): value for key, value in data.items()}


def refused_fields(result: dict[str, object]) -> list[tuple[str, str]]:
    assert result["__typename"] == "ValidationError", result
    errors = result["fieldErrors"]
    assert isinstance(errors, list)
    return sorted((error["field"], error["code"]) for error in errors)


@pytest.mark.parametrize("form", WRITTEN_FORMS.values(), ids=WRITTEN_FORMS.keys())
async def test_graphql_refuses_a_card_number_in_every_customer_field(
    gql: GraphQLClient, services: Services, caplog: pytest.LogCaptureFixture, form: str
) -> None:
    created = await gql.execute(
        "mutation { createCustomer(input: {}) { ... on CustomerPayload { customer { uuid } } } }"
    )
    uuid = created["createCustomer"]["customer"]["uuid"]
    caplog.set_level(logging.DEBUG)
    customer = camel_case(every_field_holding(form))

    create = await gql.post(CREATE, {"input": customer})
    update = await gql.post(UPDATE, {"uuid": uuid, "input": customer})

    assert refused_fields(create.json()["data"]["createCustomer"]) == EVERY_FIELD_REFUSED
    assert refused_fields(update.json()["data"]["updateCustomer"]) == EVERY_FIELD_REFUSED
    stored = await everything_stored(services)
    assert_card_number_absent(form, create.text, update.text, caplog.text, stored)
