"""Every rule about merchants and their credentials, written once: names, explicit credentials, the
OAuth grant and its scopes, and which texts could be a stored credential at all."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.auth import ALL_SCOPES, Scope
from app.errors import ErrorCode, InvalidInput

NAME_MAX_LENGTH = 200
CREDENTIAL_MAX_LENGTH = 200
CLIENT_CREDENTIALS = "client_credentials"


def clean_merchant_name(name: str) -> str:
    """A merchant's name: 1-200 characters."""
    if not name:
        raise InvalidInput.for_field("name", ErrorCode.TOO_SHORT, "name must not be empty")
    if len(name) > NAME_MAX_LENGTH:
        raise InvalidInput.for_field(
            "name", ErrorCode.TOO_LONG, f"name must be at most {NAME_MAX_LENGTH} characters"
        )
    return name


def clean_credential(name: str, value: str | None, generate: Callable[[], str]) -> str:
    """An explicit authenticity token or merchant key (1-200 characters, no whitespace), or a new one."""
    if value is None:
        return str(generate())
    if not value or len(value) > CREDENTIAL_MAX_LENGTH or any(char.isspace() for char in value):
        raise InvalidInput.for_field(
            name,
            ErrorCode.INVALID_FORMAT,
            f"{name} must be 1-{CREDENTIAL_MAX_LENGTH} characters, no spaces",
        )
    return value


def could_be_credential(text: str) -> bool:
    """False for text no credential can hold: too long, NUL, or lone surrogates (found by fuzzing)."""
    if len(text) > CREDENTIAL_MAX_LENGTH or "\x00" in text:
        return False
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


def check_grant_type(grant_type: str | None) -> None:
    """Only the client-credentials grant is offered."""
    if grant_type != CLIENT_CREDENTIALS:
        raise InvalidInput.for_field(
            "grant_type", ErrorCode.UNSUPPORTED_GRANT_TYPE, f"grant_type must be {CLIENT_CREDENTIALS}"
        )


def clean_scopes(value: Any) -> frozenset[Scope]:
    """Requested scopes: every scope when none are named; a space-separated string or a non-empty list
    of known scope names otherwise."""
    if value is None:
        return ALL_SCOPES
    if isinstance(value, str):
        value = value.split()
    if not isinstance(value, list) or not value or not all(isinstance(item, str) for item in value):
        raise InvalidInput.for_field(
            "scopes", ErrorCode.INVALID_SCOPE, "scopes must be a non-empty list of scopes"
        )
    known = {scope.value for scope in Scope}
    unknown = [item for item in value if item not in known]
    if unknown:
        raise InvalidInput.for_field(
            "scopes", ErrorCode.INVALID_SCOPE, f"unknown scopes: {', '.join(unknown)}"
        )
    return frozenset(Scope(item) for item in value)
