"""GraphQL types of webhook endpoints (scope `webhooks`): the endpoint, its attempts, inputs, payloads."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry import Info

from app.graphql.context import GraphQLContext
from app.graphql.event_types import EventType
from app.webhooks import domain


@strawberry.type(description="One try at delivering an event to an endpoint.")
class WebhookAttempt:
    event_id: strawberry.ID = strawberry.field(description="The event sent (also the `webhook-id` header).")
    attempt: int = strawberry.field(description="1 for the first try, 2 for the first retry, ...")
    succeeded: bool = strawberry.field(description="The endpoint answered 2xx in time.")
    status_code: int | None = strawberry.field(description="The endpoint's HTTP status; null without answer.")
    duration_ms: int
    error: str | None = strawberry.field(description="Why the attempt failed; null when it succeeded.")
    attempted_at: datetime

    @classmethod
    def from_domain(cls, attempt: domain.Attempt) -> WebhookAttempt:
        """The GraphQL view of an attempt."""
        return cls(
            event_id=strawberry.ID(attempt.event_id),
            attempt=attempt.attempt,
            succeeded=attempt.succeeded,
            status_code=attempt.status_code,
            duration_ms=attempt.duration_ms,
            error=attempt.error,
            attempted_at=attempt.attempted_at,
        )


@strawberry.type(description="A URL the merchant's events are POSTed to, signed per Standard Webhooks.")
class WebhookEndpoint:
    id: strawberry.ID = strawberry.field(description="The endpoint's id (`we_...`).")
    url: str
    description: str
    event_types: list[EventType] = strawberry.field(  # type: ignore[valid-type]
        description="The event types delivered; empty: every type."
    )
    enabled: bool = strawberry.field(description="False once deliveries kept failing, or when turned off.")
    disabled_reason: str | None
    created_at: datetime

    @strawberry.field(description="The latest delivery attempts to this endpoint, newest first.")
    async def attempts(
        self, info: Info[GraphQLContext, None], first: int | None = 20, offset: int | None = 0
    ) -> list[WebhookAttempt]:
        context = info.context
        page = await context.webhooks.list_attempts(
            merchant_id=context.merchant_id,
            endpoint_id=str(self.id),
            limit=first,
            offset=offset,
            limit_field="first",
        )
        return [WebhookAttempt.from_domain(attempt) for attempt in page.items]

    @classmethod
    def from_domain(cls, endpoint: domain.WebhookEndpoint) -> WebhookEndpoint:
        """The GraphQL view of an endpoint (never its secret)."""
        return cls(
            id=strawberry.ID(endpoint.id),
            url=endpoint.url,
            description=endpoint.description,
            event_types=list(endpoint.event_types),
            enabled=endpoint.enabled,
            disabled_reason=endpoint.disabled_reason,
            created_at=endpoint.created_at,
        )


@strawberry.input(description="A new webhook endpoint.")
class CreateWebhookEndpointInput:
    url: str = strawberry.field(description="Where events are POSTed: http(s), not a private address.")
    event_types: list[EventType] | None = strawberry.field(  # type: ignore[valid-type]
        default=strawberry.UNSET, description="The event types to deliver; absent or empty: every type."
    )
    description: str | None = strawberry.UNSET


@strawberry.input(description="Changes to a webhook endpoint; absent fields keep their value.")
class UpdateWebhookEndpointInput:
    url: str | None = strawberry.UNSET
    event_types: list[EventType] | None = strawberry.field(  # type: ignore[valid-type]
        default=strawberry.UNSET, description="The event types to deliver; empty: every type."
    )
    description: str | None = strawberry.UNSET
    enabled: bool | None = strawberry.field(
        default=strawberry.UNSET, description="true re-enables an endpoint disabled by failures."
    )


@strawberry.type(description="The endpoint just registered, and its signing secret, shown this once.")
class CreatedWebhookEndpointPayload:
    endpoint: WebhookEndpoint
    secret: str = strawberry.field(description="The Standard Webhooks secret (`whsec_...`) to verify with.")


@strawberry.type(description="The endpoint as changed, or as it was before it was deleted.")
class WebhookEndpointPayload:
    endpoint: WebhookEndpoint
