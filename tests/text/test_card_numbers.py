"""Which texts hold a full card number: plain, grouped, embedded, in any digits, with any separators."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from app.customers.payment_method_rules import clean_new_payment_method
from app.customers.rules import NullMeans, clean_changes, clean_new_customer
from app.errors import InvalidInput
from app.migrations import migrate_sync
from app.text.card_numbers import contains_card_number, luhn_valid
from tests.card_forms import EVERY_FIELD_REFUSED, WRITTEN_FORMS, every_field_holding, in_digits
from tests.storage_dump import card_numbers_stored


@pytest.mark.parametrize("form", WRITTEN_FORMS.values(), ids=WRITTEN_FORMS.keys())
def test_every_written_form_is_a_card_number(form: str) -> None:
    assert contains_card_number(form)
    assert contains_card_number(f"tok_{form}")
    assert contains_card_number(f"note: {form} (visa)")


@pytest.mark.parametrize(
    "text",
    [
        "tok_4111111111111111",
        "ref 2024 4111 1111 1111 1111",  # a card number inside more digit groups
        "4111-1111-1111-1111-0000",
        "pan=5500 0000 0000 0004;",
        "4111\u20131111\u20141111\u20101111",  # en dash, em dash, hyphen
        "4111\u00a01111\u20091111\u30001111",  # no-break, thin and ideographic spaces
        "4111\t1111\n1111\r\n1111",
        "4\u200c1\u200d1\u20601\ufeff111111111111",  # joiners, word joiner, byte order mark
        in_digits("5500000000000004", "\u0966"),  # Devanagari digits
        "41\uff11\u0661 1111 1111 1111",  # mixed scripts
        "123456789015",  # 12 digits, the shortest card numbers
        "6011 0009 9013 9424",
        "4111-1111-1111-1111 exp 12/34",
    ],
)
def test_grouped_embedded_and_unicode_card_numbers_are_found(text: str) -> None:
    assert contains_card_number(text)


@pytest.mark.parametrize(
    "text",
    [
        "411111******1111",
        "tok_visa_4242",
        "order 2024-11-28",
        "+44 20 7946 0000",
        "1234-5678-9012-3450",
        "4111111111111112",  # fails the checksum
        "41111111111111111111111",  # 23 digits with nothing between them: some other number
        "4111:1111:1111:1111",  # a colon is not a separator: four short numbers
        "2026-11-28T12:45:30.675+00:00",
        "",
    ],
)
def test_ordinary_text_is_not_taken_for_a_card_number(text: str) -> None:
    assert not luhn_valid("1234567890123450")
    assert not contains_card_number(text)


def test_uuids_are_not_card_numbers() -> None:
    # All-digit groups of this UUID join into Luhn-valid 12-19 digit runs; it is still an id.
    assert not contains_card_number("12345678-1234-4123-8123-123456789012")
    assert not any(contains_card_number(str(uuid.uuid4())) for _ in range(2000))


def test_a_card_number_next_to_a_uuid_is_still_found() -> None:
    assert contains_card_number(f"{uuid.uuid4()} 4111 1111 1111 1111")


def test_luhn() -> None:
    assert luhn_valid("4111111111111111")
    assert luhn_valid("378282246310005")
    assert not luhn_valid("4111111111111112")


# --- every field refuses them ------------------------------------------------------------------------


def refusals(call: Callable[[], object]) -> list[tuple[str, str]]:
    with pytest.raises(InvalidInput) as caught:
        call()
    return sorted((error.field, error.code.value) for error in caught.value.field_errors)


@pytest.mark.parametrize("form", WRITTEN_FORMS.values(), ids=WRITTEN_FORMS.keys())
def test_every_customer_field_refuses_every_form(form: str) -> None:
    data = every_field_holding(form)

    assert refusals(lambda: clean_new_customer(data)) == EVERY_FIELD_REFUSED
    assert refusals(lambda: clean_changes(data, NullMeans.KEEP)) == EVERY_FIELD_REFUSED


@pytest.mark.parametrize("form", WRITTEN_FORMS.values(), ids=WRITTEN_FORMS.keys())
def test_the_card_token_refuses_every_form(form: str) -> None:
    card = {"masked_pan": "411111******1111", "expiration_date": "12/34", "token": f"tok {form}"}

    assert refusals(lambda: clean_new_payment_method(card)) == [("token", "full_card_number")]


def test_refusals_never_quote_the_card_number() -> None:
    with pytest.raises(InvalidInput) as caught:
        clean_new_customer(every_field_holding("4111111111111111"))
    assert "4111" not in str(caught.value)
    assert all("4111" not in error.message for error in caught.value.field_errors)


async def _store_a_card_number_in_metadata(url: str) -> None:
    engine = create_async_engine(url)
    async with engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO customers (uuid, merchant_id, metadata, created_at, updated_at, description) "
                "VALUES ('u', 1, :metadata, '2026-01-01', '2026-01-01', 'clean')"
            ),
            {"metadata": '{"note": "4111 1111 1111 1111"}'},
        )
    await engine.dispose()


def test_the_storage_scan_run_after_the_suite_finds_a_stored_card_number(tmp_path: Path) -> None:
    # The suite's own databases must stay clean, so this one is a throw-away SQLite file.
    url = f"sqlite+aiosqlite:///{tmp_path / 'scan.db'}"
    migrate_sync(url)
    assert asyncio.run(card_numbers_stored(url)) == []

    asyncio.run(_store_a_card_number_in_metadata(url))

    assert asyncio.run(card_numbers_stored(url)) == ["customers.metadata"]
