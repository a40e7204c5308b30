"""Merchant rules: names, explicit credentials, the grant and its scopes."""

from __future__ import annotations

import pytest

from app.auth import ALL_SCOPES, Scope
from app.errors import ErrorCode, InvalidInput
from app.merchants.rules import (
    check_grant_type,
    clean_credential,
    clean_merchant_name,
    clean_scopes,
    could_be_credential,
)
from app.runtime import Services


def _code(error: pytest.ExceptionInfo[InvalidInput]) -> ErrorCode:
    return error.value.field_errors[0].code


def test_an_empty_name_is_too_short_and_a_long_one_too_long() -> None:
    with pytest.raises(InvalidInput) as empty:
        clean_merchant_name("")
    with pytest.raises(InvalidInput) as long:
        clean_merchant_name("x" * 201)

    assert _code(empty) is ErrorCode.TOO_SHORT
    assert _code(long) is ErrorCode.TOO_LONG
    assert clean_merchant_name("x" * 200) == "x" * 200


async def test_creating_a_merchant_without_a_name_reports_too_short(services: Services) -> None:
    with pytest.raises(InvalidInput) as caught:
        await services.merchants.create_merchant(name="")

    assert [(e.field, e.code) for e in caught.value.field_errors] == [("name", ErrorCode.TOO_SHORT)]


def test_explicit_credentials_are_checked_and_missing_ones_generated() -> None:
    assert clean_credential("merchant_key", None, lambda: "generated") == "generated"
    assert clean_credential("merchant_key", "kept", lambda: "generated") == "kept"
    for bad in ("", "has space", "tab\there", "x" * 201):
        with pytest.raises(InvalidInput) as caught:
            clean_credential("merchant_key", bad, lambda: "generated")
        assert caught.value.field_errors[0].field == "merchant_key"


def test_texts_no_credential_can_hold() -> None:
    assert could_be_credential("abc123")
    assert not could_be_credential("a\x00b")
    assert not could_be_credential("a\ud800")
    assert not could_be_credential("x" * 201)


def test_the_grant_and_scopes() -> None:
    check_grant_type("client_credentials")
    for grant in (None, "password", ""):
        with pytest.raises(InvalidInput) as caught:
            check_grant_type(grant)
        assert _code(caught) is ErrorCode.UNSUPPORTED_GRANT_TYPE
    assert clean_scopes(None) == ALL_SCOPES
    assert clean_scopes("customers payment-methods") == {Scope.CUSTOMERS, Scope.PAYMENT_METHODS}
    assert clean_scopes(["customers"]) == {Scope.CUSTOMERS}
    for bad in ([], "", ["admin"], [1], 5):
        with pytest.raises(InvalidInput) as caught:
            clean_scopes(bad)
        assert _code(caught) is ErrorCode.INVALID_SCOPE
