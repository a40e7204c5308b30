"""Input types: shape only. Every rule lives in app/customers; resolvers hand these over as plain dicts
with the domain's snake_case keys, leaving out fields the client did not send."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

import strawberry
from strawberry.scalars import JSON

from app.customers import domain


def given_fields(value: object) -> dict[str, Any]:
    """The fields the client sent, explicit nulls included, absent ones left out."""
    return {
        field.name: getattr(value, field.name)
        for field in dataclasses.fields(value)  # type: ignore[arg-type]
        if getattr(value, field.name) is not strawberry.UNSET
    }


@strawberry.input(description="A new customer. Every field is optional; null and absent both mean not set.")
class CreateCustomerInput:
    merchant_customer_id: str | None = strawberry.UNSET
    description: str | None = strawberry.UNSET
    email: str | None = strawberry.UNSET
    name: str | None = strawberry.UNSET
    phone: str | None = strawberry.UNSET
    metadata: JSON | None = strawberry.UNSET
    zip_code: str | None = strawberry.UNSET
    city: str | None = strawberry.UNSET
    address: str | None = strawberry.UNSET
    country: str | None = strawberry.UNSET


@strawberry.input(
    description="Changes to a customer. An absent field keeps its value; an explicit null clears it. "
    "`metadata` merges key by key (a key set to null is removed); `metadata: null` empties it."
)
class UpdateCustomerInput(CreateCustomerInput):
    """The same fields as CreateCustomerInput; only what an absent or null one means differs."""


@strawberry.input(description="A tokenised card to attach. A full card number is refused and never stored.")
class AddPaymentMethodInput:
    masked_pan: str = strawberry.field(description="First 6 and last 4 digits, e.g. `411111******1111`.")
    expiration_date: str = strawberry.field(description="`MM/YY`, `MM/YYYY` or `YYYY-MM`.")
    token: str = strawberry.field(description="The vault token used to charge the card.")
    keep_until: str | None = strawberry.field(default=strawberry.UNSET, description="`YYYY-MM-DD`.")


@strawberry.input(description="One metadata entry a customer must have: this key with exactly this value.")
class MetadataFilter:
    key: str
    value: str


@strawberry.input(name="CustomerFilter", description="Every given filter must match.")
class CustomerFilterInput:
    email: str | None = strawberry.field(default=strawberry.UNSET, description="Exact email.")
    merchant_customer_id: str | None = strawberry.field(default=strawberry.UNSET, description="Exact id.")
    name_contains: str | None = strawberry.field(
        default=strawberry.UNSET, description="Case-insensitive substring of the name."
    )
    created_after: datetime | None = strawberry.field(default=strawberry.UNSET, description="Strictly after.")
    created_before: datetime | None = strawberry.field(
        default=strawberry.UNSET, description="Strictly before."
    )
    country: str | None = strawberry.field(
        default=strawberry.UNSET, description="ISO 3166-1 alpha-2 code, any case."
    )
    updated_after: datetime | None = strawberry.field(default=strawberry.UNSET, description="Strictly after.")
    has_payment_methods: bool | None = strawberry.field(
        default=strawberry.UNSET,
        description="True: customers with at least one card; false: without any (needs the payment-methods "
        "scope).",
    )
    metadata: list[MetadataFilter] | None = strawberry.field(
        default=strawberry.UNSET, description="Entries the customer's metadata must all have (at most 10)."
    )

    def to_domain(self) -> domain.CustomerFilter:
        """The service's filter; absent and null fields do not filter."""
        given = {key: value for key, value in given_fields(self).items() if value is not None}
        if "metadata" in given:
            given["metadata"] = tuple((entry.key, entry.value) for entry in given["metadata"])
        return domain.CustomerFilter(**given)
