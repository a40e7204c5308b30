"""The Strawberry schema with its production defences: parser and validation caches, depth (introspection
included), alias and token limits; unexpected errors are logged here and masked where responses are
made (app/graphql/errors.format_error). The alias limit is our own rule (see app/graphql/limits.py for
why not Strawberry's MaxAliasesLimiter).

`build_schema(settings)` makes the app's schema; the module-level `schema` (default Settings) is what
`python -m app export-schema` prints. The limits do not change the SDL.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator

import strawberry
from graphql import GraphQLError
from graphql.validation import ASTValidationRule, MaxIntrospectionDepthRule
from strawberry.extensions import ParserCache, SchemaExtension, ValidationCache
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

from app.graphql.errors import is_unexpected
from app.graphql.execution import FastFieldsExecutionContext
from app.graphql.limits import alias_limit_rule, depth_limit_rule
from app.graphql.mutations import Mutation
from app.graphql.queries import Query
from app.graphql.scalars import SCALAR_MAP
from app.settings import Settings

logger = logging.getLogger("app.graphql")

# Distinct documents kept parsed and validated; bounded so unique query texts cannot grow memory.
CACHE_SIZE = 256


class OperationLimits(SchemaExtension):
    """The parser's token limit and the depth/alias validation rules, set in one hook.

    One extension instead of Strawberry's MaxTokensLimiter plus AddValidationRules: Strawberry builds
    each extension's hooks on every request, and that machinery was a quarter of a small query's cost.
    """

    def __init__(self, max_tokens: int, rules: tuple[type[ASTValidationRule], ...]) -> None:
        self.max_tokens = max_tokens
        self.rules = rules

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context
        context.parse_options["max_tokens"] = self.max_tokens
        context.validation_rules = (*context.validation_rules, *self.rules)
        yield


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
    by the rule classes, so rebuilding them per request would make every lookup miss). Unexpected errors
    are masked where responses are made (app/graphql/errors.format_error)."""
    rules = (
        depth_limit_rule(settings.graphql_max_depth),
        MaxIntrospectionDepthRule,
        alias_limit_rule(settings.graphql_max_aliases),
    )
    max_tokens = settings.graphql_max_tokens

    def limits() -> SchemaExtension:
        return OperationLimits(max_tokens, rules)

    def parser_cache() -> SchemaExtension:
        return ParserCache(maxsize=CACHE_SIZE)

    def validation_cache() -> SchemaExtension:
        return ValidationCache(maxsize=CACHE_SIZE)

    return [limits, parser_cache, validation_cache]


def build_schema(settings: Settings) -> strawberry.Schema:
    """The schema with the limits of `settings`."""
    return GatewaySchema(
        query=Query,
        mutation=Mutation,
        extensions=_extensions(settings),
        config=StrawberryConfig(scalar_map=SCALAR_MAP),
        execution_context_class=FastFieldsExecutionContext,
    )


schema = build_schema(Settings())

__all__ = ["build_schema", "schema"]
