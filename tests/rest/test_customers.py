"""REST customers: create, retrieve, update, delete, list, with the gateway's exact wire format."""

from __future__ import annotations

import httpx
import pytest

from app.client.auth import SignedAuth
from tests.rest.conftest import CUSTOMER_KEYS, TIMESTAMP, assert_invalid_request, attach_card, create_customer

FULL = {
    "merchant_customer_id": "cust-1",
    "description": "VIP",
    "email": "ada@example.com",
    "name": "Ada Lovelace",
    "phone": "+44 20 7946 0000",
    "metadata": {"tier": "gold", "a": "1"},
    "zip_code": "SW1A 1AA",
    "city": "London",
    "address": "1 Example Street",
    "country": "gb",
}


async def test_create_answers_every_key_in_the_gateway_order(
    app_client: httpx.AsyncClient, signed: SignedAuth
) -> None:
    body = await create_customer(app_client, signed, **FULL)

    assert list(body) == CUSTOMER_KEYS
    assert body["status"] == "approved"
    assert body["country"] == "GB"
    assert body["metadata"] == {"tier": "gold", "a": "1"}
    assert list(body["metadata"]) == ["tier", "a"]
    assert body["deleted"] is False
    assert body["deleted_at"] is None
    assert TIMESTAMP.match(body["created_at"]) and TIMESTAMP.match(body["updated_at"])
    assert body["uuid"] == body["uuid"].lower() and body["uuid"][14] == "4"


async def test_create_with_nothing_has_nulls_and_empty_metadata(
    app_client: httpx.AsyncClient, signed: SignedAuth
) -> None:
    body = await create_customer(app_client, signed)

    assert list(body) == CUSTOMER_KEYS
    for key in ("merchant_customer_id", "description", "email", "name", "phone", "zip_code", "city"):
        assert body[key] is None
    assert body["address"] is None and body["country"] is None
    assert body["metadata"] == {}


async def test_create_takes_integers_as_decimal_strings_and_ignores_unknown_keys(
    app_client: httpx.AsyncClient, signed: SignedAuth
) -> None:
    body = await create_customer(app_client, signed, phone=5551234, zip_code=12345, favourite_colour="blue")

    assert body["phone"] == "5551234" and body["zip_code"] == "12345"
    assert "favourite_colour" not in body


async def test_create_validation_names_every_broken_field(
    app_client: httpx.AsyncClient, signed: SignedAuth
) -> None:
    response = await app_client.post(
        "/v2/customers",
        json={"email": "not-an-email", "name": "x" * 51, "city": "ab", "country": "XX", "phone": True},
        auth=signed,
    )

    assert_invalid_request(
        response,
        400,
        ("email", "invalid_email"),
        ("name", "too_long"),
        ("city", "too_short"),
        ("country", "invalid_country"),
        ("phone", "invalid_type"),
    )


async def test_create_counts_characters_not_bytes(app_client: httpx.AsyncClient, signed: SignedAuth) -> None:
    body = await create_customer(app_client, signed, name="é" * 50)
    assert body["name"] == "é" * 50


async def test_duplicate_merchant_customer_id_is_an_invalid_request(
    app_client: httpx.AsyncClient, signed: SignedAuth
) -> None:
    await create_customer(app_client, signed, merchant_customer_id="dup")

    response = await app_client.post("/v2/customers", json={"merchant_customer_id": "dup"}, auth=signed)

    assert_invalid_request(response, 400, ("merchant_customer_id", "already_exists"))


async def test_retrieve_by_uuid_and_by_merchant_customer_id(
    app_client: httpx.AsyncClient, signed: SignedAuth
) -> None:
    created = await create_customer(app_client, signed, **FULL)

    by_uuid = await app_client.get(f"/v2/customers/{created['uuid']}", auth=signed)
    by_upper_uuid = await app_client.get(f"/v2/customers/{created['uuid'].upper()}", auth=signed)
    by_mcid = await app_client.get("/v2/merchants/customers/cust-1", auth=signed)

    assert by_uuid.status_code == by_upper_uuid.status_code == by_mcid.status_code == 200
    assert by_uuid.json() == by_upper_uuid.json() == by_mcid.json() == created


