"""Mutations and every member of their result unions."""

from __future__ import annotations

from typing import Any

from app.merchants.repository import Merchant
from app.runtime import Services
from tests.graphql.conftest import GraphQLClient

ERROR_FIELDS = """
    __typename
    ... on MutationError { message }
    ... on ValidationError { fieldErrors { field code message } }
    ... on ConflictError { code fieldErrors { field code message } }
"""
# Unions without ValidationError or ConflictError members cannot spread those fragments.
NOT_FOUND_FIELDS = "__typename ... on MutationError { message }"
CREATE = f"""
mutation($input: CreateCustomerInput!) {{
  createCustomer(input: $input) {{
    ... on CustomerPayload {{ customer {{ uuid merchantCustomerId name email metadata country deleted }} }}
    {ERROR_FIELDS}
  }}
}}
"""
UPDATE = f"""
mutation($uuid: ID!, $input: UpdateCustomerInput!) {{
  updateCustomer(uuid: $uuid, input: $input) {{
    ... on CustomerPayload {{ customer {{ uuid name email phone city metadata merchantCustomerId }} }}
    {ERROR_FIELDS}
  }}
}}
"""
DELETE = f"""
mutation($uuid: ID!) {{
  deleteCustomer(uuid: $uuid) {{
    ... on CustomerPayload {{ customer {{ uuid deleted deletedAt }} }}
    {NOT_FOUND_FIELDS}
  }}
}}
"""
ADD_CARD = f"""
mutation($uuid: ID!, $input: AddPaymentMethodInput!) {{
  addPaymentMethod(customerUuid: $uuid, input: $input) {{
    ... on PaymentMethodPayload {{
      paymentMethod {{
        id status maskedPan expirationDate keepUntil token expired customerUuid createdAt updatedAt
      }}
    }}
    {ERROR_FIELDS}
  }}
}}
"""
REMOVE_CARD = f"""
mutation($uuid: ID!, $id: ID!) {{
  removePaymentMethod(customerUuid: $uuid, id: $id) {{
    ... on RemovePaymentMethodPayload {{ id deleted }}
    {NOT_FOUND_FIELDS}
  }}
}}
"""
CARD = {"maskedPan": "411111******1111", "expirationDate": "12/34", "token": "tok_123"}
UNKNOWN_UUID = "00000000-0000-4000-8000-000000000000"


async def create(gql: GraphQLClient, **fields: Any) -> dict[str, Any]:
    """createCustomer's result."""
    return (await gql.execute(CREATE, {"input": fields}))["createCustomer"]


async def update(gql: GraphQLClient, uuid: str, **fields: Any) -> dict[str, Any]:
    """updateCustomer's result."""
    return (await gql.execute(UPDATE, {"uuid": uuid, "input": fields}))["updateCustomer"]


async def test_create_customer(gql: GraphQLClient) -> None:
    result = await create(
        gql,
        name="Ada",
        email="ada@example.com",
        metadata={"tier": "gold"},
        country="de",
        merchantCustomerId="m1",
    )

    assert result["__typename"] == "CustomerPayload"
    customer = result["customer"]
    assert customer["name"] == "Ada" and customer["email"] == "ada@example.com"
    assert customer["metadata"] == {"tier": "gold"}
    assert customer["country"] == "DE"
    assert customer["deleted"] is False
    stored = await gql.execute("query($u: ID!) { customer(uuid: $u) { name } }", {"u": customer["uuid"]})
    assert stored == {"customer": {"name": "Ada"}}


async def test_create_with_nothing_gives_an_empty_customer(gql: GraphQLClient) -> None:
    result = await create(gql, name=None)

    assert result["customer"]["name"] is None
    assert result["customer"]["metadata"] == {}


async def test_create_invalid_input_is_a_validation_error(gql: GraphQLClient) -> None:
    result = await create(
        gql, email="not-an-email", name="x" * 51, country="XX", metadata=["not", "an", "object"]
    )

    assert result["__typename"] == "ValidationError"
    assert {(error["field"], error["code"]) for error in result["fieldErrors"]} == {
        ("email", "invalid_email"),
        ("name", "too_long"),
        ("country", "invalid_country"),
        ("metadata", "invalid_type"),
    }
    assert result["message"]
    assert (await gql.execute("{ customers { totalCount } }"))["customers"]["totalCount"] == 0


