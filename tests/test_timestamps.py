"""The one timestamp format: values read from SQLite's text keep their wire form and format the same."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.customers import reads
from app.http.json_codec import dumps
from app.merchants.repository import Merchant
from app.runtime import Services
from app.timestamps import StoredTimestamp, format_timestamp, from_stored_text

_INSTANTS = st.datetimes(min_value=datetime(1970, 1, 1), max_value=datetime(9999, 12, 31)).map(
    lambda value: value.replace(microsecond=value.microsecond // 1000 * 1000)
)


def _as_sqlite_stores(value: datetime) -> str:
    # What SQLAlchemy's SQLite DateTime writes for a naive UTC value.
    return value.strftime("%Y-%m-%d %H:%M:%S.") + f"{value.microsecond:06d}"


@given(_INSTANTS)
def test_the_wire_form_is_what_formatting_the_instant_gives(value: datetime) -> None:
    stored = from_stored_text(_as_sqlite_stores(value))

    assert type(stored) is StoredTimestamp
    assert stored == value.replace(tzinfo=UTC)
    assert format_timestamp(stored) == format_timestamp(value.replace(tzinfo=UTC))


def test_a_value_derived_from_a_stored_one_is_formatted_from_its_instant() -> None:
    stored = from_stored_text("2026-11-28 12:45:30.675000")

    assert format_timestamp(stored + timedelta(hours=1)) == "2026-11-28T13:45:30.675+00:00"
    assert format_timestamp(stored.replace(minute=1)) == "2026-11-28T12:01:30.675+00:00"
    assert format_timestamp(stored.astimezone(UTC)) == "2026-11-28T12:45:30.675+00:00"


@pytest.mark.parametrize(
    ("text", "wire"),
    [
        ("2026-11-28 12:45:30", "2026-11-28T12:45:30.000+00:00"),
        ("2026-11-28T12:45:30.675", "2026-11-28T12:45:30.675+00:00"),
        ("2026-11-28 12:45:30.6759", "2026-11-28T12:45:30.675+00:00"),
    ],
)
def test_other_stored_forms_are_parsed_plainly(text: str, wire: str) -> None:
    value = from_stored_text(text)

    assert type(value) is datetime and value.tzinfo is UTC
    assert format_timestamp(value) == wire


def test_json_writes_a_stored_timestamp_as_it_writes_any_datetime() -> None:
    stored = from_stored_text("2026-11-28 12:45:30.675000")
    plain = datetime(2026, 11, 28, 12, 45, 30, 675000, tzinfo=UTC)

    assert dumps({"at": stored}) == dumps({"at": plain})
    with pytest.raises(TypeError, match="not JSON serializable"):
        dumps({"at": object()})


async def test_a_read_answers_with_the_written_timestamps(services: Services, merchant: Merchant) -> None:
    created = await services.customers.create(merchant_id=merchant.id, data={"name": "Clock"})

    found = await reads.customer_by_uuid(
        services.database.prepared, merchant_id=merchant.id, uuid=created.uuid
    )

    assert found is not None
    assert found.created_at == created.created_at
    assert format_timestamp(found.created_at) == format_timestamp(created.created_at)
    assert format_timestamp(found.updated_at) == format_timestamp(created.updated_at)
    if services.settings.is_sqlite:
        assert type(found.created_at) is StoredTimestamp
