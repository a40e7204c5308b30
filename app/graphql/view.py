"""The /graphql route (placeholder until the GraphQL transport lands)."""

from __future__ import annotations

from starlette.routing import BaseRoute


def graphql_routes() -> list[BaseRoute]:
    """The /graphql route and the GraphiQL assets."""
    return []
