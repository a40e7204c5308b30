"""Unit tests for the payment-method rules."""

from __future__ import annotations

from datetime import date

import pytest

from app.customers.payment_method_rules import clean_new_payment_method, last_day_of_expiry_month
from app.errors import InvalidInput
from app.text.card_numbers import contains_card_number, luhn_valid

VALID = {"masked_pan": "411111******1111", "expiration_date": "12/34", "token": "tok_abc"}


def field_codes(data: dict[str, object]) -> set[tuple[str, str]]:
    with pytest.raises(InvalidInput) as caught:
        clean_new_payment_method(data)
    return {(item.field, item.code.value) for item in caught.value.field_errors}


def test_a_valid_card_is_cleaned() -> None:
    card = clean_new_payment_method({**VALID, "keep_until": "2030-01-31"})
    assert card.masked_pan == "411111******1111"
    assert card.expiration_date == date(2034, 12, 31)
    assert card.keep_until == date(2030, 1, 31)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12/34", date(2034, 12, 31)),
        ("02/28", date(2028, 2, 29)),
        ("02/2027", date(2027, 2, 28)),
        ("2034-06", date(2034, 6, 30)),
        ("2034-06-15", date(2034, 6, 30)),
    ],
)
def test_expiry_becomes_the_last_day_of_its_month(text: str, expected: date) -> None:
    assert last_day_of_expiry_month(text) == expected


@pytest.mark.parametrize("text", ["13/34", "00/34", "1234", "2034/12", "", "12-34"])
def test_unreadable_expiry_is_rejected(text: str) -> None:
    assert last_day_of_expiry_month(text) is None


def test_luhn() -> None:
    assert luhn_valid("4111111111111111")
    assert not luhn_valid("4111111111111112")


def test_full_card_number_in_masked_pan_or_token_is_refused() -> None:
    assert field_codes({**VALID, "masked_pan": "4111111111111111"}) == {("masked_pan", "full_card_number")}
    assert field_codes({**VALID, "token": "card-4111111111111111"}) == {("token", "full_card_number")}
    assert contains_card_number("x 5500005555555559 y")
    assert not contains_card_number("4111111111111112")


def test_full_card_number_is_never_echoed_in_the_error() -> None:
    with pytest.raises(InvalidInput) as caught:
        clean_new_payment_method({**VALID, "masked_pan": "4111111111111111"})
    assert "4111111111111111" not in str(caught.value)
    assert all("4111111111111111" not in item.message for item in caught.value.field_errors)


def test_masked_pan_shape() -> None:
    assert field_codes({**VALID, "masked_pan": "4111****1111"}) == {("masked_pan", "invalid_format")}
    assert field_codes({**VALID, "masked_pan": "411111******111"}) == {("masked_pan", "invalid_format")}


def test_required_fields() -> None:
    assert field_codes({}) == {
        ("masked_pan", "required"),
        ("token", "required"),
        ("expiration_date", "required"),
    }


def test_keep_until_must_be_a_date() -> None:
    assert field_codes({**VALID, "keep_until": "soon"}) == {("keep_until", "invalid_format")}
    assert field_codes({**VALID, "keep_until": 20300101}) == {("keep_until", "invalid_type")}
