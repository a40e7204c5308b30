"""The Subscription root type: a merchant's customer events as they commit, over graphql-transport-ws.

Resolvers receive a `SubscriptionContext` (app/graphql/websocket.py builds it per websocket), never the
HTTP `GraphQLContext`: subscriptions run only over the websocket, and queries and mutations only over HTTP.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator
from dataclasses import dataclass, field
from typing import Any

import strawberry
from strawberry.types import Info

from app.auth import Principal
from app.events.hub import EventHub, HubClosed, SubscriberTooSlow
from app.graphql.event_types import Event, EventType

logger = logging.getLogger("app.graphql.subscriptions")


@dataclass
class SubscriptionContext:
    """One websocket's context: its `connection_init` payload and, once accepted, who is calling."""

    hub: EventHub
    connection_params: dict[str, Any] = field(default_factory=dict)
    principal: Principal | None = None

    @property
    def merchant_id(self) -> int:
        """The merchant whose events this connection receives (only set once the connection is accepted)."""
        if self.principal is None:
            # The protocol runs no operation before the connection is acknowledged, and acknowledging
            # it sets the principal; reaching this is a bug, not a client error.
            raise RuntimeError("subscription before the connection was authenticated")
        return self.principal.merchant_id


@strawberry.type(description="Live events, over the graphql-transport-ws protocol on /graphql.")
class Subscription:
    @strawberry.subscription(
        description="The merchant's events as they commit, oldest first, from the moment the subscription "
        "starts (read earlier ones with `events`). `types`: only events of these types."
    )
    async def customer_events(
        self,
        info: Info[SubscriptionContext, None],
        types: list[EventType] | None = None,  # type: ignore[valid-type]
    ) -> AsyncGenerator[Event, None]:
        context = info.context
        try:
            async with context.hub.subscribe(merchant_id=context.merchant_id, types=types or ()) as feed:
                async for event in feed:
                    yield Event.from_domain(event)
        except HubClosed:
            return  # shutting down: the subscription completes
        except SubscriberTooSlow:
            raise  # its message tells the client why its subscription ended
        except Exception:
            # The client sees a plain message, never the database's words; the log has the rest.
            logger.exception("subscription failed")
            raise SubscriptionFailed("Unexpected error; subscribe again.") from None


class SubscriptionFailed(Exception):
    """A subscription's feed broke on the server's side (the database was unreachable, say)."""
