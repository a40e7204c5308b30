"""Output types built from domain objects without their dataclass `__init__` hold exactly their fields."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime

import pytest

from app.customers import domain
from app.customers.global_ids import GlobalId, NodeType, decode_global_id
from app.graphql.types import Customer, PaymentMethod

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
CUSTOMER = domain.Customer(
    id=7,
    uuid="0f8fad5b-d9cb-469f-a165-70867728950e",
    merchant_customer_id="m-1",
    description="d",
    email="ada@example.com",
    name="Ada",
    phone="+1",
    metadata={"tier": "gold"},
    zip_code="1",
    city="c",
    address="a",
    country="GB",
    created_at=NOW,
    updated_at=NOW,
    deleted_at=None,
)
CARD = domain.PaymentMethod(
    id="5c3e1a2b-7d4f-4e8a-9b6c-1d2e3f4a5b6c",
    customer_id=7,
    customer_uuid=CUSTOMER.uuid,
    status="active",
    masked_pan="411111******1111",
    expiration_date=date(2020, 1, 31),
    keep_until=None,
    token="tok",
    created_at=NOW,
    updated_at=NOW,
)


def _attributes(cls: type) -> set[str]:
    """What the dataclass `__init__` sets (fields with resolvers hold no value)."""
    return {field.name for field in dataclasses.fields(cls) if field.init}


@pytest.mark.parametrize(
    ("view", "cls"),
    [(Customer.from_domain(CUSTOMER), Customer), (PaymentMethod.from_domain(CARD), PaymentMethod)],
    ids=["customer", "payment-method"],
)
def test_a_view_holds_exactly_the_fields_of_its_type(view: object, cls: type) -> None:
    assert set(vars(view)) == _attributes(cls)
    assert type(view) is cls


def test_a_customer_view_copies_the_domain_values() -> None:
    view = Customer.from_domain(CUSTOMER)

    assert view.internal_id == 7 and view.uuid == CUSTOMER.uuid and view.metadata == {"tier": "gold"}
    assert view.deleted is False and view.deleted_at is None
    assert decode_global_id(view.global_id()) == GlobalId(NodeType.CUSTOMER, CUSTOMER.uuid)


def test_a_payment_method_view_copies_the_domain_values() -> None:
    view = PaymentMethod.from_domain(CARD)

    assert view.uuid == CARD.id and view.customer_uuid == CUSTOMER.uuid and view.expired is True
    assert decode_global_id(view.global_id()) == GlobalId(NodeType.PAYMENT_METHOD, CARD.id)
