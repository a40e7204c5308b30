"""The one table of every /v2 path -> method -> endpoint, with what each does (which decides the scopes
it needs, see `app.auth.GRANTS`; SPEC sections 2 and 4).

One Starlette route per path (not per method), so a wrong method on a known path answers 405 with an
`Allow` header naming every method the path has.
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.routing import BaseRoute, Route

from app.auth import Access
from app.rest import endpoints, events, openapi, webhooks
from app.rest.endpoints import Operation

READ = Access.READ_CUSTOMERS
WRITE = Access.WRITE_CUSTOMERS
READ_CARDS = Access.READ_PAYMENT_METHODS
WRITE_CARDS = Access.WRITE_PAYMENT_METHODS
HOOKS = Access.MANAGE_WEBHOOKS

ROUTE_TABLE: tuple[tuple[str, Mapping[str, Operation]], ...] = (
    # Token endpoint: credentials travel in the body, so no Authorization header (access None).
    ("/v2/oauth", {"POST": Operation(endpoints.issue_token, None)}),
    (
        "/v2/customers",
        {
            "GET": Operation(endpoints.list_customers, READ),
            "POST": Operation(endpoints.create_customer, WRITE),
        },
    ),
    # Extension: full-text search. Listed before /v2/customers/{uuid}, which would take "search" for a uuid.
    ("/v2/customers/search", {"GET": Operation(endpoints.search_customers, READ)}),
    (
        "/v2/customers/{uuid}",
        {
            "GET": Operation(endpoints.get_customer, READ),
            "POST": Operation(endpoints.update_customer, WRITE),
            "DELETE": Operation(endpoints.delete_customer, WRITE),
        },
    ),
    # `:path` so a merchant_customer_id holding a (percent-encoded) slash is still found.
    (
        "/v2/merchants/customers/{merchant_customer_id:path}",
        {"GET": Operation(endpoints.get_customer_by_merchant_customer_id, READ)},
    ),
    (
        "/v2/customers/{uuid}/payment-methods",
        {
            "GET": Operation(endpoints.list_payment_methods, READ_CARDS),
            # Extension: attach a tokenised card.
            "POST": Operation(endpoints.add_payment_method, WRITE_CARDS),
        },
    ),
    # Extension: detach one card.
    (
        "/v2/customers/{uuid}/payment-methods/{payment_method_id}",
        {"DELETE": Operation(endpoints.remove_payment_method, WRITE_CARDS)},
    ),
    # Extension: every card of the merchant.
    (
        "/v2/payment-methods",
        {"GET": Operation(endpoints.list_merchant_payment_methods, Access.LIST_MERCHANT_PAYMENT_METHODS)},
    ),
    # Extension: the events feed.
    ("/v2/events", {"GET": Operation(events.list_events, READ)}),
    ("/v2/events/{id}", {"GET": Operation(events.get_event, READ)}),
    # Extension: webhook endpoints and their delivery attempts.
    (
        "/v2/webhook-endpoints",
        {
            "GET": Operation(webhooks.list_endpoints, HOOKS),
            "POST": Operation(webhooks.create_endpoint, HOOKS),
        },
    ),
    (
        "/v2/webhook-endpoints/{id}",
        {
            "GET": Operation(webhooks.get_endpoint, HOOKS),
            "POST": Operation(webhooks.update_endpoint, HOOKS),
            "DELETE": Operation(webhooks.delete_endpoint, HOOKS),
        },
    ),
    ("/v2/webhook-endpoints/{id}/attempts", {"GET": Operation(webhooks.list_attempts, HOOKS)}),
    # The published contract, built from this table (the lambda defers the reference to it).
    ("/v2/openapi.json", {"GET": Operation(openapi.document_endpoint(lambda: ROUTE_TABLE), None)}),
)


def rest_routes() -> list[BaseRoute]:
    """The /v2 routes, built from ROUTE_TABLE."""
    return [
        Route(path, endpoints.dispatcher(operations), methods=list(operations))
        for path, operations in ROUTE_TABLE
    ]
