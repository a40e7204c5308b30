"""GET /v2/customers/search (extension): the REST face of GraphQL's customers(search:)."""

from __future__ import annotations

import httpx

from app.client.auth import SignedAuth
from tests.rest.conftest import assert_invalid_request, create_customer


async def test_search_answers_the_list_envelope_in_the_chosen_order(
    app_client: httpx.AsyncClient, signed: SignedAuth, other_signed: SignedAuth
) -> None:
    ada = await create_customer(app_client, signed, name="Ada Lovelace", email="ada@example.com")
    adam = await create_customer(app_client, signed, name="Adam Smith", city="Adamsville")
    await create_customer(app_client, signed, name="Grace Hopper")
    await create_customer(app_client, other_signed, name="Ada Other")

    newest_first = await app_client.get("/v2/customers/search?query=ada", auth=signed)
    by_name = await app_client.get("/v2/customers/search?query=ADA&order=name_asc&limit=1", auth=signed)
    second = await app_client.get(
        "/v2/customers/search?query=ada&order=NAME_ASC&limit=1&offset=1", auth=signed
    )

    assert newest_first.status_code == 200, newest_first.text
    body = newest_first.json()
    assert body["status"] == "approved"
    assert [item["uuid"] for item in body["data"]] == [adam["uuid"], ada["uuid"]]
    assert [item.keys() for item in body["data"]] == [ada.keys(), ada.keys()]  # the full object, status too
    assert [item["uuid"] for item in by_name.json()["data"]] == [ada["uuid"]]
    assert [item["uuid"] for item in second.json()["data"]] == [adam["uuid"]]


async def test_a_search_without_words_or_a_bad_parameter_is_an_invalid_request(
    app_client: httpx.AsyncClient, signed: SignedAuth
) -> None:
    cases = [
        ("/v2/customers/search", ("query", "required")),
        ("/v2/customers/search?query=%20-%20", ("query", "required")),
        ("/v2/customers/search?query=" + "x" * 201, ("query", "too_long")),
        ("/v2/customers/search?query=ada&order=size", ("order", "invalid_format")),
        ("/v2/customers/search?query=ada&limit=0", ("limit", "out_of_range")),
        ("/v2/customers/search?query=ada&offset=x", ("offset", "invalid_number")),
    ]
    for path, field_and_code in cases:
        assert_invalid_request(await app_client.get(path, auth=signed), 400, field_and_code)


async def test_search_needs_credentials(app_client: httpx.AsyncClient) -> None:
    unauthenticated = await app_client.get("/v2/customers/search?query=ada")

    assert unauthenticated.status_code == 401
    assert "Authorization" in unauthenticated.json()["message"]
