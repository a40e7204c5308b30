"""REST: NUL and lone surrogates are refused wherever a client puts them (path segments, query
parameters, body fields, metadata, card tokens) with a 400 naming where, never a 500, on both databases.

Bodies are sent as raw JSON with `\\ud800` escapes, as a hostile client sends them (Python decodes such
an escape into a lone surrogate; httpx could not even encode one).
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from app.client.auth import SignedAuth
from tests.rest.conftest import CARD, assert_invalid_request, attach_card, create_customer

HOSTILE = {"nul": "\x00", "lone surrogate": "\ud800", "low surrogate": "x\udfffy"}


def raw_json(data: dict[str, Any]) -> bytes:
    """JSON with every non-ASCII character escaped, lone surrogates included."""
    return json.dumps(data).encode("ascii")


def assert_refused(response: httpx.Response, field: str) -> None:
    assert_invalid_request(response, 400, (field, "invalid_characters"))
    assert response.headers["content-type"] == "application/json"


@pytest.mark.parametrize(
    "path",
    [
        "/v2/merchants/customers/%00",
        "/v2/merchants/customers/a%00b",
        "/v2/customers/%00",
        "/v2/customers/%00/payment-methods",
    ],
)
async def test_nul_in_a_path_segment_is_refused(
    app_client: httpx.AsyncClient, signed: SignedAuth, path: str
) -> None:
    response = await app_client.get(path, auth=signed)

    field = "merchant_customer_id" if "merchants" in path else "uuid"
    assert_refused(response, field)


async def test_nul_in_a_payment_method_id_is_refused(
    app_client: httpx.AsyncClient, signed: SignedAuth
) -> None:
    customer = await create_customer(app_client, signed)

    response = await app_client.delete(f"/v2/customers/{customer['uuid']}/payment-methods/%00", auth=signed)

    assert_refused(response, "payment_method_id")


@pytest.mark.parametrize(
    ("query", "field"), [("limit=%00", "limit"), ("offset=1%00", "offset"), ("limit=5&offset=%00", "offset")]
)
async def test_nul_in_a_query_parameter_is_refused(
    app_client: httpx.AsyncClient, signed: SignedAuth, query: str, field: str
) -> None:
    for path in ("/v2/customers", "/v2/payment-methods"):
        response = await app_client.get(f"{path}?{query}", auth=signed)

        assert_refused(response, field)


async def test_nul_in_a_query_parameter_name_is_refused(
    app_client: httpx.AsyncClient, signed: SignedAuth
) -> None:
    response = await app_client.get("/v2/customers?li%00mit=1", auth=signed)

    assert_refused(response, "query")


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
@pytest.mark.parametrize(
    ("body", "field"),
    [
        (lambda t: {"email": f"a{t}@example.com"}, "email"),
        (lambda t: {"name": t}, "name"),
        (lambda t: {"metadata": {"note": t}}, "metadata.note"),
        (lambda t: {"metadata": {f"k{t}": "v"}}, "metadata"),
        (lambda t: {"unknown_key": t}, "unknown_key"),
    ],
    ids=["email", "name", "metadata value", "metadata key", "unknown key"],
)
async def test_hostile_text_in_a_customer_body_is_refused(
    app_client: httpx.AsyncClient, signed: SignedAuth, text: str, body: Any, field: str
) -> None:
    created = await app_client.post("/v2/customers", content=raw_json(body(text)), auth=signed)
    customer = await create_customer(app_client, signed)
    updated = await app_client.post(
        f"/v2/customers/{customer['uuid']}", content=raw_json(body(text)), auth=signed
    )

    assert_refused(created, field)
    assert_refused(updated, field)


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
@pytest.mark.parametrize("field", ["token", "masked_pan", "expiration_date", "keep_until"])
async def test_hostile_text_in_a_card_is_refused(
    app_client: httpx.AsyncClient, signed: SignedAuth, text: str, field: str
) -> None:
    customer = await create_customer(app_client, signed)

    response = await app_client.post(
        f"/v2/customers/{customer['uuid']}/payment-methods",
        content=raw_json({**CARD, field: f"tok_x{text}"}),
        auth=signed,
    )

    assert_refused(response, field)


async def test_a_refused_lookup_did_not_hide_a_real_one(
    app_client: httpx.AsyncClient, signed: SignedAuth
) -> None:
    customer = await create_customer(app_client, signed, merchant_customer_id="m-1")
    card = await attach_card(app_client, signed, customer["uuid"])

    found = await app_client.get("/v2/merchants/customers/m-1", auth=signed)
    removed = await app_client.delete(
        f"/v2/customers/{customer['uuid']}/payment-methods/{card['id']}", auth=signed
    )

    assert found.status_code == 200 and found.json()["uuid"] == customer["uuid"]
    assert removed.status_code == 200


@pytest.mark.parametrize("email", ["a@c\n", "a@c\r\n", "a @c", "a@c\t", "a@\u00a0c", "\na@c"])
async def test_an_email_with_whitespace_anywhere_is_refused(
    app_client: httpx.AsyncClient, signed: SignedAuth, email: str
) -> None:
    response = await app_client.post("/v2/customers", json={"email": email}, auth=signed)

    assert_invalid_request(response, 400, ("email", "invalid_email"))
