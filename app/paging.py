"""Page size and offset rules every paged list shares (customers, payment methods, events), written once."""

from __future__ import annotations

import re
from typing import Any

from app.errors import ErrorCode, InvalidInput

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 100
# Offsets past this are refused rather than sent to a database whose integer types they overflow.
MAX_OFFSET = 2_147_483_647

_DIGITS = re.compile(r"[0-9]+")


def clean_page_size(value: Any, field_name: str = "limit") -> int:
    """A page size: default 50, 1-100; strings must be plain decimal digits (REST query parameters)."""
    if value is None:
        return DEFAULT_PAGE_SIZE
    number = _whole_number(value, field_name)
    if not 1 <= number <= MAX_PAGE_SIZE:
        raise InvalidInput.for_field(
            field_name, ErrorCode.OUT_OF_RANGE, f"{field_name} must be between 1 and {MAX_PAGE_SIZE}"
        )
    return number


def clean_offset(value: Any, field_name: str = "offset") -> int:
    """An offset: default 0, a whole number >= 0."""
    if value is None:
        return 0
    number = _whole_number(value, field_name)
    if not 0 <= number <= MAX_OFFSET:
        raise InvalidInput.for_field(
            field_name, ErrorCode.OUT_OF_RANGE, f"{field_name} must be between 0 and {MAX_OFFSET}"
        )
    return number


def _whole_number(value: Any, field_name: str) -> int:
    if isinstance(value, bool):
        raise InvalidInput.for_field(field_name, ErrorCode.INVALID_NUMBER, f"{field_name} must be a number")
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        text = value[1:] if value.startswith("-") else value
        if _DIGITS.fullmatch(text) and len(text) <= 20:
            return int(value)
    raise InvalidInput.for_field(field_name, ErrorCode.INVALID_NUMBER, f"{field_name} must be a number")
