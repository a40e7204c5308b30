"""The event rules and cursors, without a database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.errors import ErrorCode, InvalidInput
from app.events.cursors import decode_cursor, encode_cursor
from app.events.domain import Event, EventType
from app.events.rules import clean_types, new_event_id, previous_attributes, retention_cutoff


def test_previous_attributes_name_only_changed_fields_with_their_old_values() -> None:
    before = {"uuid": "u", "name": "Ann", "email": None, "metadata": {"a": "1"}, "updated_at": "t1"}
    after = {"uuid": "u", "name": "Bea", "email": "b@example.com", "metadata": {"a": "1"}, "updated_at": "t2"}

    assert previous_attributes(before, after) == {"name": "Ann", "email": None}


def test_previous_attributes_compare_metadata_as_a_whole() -> None:
    before = {"metadata": {"a": "1", "b": "2"}}
    after = {"metadata": {"a": "1"}}

    assert previous_attributes(before, after) == {"metadata": {"a": "1", "b": "2"}}


def test_clean_types_accepts_repeats_and_comma_lists_in_order() -> None:
    assert clean_types(["customer.updated,customer.created", "customer.updated"]) == (
        EventType.CUSTOMER_UPDATED,
        EventType.CUSTOMER_CREATED,
    )
    assert clean_types([]) == ()


def test_clean_types_refuses_an_unknown_type_naming_the_field() -> None:
    with pytest.raises(InvalidInput) as raised:
        clean_types(["customer.exploded"], "types")
    [error] = raised.value.field_errors
    assert (error.field, error.code) == ("types", ErrorCode.INVALID_FORMAT)


def test_event_ids_are_prefixed_and_distinct() -> None:
    ids = {new_event_id() for _ in range(100)}
    assert len(ids) == 100
    assert all(value.startswith("evt_") and len(value) == 36 for value in ids)


def test_retention_cutoff_is_that_many_days_back() -> None:
    now = datetime(2026, 12, 2, tzinfo=UTC)
    assert retention_cutoff(now, 30) == now - timedelta(days=30)


def test_cursor_round_trips_and_refuses_anything_else() -> None:
    event = Event(
        sequence=42,
        id="evt_x",
        type=EventType.CUSTOMER_CREATED,
        customer_uuid="u",
        data={},
        previous_attributes=None,
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
    )
    assert decode_cursor(encode_cursor(event)) == 42
    for bad in ("", "nope", "ZXZlbnQ6LTE", "MTIzOjQ1"):  # "event:-1", a customers cursor "123:45"
        with pytest.raises(InvalidInput) as raised:
            decode_cursor(bad)
        assert raised.value.field_errors[0].code == ErrorCode.INVALID_CURSOR
