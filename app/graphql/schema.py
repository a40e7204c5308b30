"""The Strawberry schema: types and resolvers, nothing about how operations are executed.

/graphql runs operations through app/graphql/engine (its own parse/validate cache, limits, deadline and
executor); the schema stays a stock Strawberry schema, so `schema.execute(...)` and
`schema.execute_sync(...)` work as Strawberry documents them (without the engine's limits). The
module-level `schema` is also what `python -m app export-schema` prints.
"""

from __future__ import annotations

import strawberry
from strawberry.schema.config import StrawberryConfig

from app.graphql.mutations import Mutation
from app.graphql.queries import Query
from app.graphql.scalars import SCALAR_MAP


def build_schema() -> strawberry.Schema:
    """The gateway's schema."""
    return strawberry.Schema(query=Query, mutation=Mutation, config=StrawberryConfig(scalar_map=SCALAR_MAP))


schema = build_schema()

__all__ = ["build_schema", "schema"]
