"""Unit tests for every field rule of SPEC section 3, at its boundaries."""

from __future__ import annotations

import pytest

from app.customers.rules import (
    METADATA_MAX_KEYS,
    STRING_FIELD_LENGTHS,
    CustomerChanges,
    NullMeans,
    clean_changes,
    clean_new_customer,
    clean_offset,
    clean_page_size,
    merge_metadata,
)
from app.errors import ErrorCode, InvalidInput


def codes(error: InvalidInput) -> set[tuple[str, str]]:
    return {(item.field, item.code.value) for item in error.field_errors}


def rejected(data: dict[str, object]) -> set[tuple[str, str]]:
    with pytest.raises(InvalidInput) as caught:
        clean_new_customer(data)
    return codes(caught.value)


@pytest.mark.parametrize(("field", "limits"), list(STRING_FIELD_LENGTHS.items()))
def test_string_field_accepts_exact_maximum_and_rejects_one_more(field: str, limits: tuple[int, int]) -> None:
    maximum = limits[1]
    value = "a" * maximum if field != "email" else "a" * (maximum - 2) + "@b"
    fields, _ = clean_new_customer({field: value})
    assert fields[field] == value
    too_long = "a" * (maximum + 1) if field != "email" else "a" * (maximum - 1) + "@b"
    assert rejected({field: too_long}) == {(field, "too_long")}


@pytest.mark.parametrize("field", ["city", "address"])
def test_city_and_address_reject_two_characters_and_accept_three(field: str) -> None:
    assert rejected({field: "ab"}) == {(field, "too_short")}
    assert clean_new_customer({field: "abc"})[0] == {field: "abc"}


def test_empty_string_is_too_short_on_create() -> None:
    assert rejected({"name": ""}) == {("name", "too_short")}


def test_lengths_count_code_points_not_bytes() -> None:
    name = "é" * 50  # 100 bytes in UTF-8, 50 characters
    assert clean_new_customer({"name": name})[0]["name"] == name
    assert rejected({"name": "😀" * 51}) == {("name", "too_long")}


@pytest.mark.parametrize("email", ["a@b", "first.last@example.com", "x+tag@sub.example.org"])
def test_plausible_emails_are_accepted(email: str) -> None:
    assert clean_new_customer({"email": email})[0]["email"] == email


@pytest.mark.parametrize(
    "email", ["plain", "@example.com", "a@", "a@@b", "a@b@c", "a b@c.d", "a@b .c", "a\t@b"]
)
def test_implausible_emails_are_rejected(email: str) -> None:
    assert rejected({"email": email}) == {("email", "invalid_email")}


def test_country_is_checked_against_the_real_list_and_upper_cased() -> None:
    assert clean_new_customer({"country": "de"})[0]["country"] == "DE"
    assert clean_new_customer({"country": "US"})[0]["country"] == "US"
    for bad in ["XX", "USA", "U", "ZZ", "12"]:
        assert rejected({"country": bad}) == {("country", "invalid_country")}


def test_integer_is_taken_as_its_decimal_string() -> None:
    fields, _ = clean_new_customer({"merchant_customer_id": 12345, "zip_code": 90210, "phone": -5})
    assert fields == {"merchant_customer_id": "12345", "zip_code": "90210", "phone": "-5"}


def test_integer_still_has_to_fit_the_length() -> None:
    assert rejected({"zip_code": 1234567890}) == {("zip_code", "too_long")}


@pytest.mark.parametrize("value", [True, False, 1.5, 2.0, [], ["a"], {"a": "b"}])
def test_non_strings_are_rejected_naming_the_field(value: object) -> None:
    assert rejected({"name": value}) == {("name", "invalid_type")}


@pytest.mark.parametrize("value", ["nul\x00byte", "lone \ud800 surrogate"])
def test_unstorable_characters_are_rejected(value: str) -> None:
    assert rejected({"description": value}) == {("description", "invalid_characters")}


def test_unknown_keys_and_nulls_are_ignored_on_create() -> None:
    fields, metadata = clean_new_customer({"name": "Ann", "email": None, "favourite_colour": "blue"})
    assert fields == {"name": "Ann"}
    assert metadata == {}


def test_every_broken_field_is_reported_at_once() -> None:
    assert rejected({"name": "x" * 51, "email": "nope", "city": "ab"}) == {
        ("name", "too_long"),
        ("email", "invalid_email"),
        ("city", "too_short"),
    }


def test_metadata_accepts_limits_exactly() -> None:
    metadata = {f"{i:040d}": "v" * 500 for i in range(METADATA_MAX_KEYS)}
    assert clean_new_customer({"metadata": metadata})[1] == metadata


