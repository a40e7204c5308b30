"""Properties of the customer rules (app/customers/rules.py), checked on generated input."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.customers.rules import (
    MAX_OFFSET,
    MAX_PAGE_SIZE,
    METADATA_KEY_MAX_LENGTH,
    METADATA_MAX_KEYS,
    METADATA_VALUE_MAX_LENGTH,
    STRING_FIELD_LENGTHS,
    WRITABLE_FIELDS,
    CustomerChanges,
    NullMeans,
    clean_changes,
    clean_new_customer,
    clean_offset,
    clean_page_size,
    merge_metadata,
)
from app.errors import InvalidInput
from app.text.card_numbers import contains_card_number, luhn_valid

PLAIN_FIELDS = [name for name in STRING_FIELD_LENGTHS if name != "email"]
# Any text, lone surrogates and NUL included (they must be refused, never stored).
ANY_TEXT = st.text(st.characters(codec=None), max_size=120)
STORABLE_TEXT = st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"), max_size=120)
NOT_STRINGS = st.one_of(
    st.booleans(),
    st.floats(),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(), st.text(), max_size=2),
)


def _codes(error: InvalidInput) -> set[tuple[str, str]]:
    return {(e.field, e.code.value) for e in error.field_errors}


@settings(max_examples=300)
@given(name=st.sampled_from(PLAIN_FIELDS), value=ANY_TEXT)
def test_a_text_field_is_kept_exactly_when_its_length_and_characters_are_allowed(
    name: str, value: str
) -> None:
    low, high = STRING_FIELD_LENGTHS[name]
    storable = "\x00" not in value and all(not 0xD800 <= ord(char) <= 0xDFFF for char in value)
    try:
        fields, _ = clean_new_customer({name: value})
    except InvalidInput as error:
        assert not (storable and low <= len(value) <= high)
        assert [e.field for e in error.field_errors] == [name]
    else:
        assert storable and low <= len(value) <= high
        assert fields == {name: value}


@given(name=st.sampled_from(list(WRITABLE_FIELDS)), value=NOT_STRINGS)
def test_non_strings_are_refused_naming_the_field(name: str, value: Any) -> None:
    with pytest.raises(InvalidInput) as raised:
        clean_new_customer({name: value})

    assert _codes(raised.value) == {(name, "invalid_type")}


@given(name=st.sampled_from(PLAIN_FIELDS), number=st.integers(min_value=-(10**40), max_value=10**40))
def test_an_integer_is_taken_as_its_decimal_string(name: str, number: int) -> None:
    low, high = STRING_FIELD_LENGTHS[name]
    text = str(number)
    if low <= len(text) <= high and not contains_card_number(text):
        assert clean_new_customer({name: number})[0] == {name: text}
    else:
        with pytest.raises(InvalidInput):
            clean_new_customer({name: number})


@given(local=STORABLE_TEXT, domain=STORABLE_TEXT)
def test_an_email_needs_one_at_and_no_whitespace(local: str, domain: str) -> None:
    value = f"{local}@{domain}"
    plausible = bool(local) and bool(domain) and "@" not in local + domain
    plausible = plausible and not any(char.isspace() for char in value) and len(value) <= 200
    plausible = plausible and not contains_card_number(value)
    try:
        clean_new_customer({"email": value})
    except InvalidInput:
        assert not plausible
    else:
        assert plausible


@given(code=st.text(st.characters(codec="ascii"), min_size=0, max_size=3))
def test_a_country_is_stored_upper_case_or_refused(code: str) -> None:
    try:
        fields, _ = clean_new_customer({"country": code})
    except InvalidInput as error:
        assert _codes(error) <= {("country", "invalid_country"), ("country", "invalid_characters")}
    else:
        assert fields["country"] == code.upper() and len(code) == 2


METADATA = st.dictionaries(
    st.text(min_size=1, max_size=METADATA_KEY_MAX_LENGTH).filter(lambda key: "\x00" not in key),
    st.one_of(st.none(), st.text(max_size=20).filter(lambda value: "\x00" not in value)),
    max_size=METADATA_MAX_KEYS + 5,
)


@given(
    current=st.dictionaries(st.text(min_size=1, max_size=5), st.text(max_size=5), max_size=20), patch=METADATA
)
def test_a_metadata_patch_merges_like_a_dict_update_with_null_removing(
    current: dict[str, str], patch: dict[str, str | None]
) -> None:
    surrogate_free = all(_storable(k) and (v is None or _storable(v)) for k, v in patch.items())
    surrogate_free = surrogate_free and not any(
        contains_card_number(k) or (v is not None and contains_card_number(v)) for k, v in patch.items()
    )
    expected = dict(current)
    for key, value in patch.items():
        if value is None:
            expected.pop(key, None)
        else:
            expected[key] = value
    try:
        changes = clean_changes({"metadata": patch}, NullMeans.KEEP)
        merged = merge_metadata(current, changes)
    except InvalidInput:
        assert not surrogate_free or len(expected) > METADATA_MAX_KEYS
    else:
        assert merged == expected and list(merged) == list(expected)


def _storable(text: str) -> bool:
    return all(not 0xD800 <= ord(char) <= 0xDFFF for char in text)


@given(value=st.text(max_size=METADATA_VALUE_MAX_LENGTH + 20).filter(_storable))
def test_metadata_values_are_bounded(value: str) -> None:
    if "\x00" in value or len(value) > METADATA_VALUE_MAX_LENGTH or contains_card_number(value):
        with pytest.raises(InvalidInput):
            clean_new_customer({"metadata": {"k": value}})
    else:
        assert clean_new_customer({"metadata": {"k": value}})[1] == {"k": value}


@given(data=st.dictionaries(st.sampled_from(PLAIN_FIELDS), st.one_of(st.none(), st.just("")), min_size=1))
def test_update_null_keeps_on_rest_and_clears_on_graphql_and_empty_clears_on_both(
    data: dict[str, Any],
) -> None:
    rest = clean_changes(data, NullMeans.KEEP)
    graphql = clean_changes(data, NullMeans.CLEAR)

    assert rest.fields == {name: None for name, value in data.items() if value == ""}
    assert graphql.fields == dict.fromkeys(data)
    assert CustomerChanges().is_empty


@given(value=st.one_of(st.integers(-(10**6), 10**6), st.text(max_size=8), st.none(), st.booleans()))
def test_page_size_and_offset_accept_exactly_their_ranges(value: Any) -> None:
    as_number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        as_number = value
    elif isinstance(value, str) and value.lstrip("-").isascii() and value.lstrip("-").isdigit():
        as_number = int(value) if value.count("-") <= 1 and not value[1:].startswith("-") else None
    for clean, low, high, default in (
        (clean_page_size, 1, MAX_PAGE_SIZE, 50),
        (clean_offset, 0, MAX_OFFSET, 0),
    ):
        if value is None:
            assert clean(value) == default
        elif as_number is not None and low <= as_number <= high:
            assert clean(value) == as_number
        else:
            with pytest.raises(InvalidInput):
                clean(value)


@st.composite
def card_numbers(draw: st.DrawFn) -> str:
    """A Luhn-valid 12-19 digit number, written plain or in groups of four."""
    body = draw(st.text("0123456789", min_size=11, max_size=18))
    check = next(str(d) for d in range(10) if luhn_valid(body + str(d)))
    number = body + check
    separator = draw(st.sampled_from(["", " ", "-"]))
    return separator.join(number[i : i + 4] for i in range(0, len(number), 4))


@given(number=card_numbers(), prefix=st.text("abc_ ", max_size=5), suffix=st.text("xyz_", max_size=5))
def test_every_card_number_is_found_however_it_is_written(number: str, prefix: str, suffix: str) -> None:
    assert contains_card_number(prefix + number + suffix)


@given(
    first=st.text("0123456789", min_size=6, max_size=6), last=st.text("0123456789", min_size=4, max_size=4)
)
def test_a_masked_pan_is_never_taken_for_a_card_number(first: str, last: str) -> None:
    assert not contains_card_number(f"{first}******{last}")
