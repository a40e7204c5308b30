"""Rules of finding customers: search words, page requests, order-bound cursors, filters, global ids."""

from __future__ import annotations

import base64
import dataclasses
from datetime import UTC, datetime

import pytest

from app.customers.domain import Customer, CustomerFilter
from app.customers.global_ids import NodeType, decode_global_id, encode_global_id, payment_method_key
from app.customers.listing_rules import clean_page_request, clean_query
from app.customers.ordering import CustomerOrder, clean_order, decode_cursor, encode_cursor
from app.customers.search import search_parameter, search_words
from app.errors import ErrorCode, InvalidInput

CUSTOMER = Customer(
    id=42,
    uuid="0f8fad5b-d9cb-469f-a165-70867728950e",
    merchant_customer_id=None,
    description=None,
    email="Ada@Example.com",
    name=None,
    phone=None,
    metadata={},
    zip_code=None,
    city=None,
    address=None,
    country=None,
    created_at=datetime(2026, 11, 28, 12, 45, 30, 675123, tzinfo=UTC),
    updated_at=datetime(2026, 11, 29, tzinfo=UTC),
    deleted_at=None,
)


def refused(error: pytest.ExceptionInfo[InvalidInput]) -> tuple[str, ErrorCode]:
    [field_error] = error.value.field_errors
    return field_error.field, field_error.code


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Ada", ("ada",)),
        ("  ada   LOV ", ("ada", "lov")),
        ("ada@example.com", ("ada", "example", "com")),
        ("+1 (555) 0100", ("1", "555", "0100")),
        ("José müller", ("josé", "müller")),
        ("ada ada Ada", ("ada",)),
        ("under_score", ("under", "score")),
    ],
)
def test_search_words_are_runs_of_letters_and_digits(text: str, words: tuple[str, ...]) -> None:
    assert search_words(text) == words


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", ErrorCode.REQUIRED),
        (" -@. ", ErrorCode.REQUIRED),
        ("x" * 201, ErrorCode.TOO_LONG),
        (" ".join("abcdefghijk"), ErrorCode.OUT_OF_RANGE),
        (5, ErrorCode.INVALID_TYPE),
    ],
)
def test_searches_without_words_or_with_too_many_are_refused(text: object, code: ErrorCode) -> None:
    with pytest.raises(InvalidInput) as error:
        search_words(text, "query")

    assert refused(error) == ("query", code)


def test_search_parameters_make_every_word_a_prefix_term() -> None:
    assert search_parameter(("ada", "lov"), sqlite=True) == '"ada"* "lov"*'
    assert search_parameter(("ada", "lov"), sqlite=False) == "ada:* & lov:*"


@pytest.mark.parametrize("order", list(CustomerOrder))
def test_a_cursor_reads_back_in_its_own_order(order: CustomerOrder) -> None:
    cursor = decode_cursor(encode_cursor(order, CUSTOMER), order, "after")

    expected = {
        CustomerOrder.NAME_ASC: None,
        CustomerOrder.EMAIL_ASC: "Ada@Example.com",
        CustomerOrder.UPDATED_AT_DESC: CUSTOMER.updated_at,
    }.get(order, CUSTOMER.created_at)
    assert cursor.values == (expected, 42)


@pytest.mark.parametrize("name", ["Zoë Ångström", "lone \ud800 surrogate", 'quote " and \\ back'])
def test_a_text_cursor_reads_back_whatever_the_name_holds(name: str) -> None:
    customer = dataclasses.replace(CUSTOMER, name=name)

    cursor = decode_cursor(encode_cursor(CustomerOrder.NAME_ASC, customer), CustomerOrder.NAME_ASC, "after")

    assert cursor.values == (name, 42)


def test_a_cursor_of_another_order_is_refused_naming_both_orders() -> None:
    cursor = encode_cursor(CustomerOrder.NAME_ASC, CUSTOMER)

    with pytest.raises(InvalidInput) as error:
        decode_cursor(cursor, CustomerOrder.EMAIL_ASC, "after")

    assert refused(error) == ("after", ErrorCode.INVALID_CURSOR)
    assert (
        "NAME_ASC" in error.value.field_errors[0].message
        and "EMAIL_ASC" in error.value.field_errors[0].message
    )


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"[]",
        b'["NAME_ASC"]',
        b'["NAME_ASC", [1, 2]]',
        b'["CREATED_AT_DESC", ["x", 2]]',
        b'["CREATED_AT_DESC", [1, -1]]',
        b'["SIZE_ASC", [1, 2]]',
        b'["NAME_ASC", [null, true]]',
        b"\xff",
    ],
)
def test_malformed_cursors_are_invalid(raw: bytes) -> None:
    value = base64.urlsafe_b64encode(raw).decode().rstrip("=")

    for order in (CustomerOrder.NAME_ASC, CustomerOrder.CREATED_AT_DESC):
        with pytest.raises(InvalidInput) as error:
            decode_cursor(value, order, "before")
        assert refused(error) == ("before", ErrorCode.INVALID_CURSOR)


def test_orders_are_read_in_any_case_and_unknown_ones_refused() -> None:
    assert clean_order("name_asc") is CustomerOrder.NAME_ASC
    assert clean_order(None) is CustomerOrder.CREATED_AT_DESC
    with pytest.raises(InvalidInput) as error:
        clean_order("size", "order")
    assert refused(error) == ("order", ErrorCode.INVALID_FORMAT)


def test_page_requests() -> None:
    assert clean_page_request().size == 50
    backwards = clean_page_request(last=3, order=CustomerOrder.EMAIL_ASC)
    assert (backwards.backwards, backwards.size, backwards.cursor) == (True, 3, None)
    assert clean_page_request(before=encode_cursor(CustomerOrder.CREATED_AT_DESC, CUSTOMER)).size == 50
    with pytest.raises(InvalidInput) as error:
        clean_page_request(first=1, last=1)
    assert refused(error) == ("last", ErrorCode.INVALID_FORMAT)


def test_filters_are_read_in_their_stored_form_and_bounded() -> None:
    query = clean_query(CustomerFilter(country="gb", metadata=(("tier", "gold"),)), "Ada")

    assert query.customer_filter.country == "GB"
    assert query.words == ("ada",)
    with pytest.raises(InvalidInput) as error:
        clean_query(CustomerFilter(metadata=tuple((f"k{index}", "v") for index in range(11))), None)
    assert refused(error) == ("metadata", ErrorCode.OUT_OF_RANGE)
    with pytest.raises(InvalidInput):
        clean_query(CustomerFilter(metadata=(("", "v"),)), None)


def test_global_ids_name_their_type_and_read_back() -> None:
    customer_id = encode_global_id(NodeType.CUSTOMER, CUSTOMER.uuid)
    card_id = encode_global_id(NodeType.PAYMENT_METHOD, "card-1")

    assert base64.b64decode(customer_id) == f"Customer:{CUSTOMER.uuid}".encode()
    assert decode_global_id(customer_id) == (decoded := decode_global_id(customer_id))
    assert decoded is not None and (decoded.type, decoded.key) == (NodeType.CUSTOMER, CUSTOMER.uuid)
    assert payment_method_key(card_id) == "card-1"
    assert payment_method_key("card-1") == "card-1"
    assert payment_method_key(customer_id) == customer_id  # a customer's id names no card
    for junk in (
        "",
        "%%%",
        base64.b64encode(b"Customer:").decode(),
        base64.b64encode(b"Nope:1").decode(),
        "A" * 200,
    ):
        assert decode_global_id(junk) is None
