"""The REST contract as an OpenAPI 3.1 document, served at `GET /v2/openapi.json`.

Built from the route table (app/rest/routes.py) and the descriptions below, so a route without a
description fails at once (`build_document` raises) and the document can never list a route the app
does not serve. The body schemas live in app/rest/openapi_schemas.py.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from app.customers.ordering import DEFAULT_ORDER, CustomerOrder
from app.customers.rules import DEFAULT_PAGE_SIZE, MAX_OFFSET, MAX_PAGE_SIZE
from app.customers.search import MAX_SEARCH_LENGTH, MAX_SEARCH_WORDS
from app.events.domain import EventType
from app.idempotency.models import KEY_MAX_LENGTH
from app.rest.openapi_schemas import SCHEMAS, ref

OPENAPI_VERSION = "3.1.0"
_ERROR_WHEN = {
    400: "Invalid request: a field breaks a rule, malformed JSON, a reused Idempotency-Key, ...",
    401: "Missing or wrong credentials (the message mentions Authorization), or a replayed signed write.",
    403: "The access token lacks a scope this route needs.",
    404: "Unknown, malformed or another merchant's uuid.",
    409: "Another request with this Idempotency-Key is still running; retry later.",
    413: "Body over GATEWAY_MAX_BODY_BYTES.",
    429: "The merchant's rate limit for this window is spent; retry after `Retry-After` seconds.",
    500: "Unexpected failure; no internals.",
}


@dataclass(frozen=True)
class Parameter:
    """One query, path or header parameter."""

    name: str
    where: str
    schema: dict[str, Any]
    description: str = ""

    def render(self) -> dict[str, Any]:
        """The OpenAPI Parameter Object."""
        rendered = {
            "name": self.name,
            "in": self.where,
            "required": self.where == "path",
            "schema": self.schema,
        }
        if self.description:
            rendered["description"] = self.description
        return rendered


LIMIT = Parameter(
    "limit",
    "query",
    {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE, "default": DEFAULT_PAGE_SIZE},
)
OFFSET = Parameter("offset", "query", {"type": "integer", "minimum": 0, "maximum": MAX_OFFSET, "default": 0})
SEARCH_QUERY = Parameter(
    "query",
    "query",
    {"type": "string", "minLength": 1, "maxLength": MAX_SEARCH_LENGTH},
    f"Words to find (at most {MAX_SEARCH_WORDS}), each matching the beginning of a word, ignoring case.",
)
ORDER = Parameter(
    "order",
    "query",
    {"type": "string", "enum": [order.value for order in CustomerOrder], "default": DEFAULT_ORDER.value},
    "The order of the results (any case), as GraphQL's orderBy.",
)
UUID = Parameter("uuid", "path", {"type": "string"}, "The customer's uuid.")
MERCHANT_CUSTOMER_ID = Parameter("merchant_customer_id", "path", {"type": "string", "minLength": 1})
PAYMENT_METHOD_ID = Parameter("payment_method_id", "path", {"type": "string"})
EVENT_ID = Parameter("id", "path", {"type": "string"}, "The event's id (`evt_...`).")
EVENT_TYPE = Parameter(
    "type",
    "query",
    {"type": "string", "enum": [member.value for member in EventType]},
    "Only events of this type; repeat the parameter or separate types with commas for several.",
)
WEBHOOK_ID = Parameter("id", "path", {"type": "string"}, "The webhook endpoint's id (`we_...`).")
EVENT_CUSTOMER = Parameter("customer_uuid", "query", {"type": "string"}, "Only this customer's events.")
IDEMPOTENCY_KEY = Parameter(
    "Idempotency-Key",
    "header",
    {"type": "string", "minLength": 1, "maxLength": KEY_MAX_LENGTH, "pattern": "^[ -~]+$"},
    "Send the same key again (within 24 h) to get the first answer instead of a second write.",
)


@dataclass(frozen=True)
class OperationDoc:
    """What the document says about one method of one path."""

    summary: str
    response: str
    errors: Sequence[int]
    parameters: Sequence[Parameter] = ()
    request: str | None = None
    authenticated: bool = True
    extension: bool = False
    tags: Sequence[str] = field(default=("customers",))

    def render(self, operation_id: str) -> dict[str, Any]:
        """The OpenAPI Operation Object."""
        responses: dict[str, Any] = {
            "200": {
                "description": "Approved.",
                "content": {"application/json": {"schema": ref(self.response)}},
            }
        }
        # Every authenticated route is charged to the merchant's rate limit.
        limited = (429,) if self.authenticated else ()
        for status in sorted({*self.errors, *limited, 500}):
            schema = "InternalError" if status == 500 else "Error"
            responses[str(status)] = {
                "description": _ERROR_WHEN[status],
                "content": {"application/json": {"schema": ref(schema)}},
            }
        operation: dict[str, Any] = {
            "operationId": operation_id,
            "summary": self.summary + (" (extension: not in the original gateway)" if self.extension else ""),
            "tags": list(self.tags),
            "parameters": [parameter.render() for parameter in self.parameters],
            "responses": responses,
        }
        if self.request is not None:
            operation["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": ref(self.request)}},
            }
        if not self.authenticated:
            operation["security"] = []
        return operation


_READ = (401, 403)
_WRITE = (400, 401, 403, 409, 413)
_CARDS = ("payment methods",)
_EVENTS = ("events",)
_HOOKS = ("webhooks",)

# Every (path, method) of the route table. A route added there without an entry here fails the build.
OPERATIONS: Mapping[tuple[str, str], OperationDoc] = {
    ("/v2/oauth", "POST"): OperationDoc(
        "Trade client credentials for a Bearer token",
        "TokenResponse",
        (400, 401, 413),
        request="TokenRequest",
        authenticated=False,
        tags=("authentication",),
    ),
    ("/v2/customers", "GET"): OperationDoc(
        "List live customers, newest first", "CustomerList", (400, *_READ), (LIMIT, OFFSET)
    ),
    ("/v2/customers/search", "GET"): OperationDoc(
        "Search live customers: every word begins a word of name, email, merchant_customer_id, phone or city",
        "CustomerList",
        (400, *_READ),
        (SEARCH_QUERY, LIMIT, OFFSET, ORDER),
        extension=True,
    ),
    ("/v2/customers", "POST"): OperationDoc(
        "Create a customer", "Customer", _WRITE, (IDEMPOTENCY_KEY,), request="CustomerInput"
    ),
    ("/v2/customers/{uuid}", "GET"): OperationDoc(
        "Retrieve a customer (deleted ones too)", "Customer", (*_READ, 404), (UUID,)
    ),
    ("/v2/customers/{uuid}", "POST"): OperationDoc(
        "Update a customer: only the keys given",
        "Customer",
        (*_WRITE, 404),
        (UUID, IDEMPOTENCY_KEY),
        request="CustomerInput",
    ),
    ("/v2/customers/{uuid}", "DELETE"): OperationDoc(
        "Soft-delete a customer and its cards", "DeletedCustomer", (*_WRITE, 404), (UUID, IDEMPOTENCY_KEY)
    ),
    ("/v2/merchants/customers/{merchant_customer_id:path}", "GET"): OperationDoc(
        "Retrieve a live customer by merchant_customer_id", "Customer", (*_READ, 404), (MERCHANT_CUSTOMER_ID,)
    ),
    ("/v2/customers/{uuid}/payment-methods", "GET"): OperationDoc(
        "List a customer's cards, newest first",
        "PaymentMethodList",
        (400, *_READ, 404),
        (UUID, LIMIT, OFFSET),
        tags=_CARDS,
    ),
    ("/v2/customers/{uuid}/payment-methods", "POST"): OperationDoc(
        "Attach a tokenised card",
        "PaymentMethodEnvelope",
        (*_WRITE, 404),
        (UUID, IDEMPOTENCY_KEY),
        request="PaymentMethodInput",
        extension=True,
        tags=_CARDS,
    ),
    ("/v2/customers/{uuid}/payment-methods/{payment_method_id}", "DELETE"): OperationDoc(
        "Detach a card",
        "RemovedPaymentMethod",
        (*_WRITE, 404),
        (UUID, PAYMENT_METHOD_ID, IDEMPOTENCY_KEY),
        extension=True,
        tags=_CARDS,
    ),
    ("/v2/payment-methods", "GET"): OperationDoc(
        "List every card of the merchant, newest first",
        "PaymentMethodList",
        (400, *_READ),
        (LIMIT, OFFSET),
        extension=True,
        tags=_CARDS,
    ),
    ("/v2/events", "GET"): OperationDoc(
        "List the merchant's events, newest first",
        "EventList",
        (400, *_READ),
        (LIMIT, OFFSET, EVENT_TYPE, EVENT_CUSTOMER),
        extension=True,
        tags=_EVENTS,
    ),
    ("/v2/events/{id}", "GET"): OperationDoc(
        "Retrieve an event", "EventEnvelope", (*_READ, 404), (EVENT_ID,), extension=True, tags=_EVENTS
    ),
    ("/v2/webhook-endpoints", "GET"): OperationDoc(
        "List the merchant's webhook endpoints", "WebhookEndpointList", _READ, extension=True, tags=_HOOKS
    ),
    ("/v2/webhook-endpoints", "POST"): OperationDoc(
        "Register a webhook endpoint (the answer holds its signing secret, shown once)",
        "CreatedWebhookEndpoint",
        _WRITE,
        (IDEMPOTENCY_KEY,),
        request="WebhookEndpointInput",
        extension=True,
        tags=_HOOKS,
    ),
    ("/v2/webhook-endpoints/{id}", "GET"): OperationDoc(
        "Retrieve a webhook endpoint",
        "WebhookEndpointEnvelope",
        (*_READ, 404),
        (WEBHOOK_ID,),
        extension=True,
        tags=_HOOKS,
    ),
    ("/v2/webhook-endpoints/{id}", "POST"): OperationDoc(
        "Change or re-enable a webhook endpoint",
        "WebhookEndpointEnvelope",
        (*_WRITE, 404),
        (WEBHOOK_ID, IDEMPOTENCY_KEY),
        request="WebhookEndpointUpdate",
        extension=True,
        tags=_HOOKS,
    ),
    ("/v2/webhook-endpoints/{id}", "DELETE"): OperationDoc(
        "Delete a webhook endpoint, its pending deliveries and its attempts",
        "DeletedWebhookEndpoint",
        (*_WRITE, 404),
        (WEBHOOK_ID, IDEMPOTENCY_KEY),
        extension=True,
        tags=_HOOKS,
    ),
    ("/v2/webhook-endpoints/{id}/attempts", "GET"): OperationDoc(
        "List the attempts made to deliver to a webhook endpoint, newest first",
        "WebhookAttemptList",
        (400, *_READ, 404),
        (WEBHOOK_ID, LIMIT, OFFSET),
        extension=True,
        tags=_HOOKS,
    ),
    ("/v2/openapi.json", "GET"): OperationDoc(
        "This document", "OpenAPIDocument", (), authenticated=False, tags=("contract",)
    ),
}

_CONVERTER = re.compile(r"\{([^}:]+):[^}]+\}")


def openapi_path(route_path: str) -> str:
    """A Starlette route path as an OpenAPI path: `{name:path}` -> `{name}`."""
    return _CONVERTER.sub(r"{\1}", route_path)


def _operation_id(method: str, path: str) -> str:
    words = re.findall(r"[a-z0-9]+", openapi_path(path).replace("/v2/", "/"))
    return method.lower() + "".join(word.capitalize() for word in words)


def build_document(route_table: Sequence[tuple[str, Mapping[str, Any]]]) -> dict[str, Any]:
    """The OpenAPI document of every (path, method) in the route table."""
    paths: dict[str, Any] = {}
    for path, operations in route_table:
        item = paths.setdefault(openapi_path(path), {})
        for method in operations:
            item[method.lower()] = OPERATIONS[(path, method)].render(_operation_id(method, path))
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": "customers-gateway REST API",
            "version": "2",
            "description": "The payment gateway's /v2 Customers API, path for path, plus documented "
            "extensions. Authenticate with `Authorization: Bearer <token>` (from POST /v2/oauth) or a "
            "WP3-v2.1 signature. Every body is a JSON object carrying `status`.",
        },
        "paths": paths,
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "signature": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "Authorization",
                    "description": "`WP3-v2.1 <authenticity_token> <timestamp> <digest>`: digest is the hex "
                    "SHA-512 of merchant_key + timestamp + authenticity_token + raw target + raw body. "
                    "A signed write (POST, DELETE) is accepted once.",
                },
            },
        },
        "security": [{"bearer": []}, {"signature": []}],
    }


def document_endpoint(
    route_table: Callable[[], Sequence[tuple[str, Mapping[str, Any]]]],
) -> Callable[..., Any]:
    """The handler serving the document; `route_table` is read on first use (the table names this
    handler, so it cannot be passed in directly). The bytes are built once."""
    cached: list[bytes] = []

    async def serve_document(request: Request, *_ignored: Any) -> Response:
        if not cached:
            cached.append(json.dumps(build_document(route_table())).encode())
        return Response(cached[0], media_type="application/json")

    return serve_document
