"""REST: a full card number, however written, is refused in a payment-method request and in every
customer field, and leaves no trace (response, table, log line), with or without an Idempotency-Key."""

from __future__ import annotations

import logging

import httpx
import pytest

from app.client.auth import SignedAuth
from app.runtime import Services
from tests.card_forms import EVERY_FIELD_REFUSED, WRITTEN_FORMS, every_field_holding
from tests.rest.conftest import CARD, assert_invalid_request, create_customer
from tests.storage_dump import assert_card_number_absent, everything_stored

PANS = [
    "4111111111111111",
    "4111 1111 1111 1111",
    "5500-0000-0000-0004",
    "6011 0009 9013 9424",
    "378282246310005",
    *WRITTEN_FORMS.values(),
]


@pytest.mark.parametrize("pan", PANS)
@pytest.mark.parametrize("field", ["masked_pan", "token"])
async def test_rest_refuses_a_card_number_and_keeps_no_trace(
    app_client: httpx.AsyncClient,
    signed: SignedAuth,
    services: Services,
    caplog: pytest.LogCaptureFixture,
    pan: str,
    field: str,
) -> None:
    customer = await create_customer(app_client, signed)
    value = pan if field == "masked_pan" else f"tok {pan}"
    caplog.set_level(logging.DEBUG)

    response = await app_client.post(
        f"/v2/customers/{customer['uuid']}/payment-methods",
        json={**CARD, field: value},
        auth=signed,
        headers={"Idempotency-Key": f"pan-{field}-{PANS.index(pan)}"},
    )

    assert_invalid_request(response, 400, (field, "full_card_number"))
    assert_card_number_absent(pan, response.text, caplog.text, await everything_stored(services))


def refused_fields(response: httpx.Response) -> list[tuple[str, str]]:
    assert response.status_code == 400, response.text
    return sorted((error["field"], error["code"]) for error in response.json()["errors"])


@pytest.mark.parametrize("form", WRITTEN_FORMS.values(), ids=WRITTEN_FORMS.keys())
async def test_rest_refuses_a_card_number_in_every_customer_field(
    app_client: httpx.AsyncClient,
    signed: SignedAuth,
    services: Services,
    caplog: pytest.LogCaptureFixture,
    form: str,
) -> None:
    customer = await create_customer(app_client, signed, name="Ada")
    caplog.set_level(logging.DEBUG)

    created = await app_client.post("/v2/customers", json=every_field_holding(form), auth=signed)
    updated = await app_client.post(
        f"/v2/customers/{customer['uuid']}", json=every_field_holding(form), auth=signed
    )

    assert refused_fields(created) == refused_fields(updated) == EVERY_FIELD_REFUSED
    stored = await everything_stored(services)
    assert_card_number_absent(form, created.text, updated.text, caplog.text, stored)
