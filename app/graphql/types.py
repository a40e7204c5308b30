"""Output types, each built from a domain object by `from_domain`; Strawberry camelCases field names."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, TypeVar

import strawberry
from strawberry import Info
from strawberry.scalars import JSON

from app.auth import Access
from app.customers import domain
from app.customers.finder import FoundPage
from app.customers.global_ids import NodeType, encode_global_id
from app.customers.listing_rules import CustomerQuery
from app.customers.ordering import CustomerOrder
from app.customers.rules import DEFAULT_PAGE_SIZE
from app.graphql.context import GraphQLContext
from app.graphql.engine import NO_SHORTCUT, shortcut

# The default page of a customer's payment methods (also what a page of customers primes).
PAYMENT_METHODS_FIRST = DEFAULT_PAGE_SIZE
T = TypeVar("T")


strawberry.enum(
    CustomerOrder,
    description="The orders of a customer list. Ties are broken by insertion, in the direction of the order: "
    "newest insert first for descending orders, oldest first for ascending ones.",
)


def _view(cls: type[T], attributes: dict[str, Any]) -> T:
    """An instance of an output type holding `attributes` (its fields' values by Python name), made
    without the dataclass `__init__`: half the cost, and a page makes 50 customers. A test checks that
    each type made this way is given exactly its fields (`ID` and `JSON` are the values themselves)."""
    view = object.__new__(cls)
    view.__dict__ = attributes
    return view


@strawberry.interface(
    description="An object with a global id (Relay's object identification): refetch it with `node(id:)`."
)
class Node:
    @strawberry.field(description="The object's opaque, stable global id.")
    @shortcut(lambda node, _context, _args: node.global_id())
    def id(self) -> strawberry.ID:
        return self.global_id()

    def global_id(self) -> strawberry.ID:
        """The object's global id (each implementing type makes its own)."""
        raise NotImplementedError


@strawberry.type(description="A tokenised card attached to a customer.")
class PaymentMethod(Node):
    uuid: strawberry.ID = strawberry.field(description="The card's own id, `id` in REST answers.")
    status: str = strawberry.field(description="`active`.")
    masked_pan: str = strawberry.field(description="First 6 and last 4 digits, e.g. `411111******1111`.")
    expiration_date: date = strawberry.field(description="The last day of the expiry month.")
    keep_until: date | None = strawberry.field(description="The date the token may be kept until.")
    token: str = strawberry.field(description="The vault token used to charge the card.")
    expired: bool = strawberry.field(description="True once expirationDate has passed (UTC).")
    customer_uuid: strawberry.ID
    created_at: datetime
    updated_at: datetime

    def global_id(self) -> strawberry.ID:
        """The card's global id, made when a query asks for it."""
        return strawberry.ID(encode_global_id(NodeType.PAYMENT_METHOD, self.uuid))

    @classmethod
    def from_domain(cls, method: domain.PaymentMethod) -> PaymentMethod:
        """The GraphQL view of a payment method."""
        return _view(
            cls,
            {
                "uuid": method.id,
                "status": method.status,
                "masked_pan": method.masked_pan,
                "expiration_date": method.expiration_date,
                "keep_until": method.keep_until,
                "token": method.token,
                "expired": method.expired,
                "customer_uuid": method.customer_uuid,
                "created_at": method.created_at,
                "updated_at": method.updated_at,
            },
        )


async def _prime_payment_methods(
    customers: list[Customer], context: GraphQLContext, args: dict[str, Any]
) -> None:
    """The batch of `paymentMethods` for direct answers: every customer's list in one statement."""
    if context.may_see_payment_methods:  # otherwise the hook declines and the resolver reports it
        first, offset = args.get("first"), args.get("offset")
        await context.payment_methods.prime((customer.internal_id, first, offset) for customer in customers)


@strawberry.type(description="A merchant's customer: every field REST shows, camelCased, plus its cards.")
class Customer(Node):
    internal_id: strawberry.Private[int]
    uuid: strawberry.ID = strawberry.field(description="The customer's public id (UUID v4, lower-case).")
    merchant_customer_id: str | None
    description: str | None
    email: str | None
    name: str | None
    phone: str | None
    metadata: JSON = strawberry.field(description="An object of string values, `{}` when empty.")
    zip_code: str | None
    city: str | None
    address: str | None
    country: str | None = strawberry.field(description="ISO 3166-1 alpha-2 code, upper-case.")
    deleted: bool
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None

    def global_id(self) -> strawberry.ID:
        """The customer's global id, made when a query asks for it (most pages never do)."""
        return strawberry.ID(encode_global_id(NodeType.CUSTOMER, self.uuid))

    @classmethod
    def from_domain(cls, customer: domain.Customer) -> Customer:
        """The GraphQL view of a customer."""
        return _view(
            cls,
            {
                "internal_id": customer.id,
                "uuid": customer.uuid,
                "merchant_customer_id": customer.merchant_customer_id,
                "description": customer.description,
                "email": customer.email,
                "name": customer.name,
                "phone": customer.phone,
                "metadata": customer.metadata,
                "zip_code": customer.zip_code,
                "city": customer.city,
                "address": customer.address,
                "country": customer.country,
                "deleted": customer.deleted,
                "created_at": customer.created_at,
                "updated_at": customer.updated_at,
                "deleted_at": customer.deleted_at,
            },
        )

    @strawberry.field(
        description="The customer's payment methods, newest first (needs the payment-methods scope). "
        "Batched: a page of customers costs one statement."
    )
    @shortcut(
        lambda customer, context, args: customer.loaded_payment_methods(context, args),
        batch=_prime_payment_methods,
    )
    def payment_methods(
        self,
        info: Info[GraphQLContext, None],
        first: int | None = PAYMENT_METHODS_FIRST,
        offset: int | None = 0,
    ) -> list[PaymentMethod]:
        context = info.context
        context.require(Access.READ_PAYMENT_METHODS)
        key = (self.internal_id, first, offset)
        loaded = context.payment_methods.loaded(key)
        if loaded is not None:  # primed by the page this customer is on: no coroutine needed
            return [PaymentMethod.from_domain(method) for method in loaded]
        return _load_payment_methods(context, key)  # type: ignore[return-value]  # graphql-core awaits it

    def loaded_payment_methods(self, context: GraphQLContext, args: dict[str, Any]) -> Any:
        """The shortcut of `paymentMethods` (app/graphql/engine/plans.py): the list when a page primed it."""
        if not context.may_see_payment_methods:
            return NO_SHORTCUT
        loaded = context.payment_methods.loaded((self.internal_id, args.get("first"), args.get("offset")))
        return NO_SHORTCUT if loaded is None else [PaymentMethod.from_domain(method) for method in loaded]


async def _load_payment_methods(
    context: GraphQLContext, key: tuple[int, int | None, int | None]
) -> list[PaymentMethod]:
    methods = await context.payment_methods.load(key)
    return [PaymentMethod.from_domain(method) for method in methods]


@strawberry.type(description="Where a page lies in its list (Relay's cursor connections).")
class PageInfo:
    has_next_page: bool = strawberry.field(
        description="Paging forwards: whether customers follow. Paging backwards: false."
    )
    has_previous_page: bool = strawberry.field(
        description="Paging backwards: whether customers come before. Paging forwards: true only past an "
        "`offset`."
    )
    start_cursor: str | None = strawberry.field(description="Pass as `before` to get the previous page.")
    end_cursor: str | None = strawberry.field(description="Pass as `after` to get the next page.")


@strawberry.type
class CustomerEdge:
    cursor: str
    node: Customer


@strawberry.type(description="A page of live customers in the chosen order.")
class CustomerConnection:
    @strawberry.field
    @shortcut(lambda connection, _context, _args: connection.build_edges())
    def edges(self) -> list[CustomerEdge]:
        return self.build_edges()

    def build_edges(self) -> list[CustomerEdge]:
        """The page's edges; built only when asked for: a page read through `nodes` makes no cursors."""
        return [
            CustomerEdge(cursor=self.found.cursor(item), node=node)
            for item, node in zip(self.found.items, self.nodes, strict=True)
        ]

    nodes: list[Customer]
    page_info: PageInfo
    found: strawberry.Private[FoundPage]

    @classmethod
    def from_found(cls, found: FoundPage) -> CustomerConnection:
        """A connection over one page from the finder."""
        items = found.items
        return cls(
            nodes=[Customer.from_domain(item) for item in items],
            page_info=PageInfo(
                has_next_page=found.has_next,
                has_previous_page=found.has_previous,
                start_cursor=found.cursor(items[0]) if items else None,
                end_cursor=found.cursor(items[-1]) if items else None,
            ),
            found=found,
        )

    @property
    def query(self) -> CustomerQuery:
        """The filter and search the page was read with."""
        return self.found.query

    @strawberry.field(
        description="How many live customers match the filter and search (counted only when asked for)."
    )
    async def total_count(self, info: Info[GraphQLContext, None]) -> int:
        context = info.context
        return await context.customers.finder.count(merchant_id=context.merchant_id, query=self.query)


@strawberry.type(description="The customer a mutation created, changed or deleted.")
class CustomerPayload:
    customer: Customer


@strawberry.type(description="The payment method just attached.")
class PaymentMethodPayload:
    payment_method: PaymentMethod


@strawberry.type(description="The payment method just removed.")
class RemovePaymentMethodPayload:
    id: strawberry.ID
    deleted: bool