async def test_create_duplicate_merchant_customer_id_is_a_conflict(gql: GraphQLClient) -> None:
    await create(gql, merchantCustomerId="dup")

    result = await create(gql, merchantCustomerId="dup")

    assert result["__typename"] == "ConflictError"
    assert result["code"] == "already_exists"
    assert [(e["field"], e["code"]) for e in result["fieldErrors"]] == [
        ("merchant_customer_id", "already_exists")
    ]


async def test_update_absent_field_keeps_and_explicit_null_clears(gql: GraphQLClient) -> None:
    uuid = (await create(gql, name="Ada", email="ada@example.com", phone="+1", city="Paris"))["customer"][
        "uuid"
    ]

    kept = await update(gql, uuid, phone="+2")
    cleared = await update(gql, uuid, name=None, city=None)

    assert kept["customer"] == {
        "uuid": uuid,
        "name": "Ada",
        "email": "ada@example.com",
        "phone": "+2",
        "city": "Paris",
        "metadata": {},
        "merchantCustomerId": None,
    }
    assert cleared["customer"]["name"] is None and cleared["customer"]["city"] is None
    assert cleared["customer"]["email"] == "ada@example.com" and cleared["customer"]["phone"] == "+2"


async def test_update_null_literal_clears_too(gql: GraphQLClient) -> None:
    uuid = (await create(gql, name="Ada", email="ada@example.com"))["customer"]["uuid"]

    literal = f'mutation {{ updateCustomer(uuid: "{uuid}", input: {{email: null}}) '
    data = await gql.execute(literal + "{ ... on CustomerPayload { customer { name email } } } }")

    assert data["updateCustomer"]["customer"] == {"name": "Ada", "email": None}


async def test_update_metadata_merges_and_null_empties_it(gql: GraphQLClient) -> None:
    uuid = (await create(gql, metadata={"a": "1", "b": "2"}))["customer"]["uuid"]

    merged = await update(gql, uuid, metadata={"b": None, "c": "3"})
    emptied = await update(gql, uuid, metadata=None)

    assert merged["customer"]["metadata"] == {"a": "1", "c": "3"}
    assert emptied["customer"]["metadata"] == {}


async def test_update_with_empty_input_changes_nothing(gql: GraphQLClient) -> None:
    uuid = (await create(gql, name="Ada"))["customer"]["uuid"]

    assert (await update(gql, uuid))["customer"]["name"] == "Ada"


async def test_update_errors(gql: GraphQLClient, other_gql: GraphQLClient) -> None:
    uuid = (await create(gql, name="Ada"))["customer"]["uuid"]
    await create(gql, merchantCustomerId="taken")

    invalid = await update(gql, uuid, email="nope")
    missing = await update(gql, UNKNOWN_UUID, name="x")
    foreign = await update(other_gql, uuid, name="x")
    duplicate = await update(gql, uuid, merchantCustomerId="taken")
    await gql.execute(DELETE, {"uuid": uuid})
    deleted = await update(gql, uuid, name="x")

    assert invalid["__typename"] == "ValidationError"
    assert (
        invalid["fieldErrors"][0]["field"] == "email" and invalid["fieldErrors"][0]["code"] == "invalid_email"
    )
    assert missing == {"__typename": "NotFoundError", "message": "customer not found"}
    assert foreign == missing
    assert duplicate["__typename"] == "ConflictError" and duplicate["code"] == "already_exists"
    assert deleted["__typename"] == "ConflictError"
    assert deleted["code"] == "customer_deleted"


async def test_delete_customer_is_soft_and_repeatable(gql: GraphQLClient) -> None:
    uuid = (await create(gql, name="Ada", merchantCustomerId="m"))["customer"]["uuid"]

    first = (await gql.execute(DELETE, {"uuid": uuid}))["deleteCustomer"]
    again = (await gql.execute(DELETE, {"uuid": uuid}))["deleteCustomer"]

    assert first["__typename"] == "CustomerPayload"
    assert first["customer"]["deleted"] is True and first["customer"]["deletedAt"]
    assert again == first
    listed = await gql.execute("{ customers { totalCount } }")
    assert listed["customers"]["totalCount"] == 0
    assert (await create(gql, merchantCustomerId="m"))["__typename"] == "CustomerPayload"


async def test_delete_unknown_or_foreign_customer_is_not_found(
    gql: GraphQLClient, other_gql: GraphQLClient
) -> None:
    uuid = (await create(gql, name="Ada"))["customer"]["uuid"]

    for client, target in ((gql, UNKNOWN_UUID), (gql, "garbage"), (other_gql, uuid)):
        result = (await client.execute(DELETE, {"uuid": target}))["deleteCustomer"]
        assert result == {"__typename": "NotFoundError", "message": "customer not found"}


