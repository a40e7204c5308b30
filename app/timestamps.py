"""The one clock and the one timestamp format of the gateway."""

from __future__ import annotations

from datetime import UTC, datetime


def utc_now() -> datetime:
    """Now in UTC, truncated to milliseconds so stored and displayed values are the same instant."""
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


class StoredTimestamp(datetime):
    """An aware UTC datetime read from SQLite's text, carrying its wire form alongside.

    Why: a page of 50 customers with their cards reads ~150 timestamps, and parsing each into a datetime
    and formatting it back into the same digits was ~10% of the page's time. The wire form is cut from
    the stored text once; `format_timestamp` hands it out. A value made from this one by arithmetic or
    `replace()` has no wire form and is formatted as any datetime.
    """

    __slots__ = ("wire",)
    wire: str


# 'YYYY-MM-DD HH:MM:SS.ffffff', as SQLAlchemy's SQLite DateTime stores naive UTC.
_STORED_TEXT_LENGTH = 26


def from_stored_text(text: str) -> datetime:
    """An aware UTC datetime from a stored naive-UTC text; the usual SQLite form keeps its wire text."""
    if len(text) == _STORED_TEXT_LENGTH and text[10] == " " and text[19] == ".":
        value = StoredTimestamp.fromisoformat(text + "+00:00")
        value.wire = f"{text[:10]}T{text[11:23]}+00:00"
        return value
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def format_timestamp(value: datetime | None) -> str | None:
    """`2026-11-28T12:45:30.675+00:00`: UTC, milliseconds, explicit offset (what the gateway's SDKs parse)."""
    if value is None:
        return None
    if type(value) is StoredTimestamp:
        try:
            return value.wire
        except AttributeError:
            pass
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="milliseconds")
