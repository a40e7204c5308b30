"""GraphQL types of the events feed: the event, its connection (keyset cursors) and its filter."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.scalars import JSON

from app.events import domain
from app.events.cursors import encode_cursor
from app.graphql.types import PageInfo

EventType = strawberry.enum(domain.EventType, name="EventType", description="What happened.")


@strawberry.type(description="A committed change of a customer or one of its cards.")
class Event:
    id: strawberry.ID = strawberry.field(description="The event's id (`evt_...`), also its webhooks' id.")
    type: EventType  # type: ignore[valid-type]
    created_at: datetime
    customer_uuid: strawberry.ID
    data: JSON = strawberry.field(
        description="The customer or payment method as REST shows it after the change (a detached card: as "
        "it was)."
    )
    previous_attributes: JSON | None = strawberry.field(
        description="On CUSTOMER_UPDATED: the old values of the fields the update changed; null otherwise."
    )

    @classmethod
    def from_domain(cls, event: domain.Event) -> Event:
        """The GraphQL view of an event."""
        updated = event.type is domain.EventType.CUSTOMER_UPDATED
        return cls(
            id=strawberry.ID(event.id),
            type=event.type,
            created_at=event.created_at,
            customer_uuid=strawberry.ID(event.customer_uuid),
            data=JSON(event.data),
            previous_attributes=JSON(event.previous_attributes or {}) if updated else None,
        )


@strawberry.type
class EventEdge:
    cursor: str
    node: Event


@strawberry.type(description="A page of the merchant's events, newest first.")
class EventConnection:
    edges: list[EventEdge]
    nodes: list[Event]
    page_info: PageInfo

    @classmethod
    def from_page(cls, page: domain.EventPage) -> EventConnection:
        """A connection over one page from the service."""
        nodes = [Event.from_domain(item) for item in page.items]
        cursors = [encode_cursor(item) for item in page.items]
        return cls(
            edges=[EventEdge(cursor=cursor, node=node) for cursor, node in zip(cursors, nodes, strict=True)],
            nodes=nodes,
            page_info=PageInfo(
                has_next_page=page.has_next,
                has_previous_page=False,
                start_cursor=cursors[0] if cursors else None,
                end_cursor=cursors[-1] if cursors else None,
            ),
        )


@strawberry.input(name="EventFilter", description="Every given filter must match.")
class EventFilterInput:
    types: list[EventType] | None = strawberry.field(  # type: ignore[valid-type]
        default=strawberry.UNSET, description="Events of any of these types."
    )
    customer_uuid: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="One customer's events."
    )