async def test_merchant_customer_id_is_matched_on_the_decoded_path(
    app_client: httpx.AsyncClient, signed: SignedAuth
) -> None:
    # The signature covers the percent-encoded target; the lookup uses the decoded id, slashes included.
    created = await create_customer(app_client, signed, merchant_customer_id="a b/c")

    response = await app_client.get("/v2/merchants/customers/a%20b%2Fc", auth=signed)

    assert response.status_code == 200, response.text
    assert response.json()["uuid"] == created["uuid"]


@pytest.mark.parametrize(
    "path",
    [
        "/v2/customers/nonexistent",
        "/v2/customers/00000000-0000-4000-8000-000000000000",
        "/v2/merchants/customers/nobody",
    ],
)
async def test_unknown_or_malformed_ids_are_404(
    app_client: httpx.AsyncClient, signed: SignedAuth, path: str
) -> None:
    response = await app_client.get(path, auth=signed)

    assert_invalid_request(response, 404)
    assert response.json()["message"] == "customer not found"


async def test_update_changes_only_what_is_given_null_keeps_empty_string_clears(
    app_client: httpx.AsyncClient, signed: SignedAuth
) -> None:
    created = await create_customer(app_client, signed, **FULL)

    # The iOS SDK sends every key on update, nulls included.
    response = await app_client.post(
        f"/v2/customers/{created['uuid']}",
        json={"name": "Ada King", "email": None, "phone": "", "city": None, "unknown": 1},
        auth=signed,
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert list(body) == CUSTOMER_KEYS
    assert body["name"] == "Ada King"
    assert body["email"] == "ada@example.com"
    assert body["city"] == "London"
    assert body["phone"] is None
    assert body["created_at"] == created["created_at"]
    assert body["updated_at"] >= created["updated_at"]


async def test_update_merges_metadata_and_null_removes_a_key(
    app_client: httpx.AsyncClient, signed: SignedAuth
) -> None:
    created = await create_customer(app_client, signed, metadata={"keep": "1", "drop": "2", "change": "3"})

    response = await app_client.post(
        f"/v2/customers/{created['uuid']}",
        json={"metadata": {"drop": None, "change": "three", "new": "4"}},
        auth=signed,
    )

    assert response.status_code == 200, response.text
    assert response.json()["metadata"] == {"keep": "1", "change": "three", "new": "4"}


async def test_update_with_null_metadata_keeps_it(app_client: httpx.AsyncClient, signed: SignedAuth) -> None:
    created = await create_customer(app_client, signed, metadata={"keep": "1"})

    response = await app_client.post(f"/v2/customers/{created['uuid']}", json={"metadata": None}, auth=signed)

    assert response.json()["metadata"] == {"keep": "1"}


async def test_update_validation_and_unknown_customer(
    app_client: httpx.AsyncClient, signed: SignedAuth
) -> None:
    created = await create_customer(app_client, signed)

    invalid = await app_client.post(f"/v2/customers/{created['uuid']}", json={"email": "x"}, auth=signed)
    unknown = await app_client.post("/v2/customers/nonexistent", json={"name": "x"}, auth=signed)

    assert_invalid_request(invalid, 400, ("email", "invalid_email"))
    assert_invalid_request(unknown, 404)


async def test_update_to_a_taken_merchant_customer_id_is_refused(
    app_client: httpx.AsyncClient, signed: SignedAuth
) -> None:
    await create_customer(app_client, signed, merchant_customer_id="taken")
    other = await create_customer(app_client, signed)

    response = await app_client.post(
        f"/v2/customers/{other['uuid']}", json={"merchant_customer_id": "taken"}, auth=signed
    )

    assert_invalid_request(response, 400, ("merchant_customer_id", "already_exists"))


async def test_delete_answers_uuid_and_id(app_client: httpx.AsyncClient, signed: SignedAuth) -> None:
    created = await create_customer(app_client, signed)

    response = await app_client.delete(f"/v2/customers/{created['uuid']}", auth=signed)

    assert response.status_code == 200
    assert response.json() == {
        "status": "approved",
        "uuid": created["uuid"],
        "id": created["uuid"],
        "deleted": True,
    }
    assert list(response.json()) == ["status", "uuid", "id", "deleted"]


async def test_deleted_customer_semantics(app_client: httpx.AsyncClient, signed: SignedAuth) -> None:
    created = await create_customer(app_client, signed, merchant_customer_id="gone", name="Gone")
    uuid = created["uuid"]
    await attach_card(app_client, signed, uuid)
    first = await app_client.delete(f"/v2/customers/{uuid}", auth=signed)

    # Still retrievable by uuid, flagged deleted.
    fetched = (await app_client.get(f"/v2/customers/{uuid}", auth=signed)).json()
    assert fetched["deleted"] is True and TIMESTAMP.match(fetched["deleted_at"])
    assert fetched["name"] == "Gone"
    # Never listed, not found by merchant_customer_id.
    listed = (await app_client.get("/v2/customers", auth=signed)).json()["data"]
    assert uuid not in [item["uuid"] for item in listed]
    assert (await app_client.get("/v2/merchants/customers/gone", auth=signed)).status_code == 404
    # Cannot be updated.
    update = await app_client.post(f"/v2/customers/{uuid}", json={"name": "Back"}, auth=signed)
    assert_invalid_request(update, 400)
    assert "deleted" in update.json()["message"]
    assert [(e["field"], e["code"]) for e in update.json()["errors"]] == [("uuid", "customer_deleted")]
    # Deleting again answers the same body.
    again = await app_client.delete(f"/v2/customers/{uuid}", auth=signed)
    assert again.status_code == 200 and again.json() == first.json()
    # Its payment methods went with it.
    cards = await app_client.get(f"/v2/customers/{uuid}/payment-methods", auth=signed)
    assert cards.json() == {"status": "approved", "data": []}
    assert (await app_client.get("/v2/payment-methods", auth=signed)).json()["data"] == []
    # The merchant_customer_id is free again.
    reused = await create_customer(app_client, signed, merchant_customer_id="gone")
    assert reused["uuid"] != uuid
    found = await app_client.get("/v2/merchants/customers/gone", auth=signed)
    assert found.json()["uuid"] == reused["uuid"]


async def test_delete_unknown_customer_is_404(app_client: httpx.AsyncClient, signed: SignedAuth) -> None:
    response = await app_client.delete("/v2/customers/nonexistent", auth=signed)
    assert_invalid_request(response, 404)


async def test_list_is_newest_first_with_status_on_every_item(
    app_client: httpx.AsyncClient, signed: SignedAuth
) -> None:
    uuids = [(await create_customer(app_client, signed, name=f"c{i}"))["uuid"] for i in range(5)]

    response = await app_client.get("/v2/customers", auth=signed)

    assert response.status_code == 200
    body = response.json()
    assert list(body) == ["status", "data"] and body["status"] == "approved"
    assert [item["uuid"] for item in body["data"]] == uuids[::-1]
    for item in body["data"]:
        assert list(item) == CUSTOMER_KEYS and item["status"] == "approved"


async def test_list_pages_with_limit_and_offset(app_client: httpx.AsyncClient, signed: SignedAuth) -> None:
    uuids = [(await create_customer(app_client, signed))["uuid"] for _ in range(5)][::-1]

    first = await app_client.get("/v2/customers", params={"limit": 2, "offset": 0}, auth=signed)
    second = await app_client.get("/v2/customers?limit=2&offset=2", auth=signed)
    past = await app_client.get("/v2/customers?offset=10", auth=signed)

    assert [item["uuid"] for item in first.json()["data"]] == uuids[:2]
    assert [item["uuid"] for item in second.json()["data"]] == uuids[2:4]
    assert past.json() == {"status": "approved", "data": []}


@pytest.mark.parametrize(
    ("query", "field", "code"),
    [
        ("limit=0", "limit", "out_of_range"),
        ("limit=101", "limit", "out_of_range"),
        ("limit=abc", "limit", "invalid_number"),
        ("limit=", "limit", "invalid_number"),
        ("offset=-1", "offset", "out_of_range"),
        ("offset=1.5", "offset", "invalid_number"),
    ],
)
async def test_list_parameters_are_validated(
    app_client: httpx.AsyncClient, signed: SignedAuth, query: str, field: str, code: str
) -> None:
    response = await app_client.get(f"/v2/customers?{query}", auth=signed)

    assert_invalid_request(response, 400, (field, code))


async def test_list_accepts_the_bounds(app_client: httpx.AsyncClient, signed: SignedAuth) -> None:
    for query in ("limit=1", "limit=100", "offset=0"):
        response = await app_client.get(f"/v2/customers?{query}", auth=signed)
        assert response.status_code == 200, (query, response.text)
