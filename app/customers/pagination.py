"""Keyset cursors over (created_at DESC, id DESC), shared by every transport that pages customers."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from app.customers.domain import Customer
from app.errors import ErrorCode, InvalidInput

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


@dataclass(frozen=True, slots=True)
class Cursor:
    """The position just after one customer in the newest-first order."""

    created_at: datetime
    id: int


def encode_cursor(customer: Customer) -> str:
    """An opaque cursor pointing just after `customer`."""
    micros = (customer.created_at - _EPOCH) // _MICROSECOND
    raw = f"{micros}:{customer.id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(value: str, field_name: str = "after") -> Cursor:
    """Read a cursor made by `encode_cursor`; anything else is an `invalid_cursor` error."""
    try:
        padded = value + "=" * (-len(value) % 4)
        micros_text, id_text = base64.urlsafe_b64decode(padded.encode("ascii")).decode("ascii").split(":")
        micros, row_id = int(micros_text), int(id_text)
        created_at = _EPOCH + micros * _MICROSECOND
    except (ValueError, UnicodeError, binascii.Error, OverflowError, OSError):
        raise InvalidInput.for_field(
            field_name, ErrorCode.INVALID_CURSOR, f"{field_name} is not a valid cursor"
        ) from None
    if row_id < 0 or row_id > 2**63 - 1:
        raise InvalidInput.for_field(
            field_name, ErrorCode.INVALID_CURSOR, f"{field_name} is not a valid cursor"
        )
    return Cursor(created_at=created_at, id=row_id)
