"""Root query fields. Another merchant's customer is indistinguishable from one that does not exist."""

from __future__ import annotations

from typing import TypeVar

import strawberry
from strawberry import Info

from app.customers.rules import DEFAULT_PAGE_SIZE
from app.errors import NotFound
from app.graphql.context import GraphQLContext
from app.graphql.event_types import EventConnection, EventFilterInput
from app.graphql.inputs import CustomerFilterInput
from app.graphql.lookahead import payment_method_pages
from app.graphql.types import PAYMENT_METHODS_FIRST, Customer, CustomerConnection

T = TypeVar("T")


def _given(value: T | None) -> T | None:
    """An optional argument's value, None when the client left it out."""
    return None if value is strawberry.UNSET else value


async def _prime_payment_methods(info: Info[GraphQLContext, None], connection: CustomerConnection) -> None:
    """Load the payment methods the query will ask of this page's customers in one batch up front, so each
    customer's field answers synchronously (see PaymentMethodsLoader)."""
    context = info.context
    if not connection.nodes or not context.may_see_payment_methods:
        return
    pages = set()
    for selected in info.selected_fields:
        pages |= payment_method_pages(selected.selections, PAYMENT_METHODS_FIRST, 0)
    if pages:
        ids = [node.internal_id for node in connection.nodes]
        await context.payment_methods.prime(
            (customer_id, first, offset) for first, offset in pages for customer_id in ids
        )


@strawberry.type
class Query:
    """Reads, always scoped to the calling merchant."""

    @strawberry.field(description="A customer by uuid, deleted ones included; null when absent or foreign.")
    async def customer(self, info: Info[GraphQLContext, None], uuid: strawberry.ID) -> Customer | None:
        context = info.context
        try:
            found = await context.customers.get(merchant_id=context.merchant_id, uuid=uuid)
        except NotFound:
            return None
        return Customer.from_domain(found)

    @strawberry.field(description="The live customer with this merchantCustomerId, or null.")
    async def customer_by_merchant_customer_id(
        self, info: Info[GraphQLContext, None], merchant_customer_id: str
    ) -> Customer | None:
        context = info.context
        try:
            found = await context.customers.get_by_merchant_customer_id(
                merchant_id=context.merchant_id, merchant_customer_id=merchant_customer_id
            )
        except NotFound:
            return None
        return Customer.from_domain(found)

    @strawberry.field(
        description="Live customers, newest first. Page with `first` (1-100) and `after` (a cursor from "
        "`pageInfo.endCursor`); `offset` skips like REST's offset."
    )
    async def customers(
        self,
        info: Info[GraphQLContext, None],
        first: int | None = DEFAULT_PAGE_SIZE,
        after: str | None = strawberry.UNSET,
        offset: int | None = strawberry.UNSET,
        filter: CustomerFilterInput | None = strawberry.UNSET,
    ) -> CustomerConnection:
        context = info.context
        customer_filter = filter.to_domain() if isinstance(filter, CustomerFilterInput) else None
        page = await context.customers.list_customers(
            merchant_id=context.merchant_id,
            limit=first,
            offset=_given(offset),
            after=_given(after),
            customer_filter=customer_filter,
            limit_field="first",
        )
        connection = CustomerConnection.from_page(page, customer_filter)
        await _prime_payment_methods(info, connection)
        return connection

    @strawberry.field(
        description="The merchant's events, newest first (kept 30 days by default). Page with `first` "
        "(1-100) and `after` (a cursor from `pageInfo.endCursor`)."
    )
    async def events(
        self,
        info: Info[GraphQLContext, None],
        first: int | None = DEFAULT_PAGE_SIZE,
        after: str | None = strawberry.UNSET,
        filter: EventFilterInput | None = strawberry.UNSET,
    ) -> EventConnection:
        context = info.context
        given = filter if isinstance(filter, EventFilterInput) else EventFilterInput()
        types = _given(given.types) or []
        customer_uuid = _given(given.customer_uuid)
        page = await context.events.list_events(
            merchant_id=context.merchant_id,
            limit=first,
            after=_given(after),
            types=[kind.value for kind in types],
            customer_uuid=None if customer_uuid is None else str(customer_uuid),
            limit_field="first",
            types_field="types",
        )
        return EventConnection.from_page(page)
