"""REST endpoints: read the request, authenticate, call the service, hand the result to `wire`.

No rules and no SQL here: validation lives in `app.customers.rules` (reached through the service), and a
DomainError raised below is translated once by `app.rest.errors`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from app.auth import Access, Principal
from app.customers.rules import NullMeans
from app.errors import DomainError, ErrorCode, FieldError, InvalidInput
from app.http import json_codec
from app.http.authentication import authenticate_request
from app.http.body import read_body
from app.http.request_text import check_request_text
from app.ratelimit.errors import RateLimited
from app.ratelimit.headers import rate_limit_headers
from app.ratelimit.rules import Budget
from app.rest import wire
from app.rest.errors import domain_error_response
from app.rest.idempotency import keyed_write
from app.runtime import Services
from app.text.client_text import check_texts

# Methods that change data: replay protection and Idempotency-Key apply to them (not to the token route).
WRITE_METHODS = frozenset({"POST", "DELETE"})

# handler(request, services, merchant_id, raw body); merchant_id is 0 on the unauthenticated token route.
Handler = Callable[[Request, Services, int, bytes], Awaitable[Response]]


@dataclass(frozen=True, slots=True)
class Operation:
    """One method of one path: its handler and what it does, which decides the scopes it needs
    (None: no Authorization at all)."""

    handler: Handler
    access: Access | None


def decode_object(body: bytes) -> dict[str, Any]:
    """The body as a JSON object; malformed JSON or any other JSON value is an invalid-request."""
    try:
        data = json_codec.loads(body)
    except (ValueError, RecursionError):  # also invalid UTF-8 and absurdly deep nesting
        message = "request body must be valid JSON"
        raise InvalidInput(message, [FieldError("body", ErrorCode.INVALID_JSON, message)]) from None
    if not isinstance(data, dict):
        message = "request body must be a JSON object"
        raise InvalidInput(message, [FieldError("body", ErrorCode.INVALID_BODY, message)])
    check_texts(data)
    return data


def dispatcher(operations: Mapping[str, Operation]) -> Callable[[Request], Awaitable[Response]]:
    """One Starlette endpoint for one path: picks the operation by method, then authenticates.

    Starlette has already answered 405 for methods outside `operations`. The body is read before
    authenticating because a WP3-v2.1 signature covers it.
    """
    table = dict(operations)
    if "GET" in table:
        table.setdefault("HEAD", table["GET"])

    async def endpoint(request: Request) -> Response:
        operation = table[request.method]
        services: Services = request.app.state.services
        body = await read_body(request, services.settings.max_body_bytes)
        if operation.access is None:
            check_request_text(request)
            return await operation.handler(request, services, 0, body)
        principal = await authenticate_request(request, services.merchants, body)
        # Charged once the merchant is known: every authenticated request counts, refused ones included.
        decision = await services.rate_limits.charge(
            merchant_id=principal.merchant_id, budget=Budget.REST, points=1
        )
        if not decision.allowed:
            raise RateLimited(decision)
        try:
            response = await _authorized(
                request, services, principal, operation.access, operation.handler, body
            )
        except DomainError as error:
            # Rendered here rather than by the app's handler so the answer keeps the rate-limit fields.
            response = domain_error_response(error)
        response.headers.update(rate_limit_headers(decision))
        return response

    return endpoint


async def _authorized(
    request: Request,
    services: Services,
    principal: Principal,
    access: Access,
    handler: Handler,
    body: bytes,
) -> Response:
    """Run a handler for an authenticated principal: its access, then replay and idempotency rules."""
    principal.require_access(access)
    check_request_text(request)
    if request.method in WRITE_METHODS:
        # A signed write is accepted once; an Idempotency-Key makes a retried write replay.
        await services.replays.accept_once(
            merchant_id=principal.merchant_id, authorization=request.headers.get("authorization")
        )
        return await keyed_write(request, services, principal.merchant_id, body, handler)
    return await handler(request, services, principal.merchant_id, body)


# --- access token -----------------------------------------------------------------------------------


def _text_or_none(data: Mapping[str, Any], key: str) -> str | None:
    """A string member of a JSON body; anything else counts as absent."""
    value = data.get(key)
    return value if isinstance(value, str) else None


async def issue_token(request: Request, services: Services, merchant_id: int, body: bytes) -> Response:
    """`POST /v2/oauth`: client credentials in the JSON body, no Authorization header."""
    data = decode_object(body)
    issued = await services.merchants.issue_token(
        grant_type=_text_or_none(data, "grant_type"),
        client_id=_text_or_none(data, "client_id"),
        client_secret=_text_or_none(data, "client_secret"),
        scopes=data.get("scopes"),
    )
    return wire.token_response(issued)


# --- customers --------------------------------------------------------------------------------------


async def list_customers(request: Request, services: Services, merchant_id: int, body: bytes) -> Response:
    """`GET /v2/customers?limit&offset`: raw query strings go to the service, which validates them."""
    query = request.query_params
    page = await services.customers.list_customers(
        merchant_id=merchant_id, limit=query.get("limit"), offset=query.get("offset")
    )
    return wire.customer_list_response(page.items)


async def search_customers(request: Request, services: Services, merchant_id: int, body: bytes) -> Response:
    """`GET /v2/customers/search?query&limit&offset&order` (extension): what GraphQL's `search` finds."""
    query = request.query_params
    found = await services.customers.finder.find(
        merchant_id=merchant_id,
        first=query.get("limit"),
        offset=query.get("offset"),
        order=query.get("order"),
        search=query.get("query", ""),
        first_field="limit",
        order_field="order",
        search_field="query",
    )
    return wire.customer_list_response(found.items)


