"""The idempotency-key rule, shared by the REST header and the GraphQL argument."""

from __future__ import annotations

import pytest

from app.errors import ErrorCode, InvalidInput
from app.idempotency.rules import check_key


@pytest.mark.parametrize(
    ("key", "code"),
    [
        ("", ErrorCode.TOO_SHORT),
        ("k" * 256, ErrorCode.TOO_LONG),
        ("tab\tkey", ErrorCode.INVALID_CHARACTERS),
        ("clé", ErrorCode.INVALID_CHARACTERS),
    ],
)
def test_malformed_keys_are_refused_naming_the_field(key: str, code: ErrorCode) -> None:
    with pytest.raises(InvalidInput) as caught:
        check_key(key, "Idempotency-Key")

    assert [(e.field, e.code) for e in caught.value.field_errors] == [("Idempotency-Key", code)]


def test_printable_ascii_keys_up_to_255_characters_pass() -> None:
    assert check_key("order-42 ~!", "idempotencyKey") == "order-42 ~!"
    assert check_key("k" * 255, "idempotencyKey") == "k" * 255
