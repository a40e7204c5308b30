"""Which texts hold a full card number: plain, grouped by spaces or dashes, embedded in more digits."""

from __future__ import annotations

import pytest

from app.customers.card_numbers import contains_card_number, luhn_valid


@pytest.mark.parametrize(
    "text",
    [
        "tok_4111111111111111",
        "ref 2024 4111 1111 1111 1111",  # a card number inside more digit groups
        "4111-1111-1111-1111-0000",
        "pan=5500 0000 0000 0004;",
    ],
)
def test_grouped_and_embedded_card_numbers_are_found(text: str) -> None:
    assert contains_card_number(text)


@pytest.mark.parametrize(
    "text",
    ["411111******1111", "tok_visa_4242", "order 2024-11-28", "+44 20 7946 0000", "1234-5678-9012-3450"],
)
def test_ordinary_text_is_not_taken_for_a_card_number(text: str) -> None:
    assert not luhn_valid("1234567890123450")
    assert not contains_card_number(text)
