"""Every field rule of the customer contract (SPEC section 3), written once.

Functions take plain dicts as decoded from JSON (REST) or built from GraphQL inputs and return cleaned
values, raising `InvalidInput` with one `FieldError` per broken field. Nothing here touches storage.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

import pycountry

from app.errors import ErrorCode, FieldError, InvalidInput, characters_not_allowed
from app.paging import DEFAULT_PAGE_SIZE as DEFAULT_PAGE_SIZE
from app.paging import MAX_OFFSET as MAX_OFFSET
from app.paging import MAX_PAGE_SIZE as MAX_PAGE_SIZE
from app.paging import clean_offset as clean_offset
from app.paging import clean_page_size as clean_page_size
from app.text.card_numbers import contains_card_number
from app.text.client_text import is_acceptable

# (min, max) length in Unicode code points for every plain string field, in the wire order.
STRING_FIELD_LENGTHS: dict[str, tuple[int, int]] = {
    "merchant_customer_id": (1, 100),
    "description": (1, 200),
    "email": (1, 200),
    "name": (1, 50),
    "phone": (1, 30),
    "zip_code": (1, 9),
    "city": (3, 30),
    "address": (3, 100),
}
COUNTRY_FIELD = "country"
METADATA_FIELD = "metadata"
# Every field a client may write, in the order responses list them.
WRITABLE_FIELDS: tuple[str, ...] = (*STRING_FIELD_LENGTHS, COUNTRY_FIELD)

METADATA_MAX_KEYS = 50
METADATA_KEY_MAX_LENGTH = 40
METADATA_VALUE_MAX_LENGTH = 500

_COUNTRY_CODES = frozenset(country.alpha_2 for country in pycountry.countries)
# Matched whole (`fullmatch`): with `match`, `$` would also accept a trailing newline.
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+")


class NullMeans(Enum):
    """What an explicit null does in an update: REST keeps the value, GraphQL clears it."""

    KEEP = "keep"
    CLEAR = "clear"


@dataclass(frozen=True)
class CustomerChanges:
    """A validated update: `fields` maps a field to its new value (None clears it)."""

    fields: dict[str, str | None] = field(default_factory=dict)
    metadata_patch: dict[str, str | None] = field(default_factory=dict)
    clear_metadata: bool = False

    @property
    def is_empty(self) -> bool:
        """True when the update would change nothing."""
        return not self.fields and not self.metadata_patch and not self.clear_metadata


def _text(name: str, value: Any, errors: list[FieldError]) -> str | None:
    """The value as text: strings as they are, integers as decimals, anything else rejected."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        errors.append(FieldError(name, ErrorCode.INVALID_TYPE, f"{name} must be a string"))
        return None
    text = value if isinstance(value, str) else str(value)
    if not is_acceptable(text):
        errors.append(characters_not_allowed(name))
        return None
    if contains_card_number(text):
        errors.append(_card_number_error(name))
        return None
    return text


def _card_number_error(name: str) -> FieldError:
    # The message never quotes the value: it would put the card number in the response.
    return FieldError(name, ErrorCode.FULL_CARD_NUMBER, f"{name} must not contain a card number")


def _check_length(name: str, text: str, minimum: int, maximum: int, errors: list[FieldError]) -> bool:
    if len(text) < minimum:
        errors.append(FieldError(name, ErrorCode.TOO_SHORT, f"{name} must be at least {minimum} characters"))
        return False
    if len(text) > maximum:
        errors.append(FieldError(name, ErrorCode.TOO_LONG, f"{name} must be at most {maximum} characters"))
        return False
    return True


def _clean_string_field(name: str, value: Any, errors: list[FieldError]) -> str | None:
    text = _text(name, value, errors)
    if text is None:
        return None
    minimum, maximum = STRING_FIELD_LENGTHS[name]
    if not _check_length(name, text, minimum, maximum, errors):
        return None
    if name == "email" and not _EMAIL.fullmatch(text):
        errors.append(FieldError(name, ErrorCode.INVALID_EMAIL, "email must be a valid email address"))
        return None
    return text


def _clean_country(value: Any, errors: list[FieldError]) -> str | None:
    text = _text(COUNTRY_FIELD, value, errors)
    if text is None:
        return None
    code = text.upper()
    if code not in _COUNTRY_CODES:
        errors.append(
            FieldError(COUNTRY_FIELD, ErrorCode.INVALID_COUNTRY, "country must be an ISO 3166-1 alpha-2 code")
        )
        return None
    return code


def _clean_writable(name: str, value: Any, errors: list[FieldError]) -> str | None:
    if name == COUNTRY_FIELD:
        return _clean_country(value, errors)
    return _clean_string_field(name, value, errors)


def _metadata_key_error(key: Any) -> FieldError | None:
    """What is wrong with a metadata key, if anything (the key itself is never quoted)."""
    if isinstance(key, str) and not is_acceptable(key):
        return characters_not_allowed(METADATA_FIELD)
    if isinstance(key, str) and contains_card_number(key):
        return _card_number_error(METADATA_FIELD)
    if not isinstance(key, str) or not 1 <= len(key) <= METADATA_KEY_MAX_LENGTH:
        message = f"metadata keys must be 1-{METADATA_KEY_MAX_LENGTH} characters"
        return FieldError(METADATA_FIELD, ErrorCode.INVALID_KEY, message)
    return None


