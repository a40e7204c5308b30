"""The one decision about which texts a client may send, and how a refusal names where the text was."""

from __future__ import annotations

from typing import Any

import pytest

from app.errors import ErrorCode, UnacceptableText
from app.text.client_text import check_pairs, check_text, check_texts, is_acceptable

LONE_SURROGATES = ["\ud800", "\udfff", "ok\udc00ok"]


@pytest.mark.parametrize("text", ["\x00", "a\x00b", *LONE_SURROGATES])
def test_nul_and_lone_surrogates_are_not_acceptable(text: str) -> None:
    assert not is_acceptable(text)


@pytest.mark.parametrize("text", ["", "plain", "tab\there", "line\nbreak", "\x7f", "Zoë", "\U0001f600"])
def test_everything_else_is_acceptable(text: str) -> None:
    assert is_acceptable(text)


def refused_at(call: Any) -> tuple[str, ErrorCode]:
    with pytest.raises(UnacceptableText) as caught:
        call()
    [error] = caught.value.field_errors
    assert "\x00" not in caught.value.message and is_acceptable(caught.value.message)
    return error.field, error.code


def test_a_refusal_names_where_and_never_quotes_the_text() -> None:
    assert refused_at(lambda: check_text("x\ud800", "merchant_customer_id")) == (
        "merchant_customer_id",
        ErrorCode.INVALID_CHARACTERS,
    )


@pytest.mark.parametrize(
    ("value", "where"),
    [
        ({"email": "a\x00"}, "email"),
        ({"metadata": {"note": "\ud800"}}, "metadata.note"),
        ({"metadata": {"bad\x00key": "v"}}, "metadata"),
        ({"metadata": {"4111111111111111": "\x00"}}, "metadata"),  # a key that may not be echoed
        ({"items": ["ok", {"deep": ["\x00"]}]}, "items[1].deep[0]"),
        ({"\ud800": "v"}, "body"),
    ],
)
def test_every_string_of_a_json_value_is_checked(value: Any, where: str) -> None:
    assert refused_at(lambda: check_texts(value))[0] == where


def test_a_prefix_names_the_value() -> None:
    assert refused_at(lambda: check_texts({"filter": {"email": "\x00"}}, "variables"))[0] == (
        "variables.filter.email"
    )


def test_acceptable_json_passes() -> None:
    check_texts({"name": "Zoë", "n": 1, "ok": True, "none": None, "list": ["a", 2], "m": {"k": "v"}})


def test_query_parameters_are_named_by_their_name() -> None:
    assert refused_at(lambda: check_pairs([("limit", "5"), ("offset", "\x00")], "query"))[0] == "offset"
    assert refused_at(lambda: check_pairs([("\x00", "1")], "query"))[0] == "query"
