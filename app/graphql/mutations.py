"""Root mutation fields. Each returns a union of its payload and the error members it can produce."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any, TypeVar

import strawberry
from strawberry import Info

from app.auth import Access
from app.customers import domain
from app.customers.global_ids import payment_method_key
from app.customers.rules import NullMeans
from app.errors import DomainError
from app.graphql.context import GraphQLContext
from app.graphql.errors import ConflictError, E, NotFoundError, ValidationError, error_member
from app.graphql.idempotency import ARGUMENT_DESCRIPTION as IDEMPOTENCY_KEY_DESCRIPTION
from app.graphql.idempotency import run_mutation
from app.graphql.inputs import AddPaymentMethodInput, CreateCustomerInput, UpdateCustomerInput, given_fields
from app.graphql.types import (
    Customer,
    CustomerPayload,
    PaymentMethod,
    PaymentMethodPayload,
    RemovePaymentMethodPayload,
)
from app.graphql.webhook_types import (
    CreatedWebhookEndpointPayload,
    CreateWebhookEndpointInput,
    UpdateWebhookEndpointInput,
    WebhookEndpoint,
    WebhookEndpointPayload,
)
from app.idempotency.outcomes import Result

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

CreateWebhookEndpointResult = Annotated[
    CreatedWebhookEndpointPayload | ValidationError, strawberry.union("CreateWebhookEndpointResult")
]
UpdateWebhookEndpointResult = Annotated[
    WebhookEndpointPayload | ValidationError | NotFoundError, strawberry.union("UpdateWebhookEndpointResult")
]
DeleteWebhookEndpointResult = Annotated[
    WebhookEndpointPayload | NotFoundError, strawberry.union("DeleteWebhookEndpointResult")
]


def _wire_event_types(data: dict[str, Any]) -> dict[str, Any]:
    """Input fields as the webhook service takes them: event types by their wire names."""
    if data.get("event_types") is not None:
        data["event_types"] = [str(kind) for kind in data["event_types"]]  # StrEnum: the wire name
    return data


# Every mutation takes one; the mechanism is shared with REST's Idempotency-Key header.
IdempotencyKey = Annotated[str | None, strawberry.argument(description=IDEMPOTENCY_KEY_DESCRIPTION)]

T = TypeVar("T", bound=Result)
# Spelled out: mypy would join a literal tuple of two member classes into every member.
_CREATE_ERRORS: tuple[type[ValidationError | ConflictError], ...] = (ValidationError, ConflictError)
_HOOK_UPDATE_ERRORS: tuple[type[ValidationError | NotFoundError], ...] = (ValidationError, NotFoundError)
P = TypeVar("P")


async def _mutate(
    context: GraphQLContext,
    *,
    mutation: str,
    arguments: dict[str, Any],
    key: str | None,
    execute: Callable[[], Awaitable[T]],
    payload: Callable[[T], P],
    errors: tuple[type[E], ...],
) -> P | E:
    """Run a mutation's service call (once per idempotency key when one is given) and answer with its
    payload, or with the union member for the domain error it raised (`errors`: the ones it lists)."""
    try:
        result = await run_mutation(
            context.idempotency,
            merchant_id=context.merchant_id,
            mutation=mutation,
            arguments=arguments,
            key=key,
            execute=execute,
        )
    except DomainError as error:
        return error_member(error, errors)
    return payload(result)


def _customer_payload(customer: domain.Customer) -> CustomerPayload:
    return CustomerPayload(customer=Customer.from_domain(customer))


def _payment_method_payload(method: domain.PaymentMethod) -> PaymentMethodPayload:
    return PaymentMethodPayload(payment_method=PaymentMethod.from_domain(method))


@strawberry.type
class Mutation:
    """Writes, always scoped to the calling merchant."""

    @strawberry.mutation(description="Create a customer.")
    async def create_customer(
        self,
        info: Info[GraphQLContext, None],
        input: CreateCustomerInput,
        idempotency_key: IdempotencyKey = None,
    ) -> CreateCustomerResult:
        context = info.context
        data = given_fields(input)
        return await _mutate(
            context,
            mutation="createCustomer",
            arguments={"input": data},
            key=idempotency_key,
            execute=lambda: context.customers.create(merchant_id=context.merchant_id, data=data),
            payload=_customer_payload,
            errors=_CREATE_ERRORS,
        )

    @strawberry.mutation(
        description="Change a customer: absent input fields keep their value, explicit nulls clear it."
    )
    async def update_customer(
        self,
        info: Info[GraphQLContext, None],
        uuid: strawberry.ID,
        input: UpdateCustomerInput,
        idempotency_key: IdempotencyKey = None,
    ) -> UpdateCustomerResult:
        context = info.context
        data = given_fields(input)
        return await _mutate(
            context,
            mutation="updateCustomer",
            arguments={"uuid": uuid, "input": data},
            key=idempotency_key,
            execute=lambda: context.customers.update(
                merchant_id=context.merchant_id, uuid=uuid, data=data, null_means=NullMeans.CLEAR
            ),
            payload=_customer_payload,
            errors=(ValidationError, NotFoundError, ConflictError),
        )

    @strawberry.mutation(
        description="Soft-delete a customer and remove its payment methods; deleting again answers the same."
    )
    async def delete_customer(
        self, info: Info[GraphQLContext, None], uuid: strawberry.ID, idempotency_key: IdempotencyKey = None
    ) -> DeleteCustomerResult:
        context = info.context
        return await _mutate(
            context,
            mutation="deleteCustomer",
            arguments={"uuid": uuid},
            key=idempotency_key,
            execute=lambda: context.customers.delete(merchant_id=context.merchant_id, uuid=uuid),
            payload=_customer_payload,
            errors=(NotFoundError,),
        )

    @strawberry.mutation(
        description="Attach a tokenised card to a live customer (needs the payment-methods scope)."
    )
    async def add_payment_method(
        self,
        info: Info[GraphQLContext, None],
        customer_uuid: strawberry.ID,
        input: AddPaymentMethodInput,
        idempotency_key: IdempotencyKey = None,
    ) -> AddPaymentMethodResult:
        context = info.context
        context.require(Access.WRITE_PAYMENT_METHODS)
        data = given_fields(input)
        return await _mutate(
            context,
            mutation="addPaymentMethod",
            arguments={"customerUuid": customer_uuid, "input": data},
            key=idempotency_key,
            execute=lambda: context.customers.add_payment_method(
                merchant_id=context.merchant_id, customer_uuid=customer_uuid, data=data
            ),
            payload=_payment_method_payload,
            errors=(ValidationError, NotFoundError, ConflictError),
        )

    @strawberry.mutation(description="Detach a card from a customer (needs the payment-methods scope).")
    async def remove_payment_method(
        self,
        info: Info[GraphQLContext, None],
        customer_uuid: strawberry.ID,
        id: strawberry.ID,
        idempotency_key: IdempotencyKey = None,
    ) -> RemovePaymentMethodResult:
        context = info.context
        context.require(Access.WRITE_PAYMENT_METHODS)
        return await _mutate(
            context,
            mutation="removePaymentMethod",
            arguments={"customerUuid": customer_uuid, "id": id},
            key=idempotency_key,
            execute=lambda: context.customers.remove_payment_method(
                merchant_id=context.merchant_id,
                customer_uuid=customer_uuid,
                payment_method_id=payment_method_key(id),
            ),
            payload=lambda _removed: RemovePaymentMethodPayload(id=id, deleted=True),
            errors=(NotFoundError,),
        )

    @strawberry.mutation(
        description="Register a webhook endpoint; the answer holds its signing secret, shown this once "
        "(needs the webhooks scope)."
    )
    async def create_webhook_endpoint(
        self, info: Info[GraphQLContext, None], input: CreateWebhookEndpointInput
    ) -> CreateWebhookEndpointResult:
        context = info.context
        context.require(Access.MANAGE_WEBHOOKS)
        try:
            created = await context.webhooks.create_endpoint(
                merchant_id=context.merchant_id, data=_wire_event_types(given_fields(input))
            )
        except DomainError as error:
            return error_member(error, (ValidationError,))
        return CreatedWebhookEndpointPayload(
            endpoint=WebhookEndpoint.from_domain(created.endpoint), secret=created.secret
        )

    @strawberry.mutation(
        description="Change a webhook endpoint, or enable it again (needs the webhooks scope)."
    )
    async def update_webhook_endpoint(
        self, info: Info[GraphQLContext, None], id: strawberry.ID, input: UpdateWebhookEndpointInput
    ) -> UpdateWebhookEndpointResult:
        context = info.context
        context.require(Access.MANAGE_WEBHOOKS)
        data = {name: value for name, value in given_fields(input).items() if value is not None}
        try:
            endpoint = await context.webhooks.update_endpoint(
                merchant_id=context.merchant_id, endpoint_id=str(id), data=_wire_event_types(data)
            )
        except DomainError as error:
            return error_member(error, _HOOK_UPDATE_ERRORS)
        return WebhookEndpointPayload(endpoint=WebhookEndpoint.from_domain(endpoint))

    @strawberry.mutation(
        description="Delete a webhook endpoint with its pending deliveries (needs the webhooks scope)."
    )
    async def delete_webhook_endpoint(
        self, info: Info[GraphQLContext, None], id: strawberry.ID
    ) -> DeleteWebhookEndpointResult:
        context = info.context
        context.require(Access.MANAGE_WEBHOOKS)
        try:
            endpoint = await context.webhooks.delete_endpoint(
                merchant_id=context.merchant_id, endpoint_id=str(id)
            )
        except DomainError as error:
            return error_member(error, (NotFoundError,))
        return WebhookEndpointPayload(endpoint=WebhookEndpoint.from_domain(endpoint))