def _clean_metadata(value: Any, errors: list[FieldError]) -> dict[str, str | None] | None:
    """Validate a metadata object; values stay None where the client asked to remove a key."""
    if not isinstance(value, Mapping):
        errors.append(FieldError(METADATA_FIELD, ErrorCode.INVALID_TYPE, "metadata must be an object"))
        return None
    cleaned: dict[str, str | None] = {}
    ok = True
    for key, item in value.items():
        key_error = _metadata_key_error(key)
        if key_error is not None:
            errors.append(key_error)
            ok = False
            continue
        if item is None:
            cleaned[key] = None
            continue
        local: list[FieldError] = []
        text = _text(METADATA_FIELD, item, local)
        if text is None:
            # The value's problem, the message naming its key: "metadata['k'] must ...".
            message = f"{METADATA_FIELD}[{key!r}]" + local[0].message.removeprefix(METADATA_FIELD)
            errors.append(FieldError(METADATA_FIELD, local[0].code, message))
            ok = False
            continue
        if len(text) > METADATA_VALUE_MAX_LENGTH:
            errors.append(
                FieldError(
                    METADATA_FIELD,
                    ErrorCode.TOO_LONG,
                    f"metadata[{key!r}] must be at most {METADATA_VALUE_MAX_LENGTH} characters",
                )
            )
            ok = False
            continue
        cleaned[key] = text
    return cleaned if ok else None


def check_metadata_size(metadata: Mapping[str, str]) -> None:
    """Refuse a stored metadata object with more keys than allowed (checked after a merge too)."""
    if len(metadata) > METADATA_MAX_KEYS:
        raise InvalidInput.for_field(
            METADATA_FIELD, ErrorCode.TOO_MANY_KEYS, f"metadata may have at most {METADATA_MAX_KEYS} keys"
        )


def merge_metadata(current: Mapping[str, str], changes: CustomerChanges) -> dict[str, str]:
    """Apply an update's metadata patch: null removes a key, other keys are set, the rest stay."""
    merged: dict[str, str] = {} if changes.clear_metadata else dict(current)
    for key, value in changes.metadata_patch.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    check_metadata_size(merged)
    return merged


def _raise_if(errors: list[FieldError]) -> None:
    if errors:
        raise InvalidInput("; ".join(error.message for error in errors), errors)


def clean_new_customer(data: Mapping[str, Any]) -> tuple[dict[str, str], dict[str, str]]:
    """Validate a create: returns (fields, metadata). Absent and null keys are simply not set."""
    errors: list[FieldError] = []
    fields: dict[str, str] = {}
    for name in WRITABLE_FIELDS:
        value = data.get(name)
        if value is None:
            continue
        cleaned = _clean_writable(name, value, errors)
        if cleaned is not None:
            fields[name] = cleaned
    metadata: dict[str, str] = {}
    if data.get(METADATA_FIELD) is not None:
        patch = _clean_metadata(data[METADATA_FIELD], errors)
        if patch is not None:
            metadata = {key: value for key, value in patch.items() if value is not None}
    _raise_if(errors)
    check_metadata_size(metadata)
    return fields, metadata


def clean_changes(data: Mapping[str, Any], null_means: NullMeans) -> CustomerChanges:
    """Validate an update: absent keys keep, `""` clears, null keeps or clears as `null_means` says."""
    errors: list[FieldError] = []
    fields: dict[str, str | None] = {}
    for name in WRITABLE_FIELDS:
        if name not in data:
            continue
        value = data[name]
        if value is None:
            if null_means is NullMeans.CLEAR:
                fields[name] = None
            continue
        if value == "":
            fields[name] = None
            continue
        cleaned = _clean_writable(name, value, errors)
        if cleaned is not None:
            fields[name] = cleaned
    patch: dict[str, str | None] = {}
    clear_metadata = False
    if METADATA_FIELD in data:
        value = data[METADATA_FIELD]
        if value is None:
            clear_metadata = null_means is NullMeans.CLEAR
        else:
            patch = _clean_metadata(value, errors) or {}
    _raise_if(errors)
    return CustomerChanges(fields=fields, metadata_patch=patch, clear_metadata=clear_metadata)


_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def canonical_uuid(value: str) -> str | None:
    """The canonical (lower-case) form of a customer uuid, or None when `value` is not one.

    Not a validation error: a malformed uuid simply names no customer (404, SPEC section 4).
    """
    # fullmatch: `$` would also accept a trailing newline.
    return value.lower() if _UUID.fullmatch(value) else None


def merchant_customer_id_to_look_up(value: str) -> str | None:
    """The merchant_customer_id to look a customer up by, or None when no customer can have it (a stored
    one is 1-100 characters), so the lookup answers not-found without asking the database."""
    minimum, maximum = STRING_FIELD_LENGTHS["merchant_customer_id"]
    return value if minimum <= len(value) <= maximum else None
