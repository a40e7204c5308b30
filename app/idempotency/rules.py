"""The rule for an idempotency key, written once for both transports (header and argument)."""

from __future__ import annotations

from app.errors import ErrorCode, InvalidInput
from app.idempotency.models import KEY_MAX_LENGTH


def check_key(key: str, field: str) -> str:
    """An idempotency key is 1-255 printable ASCII characters; anything else is an invalid-request.

    `field` is what the caller calls the key (the header or the argument), for the error naming it.
    """
    if not key:
        raise InvalidInput.for_field(field, ErrorCode.TOO_SHORT, f"{field} must not be empty")
    if len(key) > KEY_MAX_LENGTH:
        raise InvalidInput.for_field(
            field, ErrorCode.TOO_LONG, f"{field} must be at most {KEY_MAX_LENGTH} characters"
        )
    if not all(" " <= char <= "~" for char in key):
        raise InvalidInput.for_field(
            field, ErrorCode.INVALID_CHARACTERS, f"{field} must be printable ASCII characters"
        )
    return key
