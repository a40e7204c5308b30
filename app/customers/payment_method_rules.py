"""Rules for attaching a tokenised card (SPEC section 4, payment methods), written once."""

from __future__ import annotations

import calendar
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from app.errors import ErrorCode, FieldError, InvalidInput, characters_not_allowed
from app.text.card_numbers import contains_card_number
from app.text.client_text import is_acceptable

TOKEN_MAX_LENGTH = 200
# Matched whole (`fullmatch`): with `match`, `$` would also accept a trailing newline.
_MASKED_PAN = re.compile(r"[0-9]{6}\*{2,9}[0-9]{4}")
_MONTH_YEAR = re.compile(r"(0[1-9]|1[0-2])/([0-9]{2}|[0-9]{4})")
_YEAR_MONTH = re.compile(r"([0-9]{4})-(0[1-9]|1[0-2])(-[0-9]{2})?")


@dataclass(frozen=True, slots=True)
class NewPaymentMethod:
    """A validated card to attach."""

    masked_pan: str
    expiration_date: date
    token: str
    keep_until: date | None


def last_day_of_expiry_month(text: str) -> date | None:
    """`12/34`, `12/2034`, `2034-12` or `2034-12-xx` -> 2034-12-31; None when unreadable."""
    match = _MONTH_YEAR.fullmatch(text)
    if match:
        month, year = int(match.group(1)), int(match.group(2))
        year = year + 2000 if year < 100 else year
    else:
        match = _YEAR_MONTH.fullmatch(text)
        if not match:
            return None
        year, month = int(match.group(1)), int(match.group(2))
    if year < 1970:
        return None
    return date(year, month, calendar.monthrange(year, month)[1])


def _string(data: Mapping[str, Any], name: str, errors: list[FieldError], required: bool) -> str | None:
    value = data.get(name)
    if value is None:
        if required:
            errors.append(FieldError(name, ErrorCode.REQUIRED, f"{name} is required"))
        return None
    if not isinstance(value, str) or value == "":
        errors.append(FieldError(name, ErrorCode.INVALID_TYPE, f"{name} must be a non-empty string"))
        return None
    if not is_acceptable(value):
        errors.append(characters_not_allowed(name))
        return None
    return value


def clean_new_payment_method(data: Mapping[str, Any]) -> NewPaymentMethod:
    """Validate an attach request; a full card number anywhere is refused, never echoed back."""
    errors: list[FieldError] = []
    masked_pan = _string(data, "masked_pan", errors, required=True)
    if masked_pan is not None:
        if contains_card_number(masked_pan):
            errors.append(
                FieldError(
                    "masked_pan", ErrorCode.FULL_CARD_NUMBER, "masked_pan must not be a full card number"
                )
            )
            masked_pan = None
        elif not _MASKED_PAN.fullmatch(masked_pan):
            errors.append(
                FieldError(
                    "masked_pan",
                    ErrorCode.INVALID_FORMAT,
                    "masked_pan must be the first 6 and last 4 digits with * between (411111******1111)",
                )
            )
    token = _string(data, "token", errors, required=True)
    if token is not None:
        if contains_card_number(token):
            errors.append(
                FieldError("token", ErrorCode.FULL_CARD_NUMBER, "token must not contain a card number")
            )
        elif len(token) > TOKEN_MAX_LENGTH:
            errors.append(
                FieldError(
                    "token", ErrorCode.TOO_LONG, f"token must be at most {TOKEN_MAX_LENGTH} characters"
                )
            )
    expiry_text = _string(data, "expiration_date", errors, required=True)
    expiration = None
    if expiry_text is not None:
        expiration = last_day_of_expiry_month(expiry_text)
        if expiration is None:
            errors.append(
                FieldError(
                    "expiration_date", ErrorCode.INVALID_FORMAT, "expiration_date must be MM/YY or YYYY-MM"
                )
            )
    keep_text = _string(data, "keep_until", errors, required=False)
    keep_until = None
    if keep_text is not None:
        try:
            keep_until = date.fromisoformat(keep_text)
        except ValueError:
            errors.append(FieldError("keep_until", ErrorCode.INVALID_FORMAT, "keep_until must be YYYY-MM-DD"))
        else:
            if len(keep_text) != 10:
                errors.append(
                    FieldError("keep_until", ErrorCode.INVALID_FORMAT, "keep_until must be YYYY-MM-DD")
                )
    if errors:
        raise InvalidInput("; ".join(error.message for error in errors), errors)
    assert masked_pan is not None and token is not None and expiration is not None
    return NewPaymentMethod(
        masked_pan=masked_pan, expiration_date=expiration, token=token, keep_until=keep_until
    )
