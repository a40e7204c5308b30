"""GraphQL `idempotencyKey` and replay protection of signed mutations."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx

from app.merchants.repository import Merchant
from tests.graphql.conftest import GraphQLClient, operation_body, signed_header

CUSTOMER_FIELDS = "uuid name metadata createdAt updatedAt deleted"
CREATE = f"""
mutation($input: CreateCustomerInput!, $key: String) {{
  createCustomer(input: $input, idempotencyKey: $key) {{
    __typename
    ... on CustomerPayload {{ customer {{ {CUSTOMER_FIELDS} }} }}
    ... on ValidationError {{ message fieldErrors {{ field code }} }}
    ... on ConflictError {{ code }}
  }}
}}
"""
UPDATE = f"""
mutation($uuid: ID!, $input: UpdateCustomerInput!, $key: String) {{
  updateCustomer(uuid: $uuid, input: $input, idempotencyKey: $key) {{
    __typename
    ... on CustomerPayload {{ customer {{ {CUSTOMER_FIELDS} }} }}
  }}
}}
"""
DELETE = """
mutation($uuid: ID!, $key: String) {
  deleteCustomer(uuid: $uuid, idempotencyKey: $key) {
    __typename ... on CustomerPayload { customer { uuid deleted deletedAt } } ... on NotFoundError { message }
  }
}
"""
ADD_CARD = """
mutation($uuid: ID!, $input: AddPaymentMethodInput!, $key: String) {
  addPaymentMethod(customerUuid: $uuid, input: $input, idempotencyKey: $key) {
    __typename ... on PaymentMethodPayload { paymentMethod { id token expirationDate expired } }
  }
}
"""
REMOVE_CARD = """
mutation($uuid: ID!, $id: ID!, $key: String) {
  removePaymentMethod(customerUuid: $uuid, id: $id, idempotencyKey: $key) {
    __typename ... on RemovePaymentMethodPayload { id deleted } ... on NotFoundError { message }
  }
}
"""
CARD = {"maskedPan": "411111******1111", "expirationDate": "12/34", "token": "tok_gql"}
COUNT = "{ customers { totalCount } }"


async def _count(gql: GraphQLClient) -> int:
    return int((await gql.execute(COUNT))["customers"]["totalCount"])


async def test_a_retried_create_replays_the_first_result(gql: GraphQLClient) -> None:
    variables = {"input": {"name": "Ada", "metadata": {"b": "2", "a": "1"}}, "key": "gql-create-1"}

    first = await gql.execute(CREATE, variables)
    again = await gql.execute(CREATE, variables)

    assert first == again
    assert first["createCustomer"]["customer"]["metadata"] == {"b": "2", "a": "1"}
    assert await _count(gql) == 1


async def test_a_validation_error_is_replayed_as_the_same_member(gql: GraphQLClient) -> None:
    variables = {"input": {"email": "nope"}, "key": "gql-bad"}

    first = await gql.execute(CREATE, variables)
    again = await gql.execute(CREATE, variables)

    assert first == again and first["createCustomer"]["__typename"] == "ValidationError"


async def test_a_reused_key_with_other_arguments_is_a_request_error(gql: GraphQLClient) -> None:
    await gql.execute(CREATE, {"input": {"name": "Ada"}, "key": "gql-k"})

    errors = await gql.errors(CREATE, {"input": {"name": "Bob"}, "key": "gql-k"})

    extensions = errors[0]["extensions"]
    assert extensions["code"] == "BAD_USER_INPUT"
    assert extensions["fieldErrors"][0]["field"] == "idempotencyKey"
    assert extensions["fieldErrors"][0]["code"] == "idempotency_key_reused"
    assert await _count(gql) == 1


async def test_absent_and_null_input_fields_are_different_requests(gql: GraphQLClient) -> None:
    created = (await gql.execute(CREATE, {"input": {"name": "Ada"}}))["createCustomer"]["customer"]
    await gql.execute(UPDATE, {"uuid": created["uuid"], "input": {}, "key": "gql-u"})

    errors = await gql.errors(UPDATE, {"uuid": created["uuid"], "input": {"name": None}, "key": "gql-u"})

    assert errors[0]["extensions"]["fieldErrors"][0]["code"] == "idempotency_key_reused"


async def test_a_malformed_key_is_a_request_error(gql: GraphQLClient) -> None:
    errors = await gql.errors(CREATE, {"input": {"name": "Ada"}, "key": ""})

    assert errors[0]["extensions"]["fieldErrors"][0] == {
        "field": "idempotencyKey",
        "code": "too_short",
        "message": errors[0]["extensions"]["fieldErrors"][0]["message"],
    }
    assert await _count(gql) == 0


async def test_update_delete_and_cards_replay_too(gql: GraphQLClient) -> None:
    uuid = (await gql.execute(CREATE, {"input": {"name": "Ada"}}))["createCustomer"]["customer"]["uuid"]
    results: dict[str, list[dict[str, Any]]] = {}
    for name, query, variables in [
        ("update", UPDATE, {"uuid": uuid, "input": {"name": "Grace"}, "key": "u1"}),
        ("add", ADD_CARD, {"uuid": uuid, "input": CARD, "key": "c1"}),
    ]:
        results[name] = [await gql.execute(query, variables) for _ in range(2)]
    card_id = results["add"][0]["addPaymentMethod"]["paymentMethod"]["id"]
    for name, query, variables in [
        ("remove", REMOVE_CARD, {"uuid": uuid, "id": card_id, "key": "r1"}),
        ("delete", DELETE, {"uuid": uuid, "key": "d1"}),
    ]:
        results[name] = [await gql.execute(query, variables) for _ in range(2)]

    for first, again in results.values():
        assert first == again
    assert results["remove"][1]["removePaymentMethod"]["__typename"] == "RemovePaymentMethodPayload"
    assert results["delete"][0]["deleteCustomer"]["customer"]["deleted"] is True


async def test_concurrent_mutations_with_one_key_create_one_customer(gql: GraphQLClient) -> None:
    variables = {"input": {"name": "Racer"}, "key": "gql-race"}

    results = await asyncio.gather(*[gql.execute(CREATE, variables) for _ in range(6)])

    assert len({result["createCustomer"]["customer"]["uuid"] for result in results}) == 1
    assert await _count(gql) == 1


async def test_the_key_is_shared_with_rest_only_by_name_not_by_request(
    gql: GraphQLClient, http: httpx.AsyncClient
) -> None:
    await gql.execute(CREATE, {"input": {"name": "Ada"}, "key": "both"})

    response = await http.post(
        "/v2/customers",
        json={"name": "Ada"},
        headers={"Authorization": gql.authorization or "", "Idempotency-Key": "both"},
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "idempotency_key_reused"


# --- replay protection ------------------------------------------------------------------------------


async def test_a_signed_mutation_is_accepted_once(http: httpx.AsyncClient, merchant: Merchant) -> None:
    body = operation_body(CREATE, {"input": {"name": "Once"}})
    headers = {"content-type": "application/json", "authorization": signed_header(merchant, body)}

    first = await http.post("/graphql", content=body, headers=headers)
    replayed = await http.post("/graphql", content=body, headers=headers)

    assert first.status_code == 200 and "errors" not in first.json()
    assert replayed.status_code == 401
    error = replayed.json()["errors"][0]
    assert "Authorization" in error["message"] and error["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_signed_query_may_be_sent_again(http: httpx.AsyncClient, merchant: Merchant) -> None:
    body = operation_body(COUNT)
    headers = {"content-type": "application/json", "authorization": signed_header(merchant, body)}

    responses = [await http.post("/graphql", content=body, headers=headers) for _ in range(3)]

    assert [response.status_code for response in responses] == [200, 200, 200]


async def test_a_signed_mutation_resigned_with_a_new_timestamp_is_accepted(
    http: httpx.AsyncClient, merchant: Merchant
) -> None:
    body = operation_body(CREATE, {"input": {"name": "Twice"}})
    for offset in (0, 1):
        header = signed_header(merchant, body, timestamp=int(time.time()) + offset)
        response = await http.post(
            "/graphql", content=body, headers={"content-type": "application/json", "authorization": header}
        )
        assert response.status_code == 200, response.text
