"""The one clock and the one timestamp format of the gateway."""

from __future__ import annotations

from datetime import UTC, datetime


def utc_now() -> datetime:
    """Now in UTC, truncated to milliseconds so stored and displayed values are the same instant."""
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def format_timestamp(value: datetime | None) -> str | None:
    """`2026-11-28T12:45:30.675+00:00`: UTC, milliseconds, explicit offset (what the gateway's SDKs parse)."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="milliseconds")
