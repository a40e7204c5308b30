"""The per-request GraphQL context: who is calling, the service, and this request's DataLoaders."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from app.auth import Access, Principal
from app.customers.service import CustomerService
from app.events.service import EventService
from app.graphql.loaders import PaymentMethodsLoader
from app.idempotency.service import IdempotencyService
from app.webhooks.service import WebhookService


@dataclass(frozen=True)
class GraphQLContext:
    """Built once per HTTP request, after authentication; resolvers reach the service only through it.

    The service opens a connection per call, so resolvers running concurrently never share a session.
    """

    principal: Principal
    customers: CustomerService
    # Runs mutations given an `idempotencyKey` once (app/graphql/idempotency.py).
    idempotency: IdempotencyService
    events: EventService
    webhooks: WebhookService

    @classmethod
    def for_request(
        cls,
        principal: Principal,
        customers: CustomerService,
        idempotency: IdempotencyService,
        *,
        events: EventService,
        webhooks: WebhookService,
    ) -> GraphQLContext:
        """A fresh context (and fresh DataLoader caches) for one request."""
        return cls(
            principal=principal,
            customers=customers,
            idempotency=idempotency,
            events=events,
            webhooks=webhooks,
        )

    @property
    def merchant_id(self) -> int:
        """The merchant every query of this request is scoped to."""
        return self.principal.merchant_id

    @cached_property
    def payment_methods(self) -> PaymentMethodsLoader:
        """This request's payment-methods loader, made when first asked for (most requests never do)."""
        return PaymentMethodsLoader(self.customers, merchant_id=self.principal.merchant_id)

    @cached_property
    def may_see_payment_methods(self) -> bool:
        """True when the caller holds the scopes payment-method fields need (asked once per customer of a
        page, so worked out once per request)."""
        return self.principal.may(Access.READ_PAYMENT_METHODS)

    def require(self, access: Access) -> None:
        """Raise Forbidden unless the caller's scopes allow this access."""
        self.principal.require_access(access)
