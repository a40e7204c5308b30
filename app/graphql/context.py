"""The per-request GraphQL context: who is calling, the service, and this request's DataLoaders."""

from __future__ import annotations

from dataclasses import dataclass

from strawberry.dataloader import DataLoader

from app.auth import Principal, Scope
from app.customers.domain import PaymentMethod
from app.customers.service import CustomerService
from app.graphql.loaders import PaymentMethodsKey, payment_methods_loader


@dataclass(frozen=True)
class GraphQLContext:
    """Built once per HTTP request, after authentication; resolvers reach the service only through it.

    The service opens a connection per call, so resolvers running concurrently never share a session.
    """

    principal: Principal
    customers: CustomerService
    payment_methods: DataLoader[PaymentMethodsKey, list[PaymentMethod]]

    @classmethod
    def for_request(cls, principal: Principal, customers: CustomerService) -> GraphQLContext:
        """A fresh context (and fresh DataLoader caches) for one request."""
        return cls(
            principal=principal,
            customers=customers,
            payment_methods=payment_methods_loader(customers, merchant_id=principal.merchant_id),
        )

    @property
    def merchant_id(self) -> int:
        """The merchant every query of this request is scoped to."""
        return self.principal.merchant_id

    def require_payment_methods_scope(self) -> None:
        """Raise Forbidden unless the caller may see and change payment methods."""
        self.principal.require(Scope.CUSTOMERS, Scope.PAYMENT_METHODS)
