"""The websocket side of /graphql: subscriptions over graphql-transport-ws, run by Strawberry's own
protocol handler and `schema.subscribe` (HTTP requests to /graphql go to app/graphql/view.py instead).

Order per connection: origin check (browsers: same origin or `GATEWAY_CORS_ORIGINS`; else the handshake
is refused with 403) -> `connection_init` within 10 s (else 4408) -> credentials: the payload's
`Authorization` (a Bearer token), else the upgrade request's `Authorization` header (Bearer, or a WP3-v2.1
signature of `GET /graphql` with an empty body) -> `customers` or `customers:read` scope -> this process's
cap on the merchant's connections -> `connection_ack`. Refusals close the socket: 4403 for credentials
and scopes, 4429 for the connection cap, each with a reason naming the problem. Then each `subscribe`
must be a subscription (queries and mutations go over HTTP) within the cap of operations per connection
(else an `error` message for that id). A Bearer token is checked again every `TOKEN_CHECK_SECONDS`, and
the connection closed with 4403 once it has expired.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from contextlib import suppress
from datetime import timedelta
from typing import Any

import strawberry
from graphql import GraphQLError, OperationDefinitionNode, OperationType
from graphql.validation import ValidationRule
from starlette.types import Receive, Send
from starlette.types import Scope as ASGIScope
from starlette.websockets import WebSocket
from strawberry.asgi import ASGIWebSocketAdapter, GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.extensions import AddValidationRules, MaxAliasesLimiter, MaxTokensLimiter
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types import ExecutionContext
from strawberry.types.unset import UNSET, UnsetType

from app.auth import BEARER_SCHEME, Access, unauthenticated
from app.errors import Forbidden, Unauthenticated
from app.events.hub import EventHub
from app.graphql.schema import build_schema
from app.graphql.subscriptions import SubscriptionContext
from app.http.authentication import request_target
from app.merchants.service import MerchantService
from app.settings import Settings

FORBIDDEN = 4403
TOO_MANY_CONNECTIONS = 4429
CONNECTION_INIT_SECONDS = 10
# How often an accepted connection's Bearer token is checked again (it closes with 4403 once invalid).
TOKEN_CHECK_SECONDS = 30.0
# Where a refusal's close code and reason wait for the adapter (the protocol handler closes with 4403).
_REFUSAL = "gateway.websocket_refusal"
# A close frame's reason is at most 123 bytes.
_REASON_BYTES = 123

logger = logging.getLogger("app.graphql.websocket")


class OnlySubscriptions(ValidationRule):
    """Queries and mutations run over HTTP, with the engine's limits, rate limits and idempotency."""

    def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
        if node.operation is not OperationType.SUBSCRIPTION:
            self.report_error(
                GraphQLError(
                    f"only subscriptions run over the websocket; send a {node.operation.value} "
                    "over HTTP (POST /graphql)",
                    node,
                )
            )


class SubscriptionSchema(strawberry.Schema):
    """The schema as the websocket runs it: client mistakes (a query sent here, a document over the
    limits) go back to the client and stay out of the server's error log; failures of the feed itself
    are logged where they happen (app/graphql/subscriptions.py)."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Log nothing: every error here was already answered to the client, or logged at its source."""


class MerchantConnections:
    """How many accepted websockets each merchant holds open in this process, under a cap."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._open: dict[int, int] = {}

    def acquire(self, merchant_id: int) -> bool:
        """Count one more connection of the merchant; False (and nothing counted) at the cap."""
        held = self._open.get(merchant_id, 0)
        if held >= self.limit:
            return False
        self._open[merchant_id] = held + 1
        return True

    def release(self, merchant_id: int) -> None:
        """One connection of the merchant has closed."""
        held = self._open.get(merchant_id, 0) - 1
        if held > 0:
            self._open[merchant_id] = held
        else:
            self._open.pop(merchant_id, None)

    def held(self, merchant_id: int) -> int:
        """The merchant's open connections."""
        return self._open.get(merchant_id, 0)


def _close_reason(text: str) -> str:
    return text.encode()[:_REASON_BYTES].decode(errors="ignore")


def _refuse(websocket: WebSocket, code: int, reason: str) -> ConnectionRejectionError:
    websocket.scope[_REFUSAL] = (code, _close_reason(reason))
    return ConnectionRejectionError()


class _RefusingAdapter(ASGIWebSocketAdapter):
    """Closes with the code and reason `on_ws_connect` chose instead of the handler's bare 4403."""

    async def close(self, code: int, reason: str) -> None:
        refusal = self.ws.scope.pop(_REFUSAL, None)
        if code == FORBIDDEN and refusal is not None:
            code, reason = refusal
        await super().close(code, reason)


