"""The GraphQL schema (placeholder until the GraphQL transport lands)."""

from __future__ import annotations

import strawberry


@strawberry.type
class Query:
    """Root query."""

    @strawberry.field(description="The API version.")
    def api_version(self) -> str:
        return "1"


schema = strawberry.Schema(query=Query)