def test_metadata_rejects_one_key_too_many() -> None:
    metadata = {f"k{i}": "v" for i in range(METADATA_MAX_KEYS + 1)}
    assert rejected({"metadata": metadata}) == {("metadata", "too_many_keys")}


def test_metadata_rejects_long_or_empty_keys_and_long_values() -> None:
    assert rejected({"metadata": {"k" * 41: "v"}}) == {("metadata", "invalid_key")}
    assert rejected({"metadata": {"": "v"}}) == {("metadata", "invalid_key")}
    assert rejected({"metadata": {"k": "v" * 501}}) == {("metadata", "too_long")}


def test_metadata_values_must_be_strings_or_integers() -> None:
    assert clean_new_customer({"metadata": {"n": 7}})[1] == {"n": "7"}
    assert rejected({"metadata": {"k": {"nested": "x"}}}) == {("metadata", "invalid_type")}
    assert rejected({"metadata": {"k": True}}) == {("metadata", "invalid_type")}
    assert rejected({"metadata": ["a"]}) == {("metadata", "invalid_type")}


def test_metadata_keeps_key_order() -> None:
    metadata = {"zeta": "1", "alpha": "2", "mid": "3"}
    assert list(clean_new_customer({"metadata": metadata})[1]) == ["zeta", "alpha", "mid"]


def test_update_null_keeps_under_rest_semantics_and_clears_under_graphql() -> None:
    assert clean_changes({"name": None}, NullMeans.KEEP) == CustomerChanges()
    assert clean_changes({"name": None}, NullMeans.CLEAR).fields == {"name": None}


def test_update_empty_string_clears_even_fields_with_a_minimum() -> None:
    changes = clean_changes({"city": "", "country": ""}, NullMeans.KEEP)
    assert changes.fields == {"city": None, "country": None}


def test_update_validates_like_create() -> None:
    with pytest.raises(InvalidInput) as caught:
        clean_changes({"city": "ab", "country": "XX"}, NullMeans.KEEP)
    assert codes(caught.value) == {("city", "too_short"), ("country", "invalid_country")}


def test_metadata_merge_sets_removes_and_keeps() -> None:
    changes = clean_changes({"metadata": {"a": None, "b": "new", "c": "added"}}, NullMeans.KEEP)
    assert merge_metadata({"a": "1", "b": "2", "keep": "3"}, changes) == {
        "b": "new",
        "keep": "3",
        "c": "added",
    }


def test_metadata_null_keeps_on_rest_and_clears_on_graphql() -> None:
    assert merge_metadata({"a": "1"}, clean_changes({"metadata": None}, NullMeans.KEEP)) == {"a": "1"}
    assert merge_metadata({"a": "1"}, clean_changes({"metadata": None}, NullMeans.CLEAR)) == {}


def test_metadata_merge_may_not_grow_past_the_limit() -> None:
    current = {f"k{i}": "v" for i in range(METADATA_MAX_KEYS)}
    with pytest.raises(InvalidInput) as caught:
        merge_metadata(current, clean_changes({"metadata": {"one_more": "v"}}, NullMeans.KEEP))
    assert codes(caught.value) == {("metadata", "too_many_keys")}
    replaced = merge_metadata(current, clean_changes({"metadata": {"k0": None, "new": "v"}}, NullMeans.KEEP))
    assert len(replaced) == METADATA_MAX_KEYS


@pytest.mark.parametrize(("value", "expected"), [(None, 50), (1, 1), ("100", 100), (100, 100), ("7", 7)])
def test_page_size_accepts_one_to_one_hundred(value: object, expected: int) -> None:
    assert clean_page_size(value) == expected


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (0, "out_of_range"),
        ("101", "out_of_range"),
        ("-1", "out_of_range"),
        ("abc", "invalid_number"),
        ("1.5", "invalid_number"),
        ("", "invalid_number"),
        (" 5", "invalid_number"),
        (True, "invalid_number"),
    ],
)
def test_page_size_rejects_out_of_range_and_non_numbers(value: object, code: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        clean_page_size(value)
    assert codes(caught.value) == {("limit", code)}


def test_offset_rules() -> None:
    assert clean_offset(None) == 0
    assert clean_offset("0") == 0
    assert clean_offset("250") == 250
    for value, code in [
        ("-1", "out_of_range"),
        ("x", "invalid_number"),
        ("9" * 30, "invalid_number"),
        ("99999999999", "out_of_range"),
    ]:
        with pytest.raises(InvalidInput) as caught:
            clean_offset(value)
        assert codes(caught.value) == {("offset", code)}


def test_page_field_name_is_the_callers() -> None:
    with pytest.raises(InvalidInput) as caught:
        clean_page_size(101, "first")
    assert caught.value.field_errors[0].field == "first"
    assert caught.value.field_errors[0].code is ErrorCode.OUT_OF_RANGE