async def test_add_payment_method(gql: GraphQLClient) -> None:
    uuid = (await create(gql, name="Ada"))["customer"]["uuid"]

    result = (await gql.execute(ADD_CARD, {"uuid": uuid, "input": {**CARD, "keepUntil": "2030-01-31"}}))[
        "addPaymentMethod"
    ]

    assert result["__typename"] == "PaymentMethodPayload"
    card = result["paymentMethod"]
    assert card["status"] == "active"
    assert card["maskedPan"] == "411111******1111"
    assert card["expirationDate"] == "2034-12-31"
    assert card["keepUntil"] == "2030-01-31"
    assert card["token"] == "tok_123"
    assert card["expired"] is False
    assert card["customerUuid"] == uuid
    assert card["createdAt"] == card["updatedAt"]
    listed = await gql.execute("query($u: ID!) { customer(uuid: $u) { paymentMethods { id } } }", {"u": uuid})
    assert listed["customer"]["paymentMethods"] == [{"id": card["id"]}]


async def test_add_payment_method_errors(gql: GraphQLClient, other_gql: GraphQLClient) -> None:
    uuid = (await create(gql, name="Ada"))["customer"]["uuid"]

    full_number = await gql.execute(
        ADD_CARD, {"uuid": uuid, "input": {**CARD, "maskedPan": "4111111111111111"}}
    )
    bad_expiry = await gql.execute(ADD_CARD, {"uuid": uuid, "input": {**CARD, "expirationDate": "soon"}})
    missing = await gql.execute(ADD_CARD, {"uuid": UNKNOWN_UUID, "input": CARD})
    foreign = await other_gql.execute(ADD_CARD, {"uuid": uuid, "input": CARD})
    await gql.execute(DELETE, {"uuid": uuid})
    deleted = await gql.execute(ADD_CARD, {"uuid": uuid, "input": CARD})

    full_number_result = full_number["addPaymentMethod"]
    assert full_number_result["__typename"] == "ValidationError"
    assert [(e["field"], e["code"]) for e in full_number_result["fieldErrors"]] == [
        ("masked_pan", "full_card_number")
    ]
    assert "4111111111111111" not in str(full_number_result)
    assert bad_expiry["addPaymentMethod"]["fieldErrors"][0]["field"] == "expiration_date"
    assert missing["addPaymentMethod"]["__typename"] == "NotFoundError"
    assert foreign["addPaymentMethod"]["__typename"] == "NotFoundError"
    assert deleted["addPaymentMethod"]["__typename"] == "ConflictError"
    assert deleted["addPaymentMethod"]["code"] == "customer_deleted"


async def test_remove_payment_method(gql: GraphQLClient, other_gql: GraphQLClient) -> None:
    uuid = (await create(gql, name="Ada"))["customer"]["uuid"]
    card = (await gql.execute(ADD_CARD, {"uuid": uuid, "input": CARD}))["addPaymentMethod"]["paymentMethod"]

    foreign = (await other_gql.execute(REMOVE_CARD, {"uuid": uuid, "id": card["id"]}))["removePaymentMethod"]
    removed = (await gql.execute(REMOVE_CARD, {"uuid": uuid, "id": card["id"]}))["removePaymentMethod"]
    again = (await gql.execute(REMOVE_CARD, {"uuid": uuid, "id": card["id"]}))["removePaymentMethod"]
    unknown_customer = (await gql.execute(REMOVE_CARD, {"uuid": UNKNOWN_UUID, "id": card["id"]}))[
        "removePaymentMethod"
    ]

    assert foreign == {"__typename": "NotFoundError", "message": "customer not found"}
    assert removed == {"__typename": "RemovePaymentMethodPayload", "id": card["id"], "deleted": True}
    assert again == {"__typename": "NotFoundError", "message": "payment method not found"}
    assert unknown_customer["__typename"] == "NotFoundError"


async def test_deleting_a_customer_removes_its_payment_methods(
    gql: GraphQLClient, services: Services, merchant: Merchant
) -> None:
    uuid = (await create(gql, name="Ada"))["customer"]["uuid"]
    await gql.execute(ADD_CARD, {"uuid": uuid, "input": CARD})

    await gql.execute(DELETE, {"uuid": uuid})

    data = await gql.execute("query($u: ID!) { customer(uuid: $u) { paymentMethods { id } } }", {"u": uuid})
    assert data["customer"]["paymentMethods"] == []
