"""Root query fields. Another merchant's customer is indistinguishable from one that does not exist."""

from __future__ import annotations

from typing import Any, TypeVar

import strawberry
from strawberry import Info

from app.auth import Access
from app.customers import domain
from app.customers.ordering import DEFAULT_ORDER, CustomerOrder
from app.errors import NotFound
from app.graphql.context import GraphQLContext
from app.graphql.engine import NO_SHORTCUT, direct_read, shortcut
from app.graphql.event_types import EventConnection, EventFilterInput
from app.graphql.inputs import CustomerFilterInput
from app.graphql.lookahead import payment_method_pages
from app.graphql.types import PAYMENT_METHODS_FIRST, Customer, CustomerConnection, Node, PaymentMethod
from app.graphql.webhook_types import WebhookEndpoint
from app.paging import DEFAULT_PAGE_SIZE

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
    pages = payment_method_pages(info, PAYMENT_METHODS_FIRST, 0)
    if pages:
        ids = [node.internal_id for node in connection.nodes]
        await context.payment_methods.prime(
            (customer_id, first, offset) for first, offset in pages for customer_id in ids
        )


async def _find_customers(
    context: GraphQLContext,
    *,
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
    offset: int | None,
    order: CustomerOrder | None,
    customer_filter: domain.CustomerFilter | None,
    search: str | None,
) -> CustomerConnection:
    if customer_filter is not None and customer_filter.has_payment_methods is not None:
        context.require(Access.READ_PAYMENT_METHODS)
    found = await context.customers.finder.find(
        merchant_id=context.merchant_id,
        first=first,
        after=after,
        last=last,
        before=before,
        offset=offset,
        order=order,
        customer_filter=customer_filter,
        search=search,
    )
    return CustomerConnection.from_found(found)


async def _customers_directly(context: GraphQLContext, args: dict[str, Any]) -> Any:
    """`customers` for direct answers, which await the cards' batch themselves (app/graphql/engine).

    Declines a filter: graphql-core hands it over as a plain dict, which only the resolver converts."""
    order = args.get("orderBy")
    if args.get("filter") is not None or not isinstance(order, CustomerOrder):
        return NO_SHORTCUT
    return await _find_customers(
        context,
        first=args.get("first"),
        after=args.get("after"),
        last=args.get("last"),
        before=args.get("before"),
        offset=args.get("offset"),
        order=order,
        customer_filter=None,
        search=args.get("search"),
    )


async def _customer(context: GraphQLContext, uuid: str) -> Customer | None:
    try:
        found = await context.customers.get(merchant_id=context.merchant_id, uuid=uuid)
    except NotFound:
        return None
    return Customer.from_domain(found)


async def _customer_by_merchant_id(context: GraphQLContext, merchant_customer_id: str) -> Customer | None:
    try:
        found = await context.customers.get_by_merchant_customer_id(
            merchant_id=context.merchant_id, merchant_customer_id=merchant_customer_id
        )
    except NotFound:
        return None
    return Customer.from_domain(found)


@strawberry.type
class Query:
    """Reads, always scoped to the calling merchant."""

    @strawberry.field(description="A customer by uuid, deleted ones included; null when absent or foreign.")
    @shortcut(lambda _root, context, args: _customer(context, args["uuid"]))
    async def customer(self, info: Info[GraphQLContext, None], uuid: strawberry.ID) -> Customer | None:
        return await _customer(info.context, uuid)

    @strawberry.field(description="The live customer with this merchantCustomerId, or null.")
    @shortcut(lambda _root, context, args: _customer_by_merchant_id(context, args["merchantCustomerId"]))
    async def customer_by_merchant_customer_id(
        self, info: Info[GraphQLContext, None], merchant_customer_id: str
    ) -> Customer | None:
        return await _customer_by_merchant_id(info.context, merchant_customer_id)

    @strawberry.field(
        description="Live customers in `orderBy` order (newest first by default). Page forwards with "
        "`first` (1-100, default 50) and `after` (`pageInfo.endCursor`), or backwards with `last` and "
        "`before` (`pageInfo.startCursor`); a cursor serves only the order it was made in. `offset` skips "
        "like REST's offset. `search`: every word must begin a word of the name, email, "
        "merchantCustomerId, phone or city (case-insensitive)."
    )
    @direct_read(lambda _root, context, args: _customers_directly(context, args))
    async def customers(
        self,
        info: Info[GraphQLContext, None],
        first: int | None = strawberry.UNSET,
        after: str | None = strawberry.UNSET,
        last: int | None = strawberry.UNSET,
        before: str | None = strawberry.UNSET,
        offset: int | None = strawberry.UNSET,
        filter: CustomerFilterInput | None = strawberry.UNSET,
        order_by: CustomerOrder | None = DEFAULT_ORDER,
        search: str | None = strawberry.UNSET,
    ) -> CustomerConnection:
        connection = await _find_customers(
            info.context,
            first=_given(first),
            after=_given(after),
            last=_given(last),
            before=_given(before),
            offset=_given(offset),
            order=order_by,
            customer_filter=filter.to_domain() if isinstance(filter, CustomerFilterInput) else None,
            search=_given(search),
        )
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
            types=[str(kind) for kind in types],  # StrEnum: the wire name
            customer_uuid=None if customer_uuid is None else str(customer_uuid),
            limit_field="first",
            types_field="types",
        )
        return EventConnection.from_page(page)

    @strawberry.field(
        description="The merchant's webhook endpoints, newest first (needs the webhooks scope)."
    )
    async def webhook_endpoints(self, info: Info[GraphQLContext, None]) -> list[WebhookEndpoint]:
        context = info.context
        context.require(Access.MANAGE_WEBHOOKS)
        found = await context.webhooks.list_endpoints(merchant_id=context.merchant_id)
        return [WebhookEndpoint.from_domain(endpoint) for endpoint in found]

    @strawberry.field(description="A webhook endpoint by id, or null (needs the webhooks scope).")
    async def webhook_endpoint(
        self, info: Info[GraphQLContext, None], id: strawberry.ID
    ) -> WebhookEndpoint | None:
        context = info.context
        context.require(Access.MANAGE_WEBHOOKS)
        try:
            found = await context.webhooks.get_endpoint(merchant_id=context.merchant_id, endpoint_id=str(id))
        except NotFound:
            return None
        return WebhookEndpoint.from_domain(found)

    @strawberry.field(description="The object with this global id, or null when it names nothing of yours.")
    async def node(self, info: Info[GraphQLContext, None], id: strawberry.ID) -> Node | None:
        return (await _nodes(info, [id]))[0]

    @strawberry.field(
        description="The objects with these global ids (at most 100), in order; null for each id that "
        "names nothing of yours. One lookup per type, whatever the number of ids."
    )
    async def nodes(self, info: Info[GraphQLContext, None], ids: list[strawberry.ID]) -> list[Node | None]:
        return await _nodes(info, ids)


async def _nodes(info: Info[GraphQLContext, None], ids: list[strawberry.ID]) -> list[Node | None]:
    context = info.context
    found = await context.customers.finder.nodes(merchant_id=context.merchant_id, ids=ids)
    views: list[Node | None] = []
    for item in found:
        if isinstance(item, domain.PaymentMethod):
            context.require(Access.READ_PAYMENT_METHODS)
            views.append(PaymentMethod.from_domain(item))
        else:
            views.append(None if item is None else Customer.from_domain(item))
    return views
