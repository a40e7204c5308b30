"""Keyset cursors over the feed's order (newest first by sequence)."""

from __future__ import annotations

import base64
import binascii

from app.errors import ErrorCode, InvalidInput
from app.events.domain import Event

_PREFIX = "event:"
_LARGEST = 2**63 - 1


def encode_cursor(event: Event) -> str:
    """An opaque cursor pointing just after `event` (towards older ones)."""
    return base64.urlsafe_b64encode(f"{_PREFIX}{event.sequence}".encode()).decode().rstrip("=")


def decode_cursor(value: str, field_name: str = "after") -> int:
    """The sequence a cursor made by `encode_cursor` points after; anything else is `invalid_cursor`
    (a customers cursor included: it names another order)."""
    try:
        padded = value + "=" * (-len(value) % 4)
        text = base64.urlsafe_b64decode(padded.encode("ascii")).decode("ascii")
        if not text.startswith(_PREFIX) or not text[len(_PREFIX) :].isdigit():
            raise ValueError(text)
        sequence = int(text[len(_PREFIX) :])
    except (ValueError, UnicodeError, binascii.Error):
        sequence = -1
    if not 0 <= sequence <= _LARGEST:
        raise InvalidInput.for_field(
            field_name, ErrorCode.INVALID_CURSOR, f"{field_name} is not a valid cursor"
        )
    return sequence
