"""The Strawberry schema: types, resolvers and the execution context with the fast paths.

Requests do not go through `Schema.execute`: app/graphql/operations.py parses, validates (with the
depth, alias and token limits) and executes them on graphql-core directly. The module-level `schema` is
what `python -m app export-schema` prints; the limits do not change the SDL.
"""

from __future__ import annotations

import strawberry
from strawberry.schema.config import StrawberryConfig

from app.graphql.execution import FastFieldsExecutionContext
from app.graphql.mutations import Mutation
from app.graphql.queries import Query
from app.graphql.scalars import SCALAR_MAP


def build_schema() -> strawberry.Schema:
    """The gateway's schema."""
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        config=StrawberryConfig(scalar_map=SCALAR_MAP),
        execution_context_class=FastFieldsExecutionContext,
    )


schema = build_schema()

__all__ = ["build_schema", "schema"]