def _payload_authorization(params: Mapping[str, Any]) -> str | None:
    for key, value in params.items():
        if isinstance(key, str) and key.lower() == "authorization":
            return value if isinstance(value, str) else ""
    return None


class _WebSocketContext(SubscriptionContext):
    """The context plus what only this endpoint needs: the upgrade request and the connection slot."""

    def __init__(self, hub: EventHub, websocket: WebSocket) -> None:
        super().__init__(hub=hub)
        self.websocket = websocket
        self.watchdog: asyncio.Task[None] | None = None


class SubscriptionEndpoint(GraphQL[SubscriptionContext, None]):
    """The ASGI endpoint behind the websocket route of /graphql."""

    websocket_adapter_class = _RefusingAdapter

    def __init__(self, settings: Settings, merchants: MerchantService, hub: EventHub) -> None:
        super().__init__(
            build_schema(
                extensions=[
                    # Factories: Strawberry builds a fresh extension for each operation.
                    lambda: AddValidationRules([OnlySubscriptions]),
                    lambda: MaxAliasesLimiter(settings.graphql_max_aliases),
                    lambda: MaxTokensLimiter(settings.graphql_max_tokens),
                ],
                schema_class=SubscriptionSchema,
            ),
            graphql_ide=None,
            subscription_protocols=[GRAPHQL_TRANSPORT_WS_PROTOCOL],
            connection_init_wait_timeout=timedelta(seconds=CONNECTION_INIT_SECONDS),
            max_subscriptions_per_connection=settings.subscriptions_per_connection,
            allowed_origins=settings.cors_origins,
        )
        self.merchants = merchants
        self.hub = hub
        self.connections = MerchantConnections(settings.subscription_connections_per_merchant)

    async def __call__(self, scope: ASGIScope, receive: Receive, send: Send) -> None:
        """ASGI entry for websocket scopes; the connection's slot is given back however it ends."""
        websocket = WebSocket(scope, receive=receive, send=send)
        context = _WebSocketContext(self.hub, websocket)
        try:
            await self.run(websocket, context=context)
        finally:
            if context.watchdog is not None:
                context.watchdog.cancel()
                with suppress(asyncio.CancelledError):
                    await context.watchdog
            if context.principal is not None:
                self.connections.release(context.principal.merchant_id)

    async def _watch_token(self, websocket: WebSocket, authorization: str) -> None:
        """Close the connection once its Bearer token stops being valid (expired, or the merchant gone):
        a connection lives longer than a token, and must not outlive it by more than a check's interval."""
        while True:
            await asyncio.sleep(TOKEN_CHECK_SECONDS)
            try:
                principal = await self.merchants.authenticate(
                    authorization, fullpath=request_target(websocket), body=b""
                )
                principal.require_access(Access.READ_CUSTOMERS)
            except (Unauthenticated, Forbidden) as error:
                with suppress(Exception):  # the client may be closing at the same moment
                    await websocket.close(code=FORBIDDEN, reason=_close_reason(f"Forbidden: {error.message}"))
                return
            except Exception:
                # The database is unreachable, say: the token is checked again at the next interval.
                logger.warning("checking a subscription's token failed", exc_info=True)

    async def on_ws_connect(self, context: SubscriptionContext) -> UnsetType:
        """Accept the connection for an authenticated merchant under its cap, or close it saying why."""
        assert isinstance(context, _WebSocketContext)
        websocket = context.websocket
        authorization = _payload_authorization(context.connection_params)
        try:
            if authorization is None:
                authorization = websocket.headers.get("authorization")
            elif authorization.split(" ", 1)[0].lower() != BEARER_SCHEME.lower():
                # A signature covers a request target and body, which a connection_init payload has not.
                raise unauthenticated("connection_init takes a Bearer token (POST /v2/oauth)")
            principal = await self.merchants.authenticate(
                authorization, fullpath=request_target(websocket), body=b""
            )
            principal.require_access(Access.READ_CUSTOMERS)
        except (Unauthenticated, Forbidden) as error:
            raise _refuse(websocket, FORBIDDEN, f"Forbidden: {error.message}") from None
        if not self.connections.acquire(principal.merchant_id):
            limit = self.connections.limit
            raise _refuse(
                websocket,
                TOO_MANY_CONNECTIONS,
                f"Too many connections: this merchant already holds {limit} subscription websockets",
            )
        context.principal = principal
        if authorization is not None and authorization.split(" ", 1)[0].lower() == BEARER_SCHEME.lower():
            # Signatures have no expiry to watch (and their timestamp window is over in minutes).
            context.watchdog = asyncio.create_task(self._watch_token(websocket, authorization))
        return UNSET
