"""Every rule about webhooks, written once: what an endpoint may be, which events it gets, when a failed
delivery is tried again, and which addresses deliveries may reach."""

from __future__ import annotations

import base64
import ipaddress
import random
import secrets
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import urlsplit

from app.errors import ErrorCode, FieldError, InvalidInput
from app.events.domain import EventType
from app.events.rules import clean_types

ENDPOINT_ID_PREFIX = "we_"
SECRET_PREFIX = "whsec_"
URL_MAX_LENGTH = 2048
DESCRIPTION_MAX_LENGTH = 255
ERROR_MAX_LENGTH = 500
# Endpoints one merchant may have.
MAX_ENDPOINTS = 20
# Added to each retry delay, as a fraction of it at most, so endpoints that failed together are not
# all retried in the same instant.
JITTER_FRACTION = 0.1


def new_endpoint_id() -> str:
    """A random public endpoint id (`we_` and 24 hex digits)."""
    return ENDPOINT_ID_PREFIX + secrets.token_hex(12)


def new_secret() -> str:
    """A signing secret in the Standard Webhooks form: `whsec_` and 32 random bytes in base64."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def _invalid(field: str, code: ErrorCode, message: str) -> InvalidInput:
    return InvalidInput(message, [FieldError(field, code, message)])


def clean_url(value: Any, field: str = "url") -> str:
    """An absolute http(s) URL with a host and no credentials in it; where it points is checked apart
    (`forbidden_address`), when it is registered and again before every delivery."""
    if value is None:
        raise _invalid(field, ErrorCode.REQUIRED, f"{field} is required")
    if not isinstance(value, str):
        raise _invalid(field, ErrorCode.INVALID_TYPE, f"{field} must be a string")
    if len(value) > URL_MAX_LENGTH:
        raise _invalid(field, ErrorCode.TOO_LONG, f"{field} must be at most {URL_MAX_LENGTH} characters")
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError:
        raise _invalid(field, ErrorCode.INVALID_FORMAT, f"{field} is not a valid URL") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise _invalid(
            field, ErrorCode.INVALID_FORMAT, f"{field} must be an absolute http:// or https:// URL"
        )
    if parts.username is not None or parts.password is not None:
        raise _invalid(field, ErrorCode.INVALID_FORMAT, f"{field} must not hold credentials")
    if port == 0 or any(character.isspace() for character in value):
        raise _invalid(field, ErrorCode.INVALID_FORMAT, f"{field} is not a valid URL")
    return value


def clean_description(value: Any, field: str = "description") -> str:
    """An optional free text (default empty), at most 255 characters."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _invalid(field, ErrorCode.INVALID_TYPE, f"{field} must be a string")
    if len(value) > DESCRIPTION_MAX_LENGTH:
        raise _invalid(
            field, ErrorCode.TOO_LONG, f"{field} must be at most {DESCRIPTION_MAX_LENGTH} characters"
        )
    return value


def clean_event_types(value: Any, field: str = "event_types") -> tuple[EventType, ...]:
    """The event types an endpoint wants: a list of type names; absent or empty: every type."""
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise _invalid(field, ErrorCode.INVALID_TYPE, f"{field} must be a list of event types")
    return clean_types(value, field)


def wants(event_types: Iterable[str], event_type: str) -> bool:
    """True when an endpoint subscribed to `event_types` (empty: all) gets an event of `event_type`."""
    wanted = tuple(event_types)
    return not wanted or event_type in wanted


def retry_delay(
    schedule: Sequence[float], attempts_made: int, rng: random.Random | None = None
) -> float | None:
    """Seconds to wait before the next attempt after `attempts_made` failed ones, jitter included; None
    once the schedule is spent (the delivery has failed for good)."""
    if attempts_made > len(schedule):
        return None
    base = float(schedule[attempts_made - 1])
    return base + base * JITTER_FRACTION * (rng or random).random()


def forbidden_address(address: str) -> bool:
    """True for addresses deliveries must not reach unless private targets are allowed: loopback,
    private, link-local (cloud metadata services live there), multicast, reserved and unspecified."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return (
        ip.is_loopback
        or ip.is_private
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
    )


def claim_lease_seconds(timeout_seconds: float) -> float:
    """How long a claimed delivery is left to the worker sending it. The attempt is cut off at the timeout
    (resolving included); twice that plus slack for recording it means a live sender never sees its
    delivery claimed by another worker, and one killed mid-send leaves it to others soon after."""
    return 2 * timeout_seconds + 5


def clip_error(message: str) -> str:
    """An attempt's error text as stored: at most 500 characters."""
    return message if len(message) <= ERROR_MAX_LENGTH else message[: ERROR_MAX_LENGTH - 1] + "…"
