"""The rules for looking a customer up: the uuid form and merchant_customer_ids no customer can have."""

from __future__ import annotations

from app.customers.rules import canonical_uuid, merchant_customer_id_to_look_up


def test_uuids_are_read_in_their_canonical_form() -> None:
    assert canonical_uuid("0F8FAD5B-D9CB-469F-A165-70867728950E") == "0f8fad5b-d9cb-469f-a165-70867728950e"
    assert canonical_uuid("nonexistent") is None
    assert canonical_uuid("0f8fad5b-d9cb-469f-a165-70867728950e\n") is None
    assert canonical_uuid("0f8fad5b-d9cb-469f-a165-70867728950") is None


def test_a_merchant_customer_id_no_customer_can_have_is_not_looked_up() -> None:
    assert merchant_customer_id_to_look_up("order-7") == "order-7"
    assert merchant_customer_id_to_look_up("x" * 100) == "x" * 100
    assert merchant_customer_id_to_look_up("") is None
    assert merchant_customer_id_to_look_up("x" * 101) is None