async def create_customer(request: Request, services: Services, merchant_id: int, body: bytes) -> Response:
    """`POST /v2/customers`."""
    customer = await services.customers.create(merchant_id=merchant_id, data=decode_object(body))
    return wire.customer_response(customer)


async def get_customer(request: Request, services: Services, merchant_id: int, body: bytes) -> Response:
    """`GET /v2/customers/{uuid}`: deleted customers too, with `deleted: true`."""
    customer = await services.customers.get(merchant_id=merchant_id, uuid=request.path_params["uuid"])
    return wire.customer_response(customer)


async def get_customer_by_merchant_customer_id(
    request: Request, services: Services, merchant_id: int, body: bytes
) -> Response:
    """`GET /v2/merchants/customers/{merchant_customer_id}`: live customers only."""
    customer = await services.customers.get_by_merchant_customer_id(
        merchant_id=merchant_id, merchant_customer_id=request.path_params["merchant_customer_id"]
    )
    return wire.customer_response(customer)


async def update_customer(request: Request, services: Services, merchant_id: int, body: bytes) -> Response:
    """`POST /v2/customers/{uuid}`: REST keeps a field sent as null (SDKs send every key on update)."""
    customer = await services.customers.update(
        merchant_id=merchant_id,
        uuid=request.path_params["uuid"],
        data=decode_object(body),
        null_means=NullMeans.KEEP,
    )
    return wire.customer_response(customer)


async def delete_customer(request: Request, services: Services, merchant_id: int, body: bytes) -> Response:
    """`DELETE /v2/customers/{uuid}`: soft delete; deleting again answers the same."""
    customer = await services.customers.delete(merchant_id=merchant_id, uuid=request.path_params["uuid"])
    return wire.deleted_customer_response(customer)


# --- payment methods --------------------------------------------------------------------------------


async def list_payment_methods(
    request: Request, services: Services, merchant_id: int, body: bytes
) -> Response:
    """`GET /v2/customers/{uuid}/payment-methods?limit&offset`."""
    query = request.query_params
    methods = await services.customers.list_payment_methods(
        merchant_id=merchant_id,
        customer_uuid=request.path_params["uuid"],
        limit=query.get("limit"),
        offset=query.get("offset"),
    )
    return wire.payment_method_list_response(methods)


async def add_payment_method(request: Request, services: Services, merchant_id: int, body: bytes) -> Response:
    """`POST /v2/customers/{uuid}/payment-methods` (extension): attach a tokenised card."""
    method = await services.customers.add_payment_method(
        merchant_id=merchant_id, customer_uuid=request.path_params["uuid"], data=decode_object(body)
    )
    return wire.payment_method_response(method)


async def remove_payment_method(
    request: Request, services: Services, merchant_id: int, body: bytes
) -> Response:
    """`DELETE /v2/customers/{uuid}/payment-methods/{id}` (extension)."""
    payment_method_id = request.path_params["payment_method_id"]
    await services.customers.remove_payment_method(
        merchant_id=merchant_id,
        customer_uuid=request.path_params["uuid"],
        payment_method_id=payment_method_id,
    )
    return wire.removed_payment_method_response(payment_method_id)


async def list_merchant_payment_methods(
    request: Request, services: Services, merchant_id: int, body: bytes
) -> Response:
    """`GET /v2/payment-methods?limit&offset` (extension): every card of the merchant."""
    query = request.query_params
    methods = await services.customers.list_merchant_payment_methods(
        merchant_id=merchant_id, limit=query.get("limit"), offset=query.get("offset")
    )
    return wire.payment_method_list_response(methods)
