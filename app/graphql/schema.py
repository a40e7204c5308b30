"""The Strawberry schema with its production defences: parser and validation caches, depth (introspection
included), alias and token limits; unexpected errors are logged here and masked where responses are
made (app/graphql/errors.format_error). The alias limit is our own rule (see app/graphql/limits.py for
why not Strawberry's MaxAliasesLimiter).

`build_schema(settings)` makes the app's schema; the module-level `schema` (default Settings) is what
`python -m app export-schema` prints. The limits do not change the SDL.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable, Iterator
from typing import Any

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


class DocumentValidationCache(ValidationCache):
    """Strawberry's validation cache, looked up by the parsed document's identity first.

    Why: Strawberry's LRU key includes the document, and hashing a document walks its whole AST on
    every request (about a fifth of a small query's cost here). Documents come from the parser cache,
    so a repeated query arrives as the very same object; the entry keeps it alive, so its id cannot be
    reused by another document while the entry exists.
    """

    _by_document: OrderedDict[tuple[int, int, tuple[Any, ...]], tuple[Any, Any]] = OrderedDict()

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        schema, document, rules = context.schema._schema, context.graphql_document, context.validation_rules
        key = (id(schema), id(document), tuple(rules))
        entry = self._by_document.get(key)
        if entry is None or entry[0] is not document:
            entry = (document, self.cached_validate_document(schema, document, rules))
            self._by_document[key] = entry
            if len(self._by_document) > CACHE_SIZE:
                self._by_document.popitem(last=False)
        context.pre_execution_errors = entry[1]
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
        return DocumentValidationCache(maxsize=CACHE_SIZE)

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
