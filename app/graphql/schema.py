"""The Strawberry schema: types and resolvers, nothing about how operations are executed.

/graphql runs operations through app/graphql/engine (its own parse/validate cache, limits, deadline and
executor); the schema stays a stock Strawberry schema, so `schema.execute(...)` and
`schema.execute_sync(...)` work as Strawberry documents them (without the engine's limits). The
module-level `schema` is also what `python -m app export-schema` prints. Subscriptions run on the
websocket of /graphql with Strawberry's own `schema.subscribe` (app/graphql/websocket.py), on a schema
built here with that endpoint's validation extensions.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import strawberry
from strawberry.extensions import SchemaExtension
from strawberry.schema.config import StrawberryConfig

from app.graphql.mutations import Mutation
from app.graphql.queries import Query
from app.graphql.scalars import SCALAR_MAP
from app.graphql.subscriptions import Subscription


def build_schema(
    extensions: Sequence[type[SchemaExtension] | Callable[[], SchemaExtension]] = (),
    schema_class: type[strawberry.Schema] = strawberry.Schema,
) -> strawberry.Schema:
    """The gateway's schema (`extensions` and `schema_class`: what the websocket endpoint runs on)."""
    return schema_class(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        config=StrawberryConfig(scalar_map=SCALAR_MAP),
        extensions=list(extensions),
    )


schema = build_schema()

__all__ = ["build_schema", "schema"]
