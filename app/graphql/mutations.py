"""Root mutation fields. Each returns a union of its payload and the error members it can produce."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import Info

from app.customers.rules import NullMeans
from app.errors import DomainError
from app.graphql.context import GraphQLContext
from app.graphql.errors import ConflictError, NotFoundError, ValidationError, error_member
from app.graphql.inputs import AddPaymentMethodInput, CreateCustomerInput, UpdateCustomerInput, given_fields
from app.graphql.types import (
    Customer,
    CustomerPayload,
    PaymentMethod,
    PaymentMethodPayload,
    RemovePaymentMethodPayload,
)

CreateCustomerResult = Annotated[
    CustomerPayload | ValidationError | ConflictError, strawberry.union("CreateCustomerResult")
]
UpdateCustomerResult = Annotated[
    CustomerPayload | ValidationError | NotFoundError | ConflictError,
    strawberry.union("UpdateCustomerResult"),
]
DeleteCustomerResult = Annotated[CustomerPayload | NotFoundError, strawberry.union("DeleteCustomerResult")]
AddPaymentMethodResult = Annotated[
    PaymentMethodPayload | ValidationError | NotFoundError | ConflictError,
    strawberry.union("AddPaymentMethodResult"),
]
RemovePaymentMethodResult = Annotated[
    RemovePaymentMethodPayload | NotFoundError, strawberry.union("RemovePaymentMethodResult")
]


@strawberry.type
class Mutation:
    """Writes, always scoped to the calling merchant."""

    @strawberry.mutation(description="Create a customer.")
    async def create_customer(
        self, info: Info[GraphQLContext, None], input: CreateCustomerInput
    ) -> CreateCustomerResult:
        context = info.context
        try:
            created = await context.customers.create(
                merchant_id=context.merchant_id, data=given_fields(input)
            )
        except DomainError as error:
            return error_member(error, (ValidationError, ConflictError))
        return CustomerPayload(customer=Customer.from_domain(created))

    @strawberry.mutation(
        description="Change a customer: absent input fields keep their value, explicit nulls clear it."
    )
    async def update_customer(
        self, info: Info[GraphQLContext, None], uuid: strawberry.ID, input: UpdateCustomerInput
    ) -> UpdateCustomerResult:
        context = info.context
        try:
            updated = await context.customers.update(
                merchant_id=context.merchant_id,
                uuid=uuid,
                data=given_fields(input),
                null_means=NullMeans.CLEAR,
            )
        except DomainError as error:
            return error_member(error, (ValidationError, NotFoundError, ConflictError))
        return CustomerPayload(customer=Customer.from_domain(updated))

    @strawberry.mutation(
        description="Soft-delete a customer and remove its payment methods; deleting again answers the same."
    )
    async def delete_customer(
        self, info: Info[GraphQLContext, None], uuid: strawberry.ID
    ) -> DeleteCustomerResult:
        context = info.context
        try:
            deleted = await context.customers.delete(merchant_id=context.merchant_id, uuid=uuid)
        except DomainError as error:
            return error_member(error, (NotFoundError,))
        return CustomerPayload(customer=Customer.from_domain(deleted))

    @strawberry.mutation(
        description="Attach a tokenised card to a live customer (needs the payment-methods scope)."
    )
    async def add_payment_method(
        self,
        info: Info[GraphQLContext, None],
        customer_uuid: strawberry.ID,
        input: AddPaymentMethodInput,
    ) -> AddPaymentMethodResult:
        context = info.context
        context.require_payment_methods_scope()
        try:
            added = await context.customers.add_payment_method(
                merchant_id=context.merchant_id, customer_uuid=customer_uuid, data=given_fields(input)
            )
        except DomainError as error:
            return error_member(error, (ValidationError, NotFoundError, ConflictError))
        return PaymentMethodPayload(payment_method=PaymentMethod.from_domain(added))

    @strawberry.mutation(description="Detach a card from a customer (needs the payment-methods scope).")
    async def remove_payment_method(
        self, info: Info[GraphQLContext, None], customer_uuid: strawberry.ID, id: strawberry.ID
    ) -> RemovePaymentMethodResult:
        context = info.context
        context.require_payment_methods_scope()
        try:
            await context.customers.remove_payment_method(
                merchant_id=context.merchant_id, customer_uuid=customer_uuid, payment_method_id=id
            )
        except DomainError as error:
            return error_member(error, (NotFoundError,))
        return RemovePaymentMethodPayload(id=id, deleted=True)
