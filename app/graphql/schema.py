"""The Strawberry schema with its production defences: parser and validation caches, depth (introspection
included), alias and token limits, and masking of unexpected errors. The alias limit is our own rule
(see app/graphql/limits.py for why not Strawberry's MaxAliasesLimiter).

`build_schema(settings)` makes the app's schema; the module-level `schema` (default Settings) is what
`python -m app export-schema` prints. The limits do not change the SDL.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import strawberry
from graphql import GraphQLError
from graphql.validation import MaxIntrospectionDepthRule
from strawberry.extensions import (
    AddValidationRules,
    MaskErrors,
    MaxTokensLimiter,
    ParserCache,
    SchemaExtension,
    ValidationCache,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

from app.graphql.errors import INTERNAL_CODE, MASKED_MESSAGE, is_unexpected
from app.graphql.limits import alias_limit_rule, depth_limit_rule
from app.graphql.mutations import Mutation
from app.graphql.queries import Query
from app.graphql.scalars import SCALAR_MAP
from app.settings import Settings

logger = logging.getLogger("app.graphql")

# Distinct documents kept parsed and validated; bounded so unique query texts cannot grow memory.
CACHE_SIZE = 256


class MaskUnexpectedErrors(MaskErrors):
    """Replaces errors that escaped a resolver with a bare message; domain and request errors stay."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=is_unexpected, error_message=MASKED_MESSAGE)

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        """The masked error: message, location and path only, plus the internal-error code."""
        masked = super().anonymise_error(error)
        masked.extensions = {"code": INTERNAL_CODE}
        return masked


class GatewaySchema(strawberry.Schema):
    """Logs only unexpected errors (with their traceback); client mistakes are not server problems."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        for error in errors:
            if is_unexpected(error):
                logger.error("GraphQL resolver failed at %s", error.path, exc_info=error.original_error)


def _extensions(settings: Settings) -> list[Callable[[], SchemaExtension]]:
    """Per-request extension factories over validation rules built once (the validation cache is keyed
    by the rule classes, so rebuilding them per request would make every lookup miss)."""
    rules = (
        depth_limit_rule(settings.graphql_max_depth),
        MaxIntrospectionDepthRule,
        alias_limit_rule(settings.graphql_max_aliases),
    )
    max_tokens = settings.graphql_max_tokens

    def limits() -> SchemaExtension:
        return AddValidationRules(list(rules))

    def tokens() -> SchemaExtension:
        return MaxTokensLimiter(max_token_count=max_tokens)

    def parser_cache() -> SchemaExtension:
        return ParserCache(maxsize=CACHE_SIZE)

    def validation_cache() -> SchemaExtension:
        return ValidationCache(maxsize=CACHE_SIZE)

    return [tokens, parser_cache, limits, validation_cache, MaskUnexpectedErrors]


def build_schema(settings: Settings) -> strawberry.Schema:
    """The schema with the limits of `settings`."""
    return GatewaySchema(
        query=Query,
        mutation=Mutation,
        extensions=_extensions(settings),
        config=StrawberryConfig(scalar_map=SCALAR_MAP),
    )


schema = build_schema(Settings())

__all__ = ["build_schema", "schema"]
