"""Driver errors leave the database layer as `DatabaseFailure`: the error class and a redacted statement,
never a parameter value or the driver's message (asyncpg quotes the value it could not encode)."""

from __future__ import annotations

import dataclasses
import logging
import traceback
from typing import Any

import httpx
import pytest

from app.client.auth import SignedAuth
from app.customers import repository, service
from app.customers.payment_method_rules import NewPaymentMethod
from app.db.failures import DatabaseFailure
from app.db.log_redaction import redact_statement
from app.merchants.repository import Merchant
from app.runtime import Services
from app.timestamps import utc_now
from tests.graphql.conftest import GraphQLClient, gql, graphql_app, graphql_settings, http  # noqa: F401
from tests.rest.conftest import CARD, create_customer, signed  # noqa: F401

# A value no database can store: a lone surrogate cannot be encoded as UTF-8.
HOSTILE_TOKEN = "tok_x_7f3a9c\ud800"
VISIBLE_PART = "tok_x_7f3a9c"


def _no_trace_of_the_value(text: str) -> None:
    assert VISIBLE_PART not in text
    assert "\ud800" not in text and "\\ud800" not in text
    assert "invalid input for query argument" not in text


def test_statements_are_logged_without_literals() -> None:
    sql = "SELECT a FROM t WHERE b = 'tok_secret' AND c = 'it''s'   AND d = $1"

    assert redact_statement(sql) == "SELECT ... FROM t WHERE b = ? AND c = ? AND d = $1"
    assert redact_statement("x" * 1000).endswith(" ...") and len(redact_statement("x" * 1000)) < 400
    assert redact_statement(None) == "(no statement)"


async def test_a_value_the_driver_refuses_never_reaches_the_error(
    services: Services, merchant: Merchant
) -> None:
    customer = await services.customers.create(merchant_id=merchant.id, data={"name": "Card holder"})

    with pytest.raises(DatabaseFailure) as caught:
        async with services.database.writer() as conn:
            await repository.insert_payment_method(
                conn,
                merchant_id=merchant.id,
                customer=customer,
                public_id="pm-hostile",
                masked_pan="411111******1111",
                expiration_date=utc_now().date(),
                token=HOSTILE_TOKEN,
                keep_until=None,
                now=utc_now(),
            )

    failure = caught.value
    rendered = "".join(traceback.format_exception(failure))
    _no_trace_of_the_value(rendered)
    assert "INSERT INTO payment_methods" in failure.statement
    assert failure.__suppress_context__ and failure.__cause__ is None


async def test_a_lookup_value_the_driver_refuses_never_reaches_the_error(
    services: Services, merchant: Merchant
) -> None:
    with pytest.raises(DatabaseFailure) as caught:
        await services.customers.get_by_merchant_customer_id(
            merchant_id=merchant.id, merchant_customer_id=HOSTILE_TOKEN
        )

    _no_trace_of_the_value("".join(traceback.format_exception(caught.value)))
    assert "FROM customers" in caught.value.statement


@pytest.fixture
def hostile_card_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cards pass validation as sent, then reach the repository with a token the driver must refuse."""
    validated = service.clean_new_payment_method

    def smuggle(data: Any) -> NewPaymentMethod:
        return dataclasses.replace(validated(data), token=HOSTILE_TOKEN)

    monkeypatch.setattr(service, "clean_new_payment_method", smuggle)


def _capture_everything(caplog: pytest.LogCaptureFixture) -> None:
    for name in ("", "app", "uvicorn", "sqlalchemy", "strawberry", "asyncio"):
        caplog.set_level(logging.DEBUG, logger=name)


def _logged(caplog: pytest.LogCaptureFixture) -> str:
    return caplog.text + "\n".join(str(record.__dict__) for record in caplog.records)


@pytest.mark.usefixtures("hostile_card_rule")
async def test_rest_answers_a_clean_500_and_logs_no_value(
    app_client: httpx.AsyncClient,
    signed: SignedAuth,  # noqa: F811
    caplog: pytest.LogCaptureFixture,
) -> None:
    customer = await create_customer(app_client, signed, name="Card holder")
    _capture_everything(caplog)

    response = await app_client.post(
        f"/v2/customers/{customer['uuid']}/payment-methods", json=CARD, auth=signed
    )

    assert response.status_code == 500
    assert response.json()["status"] == "error" and response.json()["message"] == "internal error"
    logged = _logged(caplog)
    assert "DatabaseFailure" in logged  # the failure is logged, by class and redacted statement
    _no_trace_of_the_value(logged)
    _no_trace_of_the_value(response.text)


@pytest.mark.usefixtures("hostile_card_rule")
async def test_graphql_answers_internal_and_logs_no_value(
    gql: GraphQLClient,  # noqa: F811
    services: Services,
    merchant: Merchant,
    caplog: pytest.LogCaptureFixture,
) -> None:
    customer = await services.customers.create(merchant_id=merchant.id, data={"name": "Card holder"})
    _capture_everything(caplog)

    response = await gql.post(
        'mutation($u: ID!) { addPaymentMethod(customerUuid: $u, input: {maskedPan: "411111******1111", '
        'expirationDate: "12/34", token: "tok_visa_1"}) { __typename } }',
        {"u": customer.uuid},
    )

    errors = response.json()["errors"]
    assert errors[0]["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert errors[0]["message"] == "Unexpected error."
    logged = _logged(caplog)
    assert "DatabaseFailure" in logged
    _no_trace_of_the_value(logged)
    _no_trace_of_the_value(response.text)
