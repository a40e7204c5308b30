"""GraphQL operations for `/metrics`: which operation (by name) and how it ended.

Outcomes: `ok`; `invalid` (syntax, validation, limits: nothing ran); `user_error` (a domain error such as
a bad argument or an unknown customer); `forbidden`; `unauthenticated`; `bad_request` (refused before
reading the operation: malformed, too large, not JSON); `internal` (an unexpected failure, masked).
Union error members of mutations (ValidationError, ...) are data, so such a mutation counts as `ok`.

Operation names come from the client, so they are checked (a GraphQL name of at most 64 characters)
and capped per process: past MAX_OPERATION_NAMES distinct names, new ones are counted as `other`.
This module is GraphQL's: it reads documents and GraphQL errors, and only counts into the metric
`app.observability.metrics` defines (observability depends on no transport).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from graphql import GraphQLError
from graphql.language import Lexer, Source, TokenKind
from prometheus_client import Counter

from app.errors import DomainError, Forbidden, Unauthenticated
from app.graphql.errors import INTERNAL_CODE, is_unexpected
from app.observability.metrics import GRAPHQL_OPERATIONS

ANONYMOUS = "anonymous"
UNKNOWN = "unknown"
OTHER = "other"
MAX_OPERATION_NAMES = 200
_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]{0,63}")
_OPERATION_KEYWORDS = frozenset({"query", "mutation", "subscription"})
# The scan stops after this many tokens (documents are limited to 2000 tokens by default anyway).
_MAX_TOKENS_SCANNED = 5000

_seen_names: set[str] = set()


@lru_cache(maxsize=256)
def _document_operation_name(query: str) -> str:
    """The name of the first operation in a document, found by lexing (not parsing) up to it."""
    lexer = Lexer(Source(query))
    depth = 0  # selection-set braces
    parens = 0  # argument and variable lists, whose object values have braces of their own
    in_fragment_header = False  # after `fragment`, the next `{` opens its body, not a `{ ... }` query
    try:
        for _ in range(_MAX_TOKENS_SCANNED):
            token = lexer.advance()
            kind = token.kind
            if kind == TokenKind.EOF:
                return UNKNOWN
            if kind == TokenKind.PAREN_L:
                parens += 1
            elif kind == TokenKind.PAREN_R:
                parens -= 1
            elif parens:
                continue
            elif kind == TokenKind.BRACE_L:
                if depth == 0 and not in_fragment_header:
                    return ANONYMOUS  # the `{ ... }` shorthand
                depth += 1
                in_fragment_header = False
            elif kind == TokenKind.BRACE_R:
                depth -= 1
            elif depth == 0 and kind == TokenKind.NAME and not in_fragment_header:
                if token.value == "fragment":
                    in_fragment_header = True
                elif token.value in _OPERATION_KEYWORDS:
                    following = lexer.advance()
                    return str(following.value) if following.kind == TokenKind.NAME else ANONYMOUS
    except GraphQLError:  # a syntax error: the operation is counted as `invalid`, its name is unknown
        return UNKNOWN
    return UNKNOWN


def operation_label(query: str | None, operation_name: str | None) -> str:
    """The `operation` label: the requested operationName, else the document's first operation."""
    if query is None:
        return UNKNOWN
    name = operation_name if operation_name is not None else _document_operation_name(query)
    if name in (ANONYMOUS, UNKNOWN):
        return name
    if not _NAME.fullmatch(name):
        return UNKNOWN
    if name not in _seen_names:
        if len(_seen_names) >= MAX_OPERATION_NAMES:
            return OTHER
        _seen_names.add(name)
    return name


def outcome_of(errors: Sequence[GraphQLError] | None, *, executed: bool) -> str:
    """The outcome of an operation strawberry ran (`executed` False: it stopped before resolvers)."""
    if not errors:
        return "ok"
    if not executed:
        return "invalid"
    outcome = "invalid"
    for error in errors:
        original = error.original_error
        if is_unexpected(error) or (error.extensions or {}).get("code") == INTERNAL_CODE:
            return "internal"  # the worst outcome wins
        if isinstance(original, Forbidden):
            outcome = "forbidden"
        elif isinstance(original, Unauthenticated):
            outcome = "unauthenticated"
        elif isinstance(original, DomainError) and outcome == "invalid":
            outcome = "user_error"
    return outcome


def outcome_of_refusal(status: int) -> str:
    """The outcome of a request refused before execution, by its HTTP status."""
    if status == 401:
        return "unauthenticated"
    if status == 403:
        return "forbidden"
    if status == 429:
        return "rate_limited"
    if status >= 500:
        return "internal"
    return "bad_request"


_children: dict[tuple[str, str], Counter] = {}


def record_operation(operation: str, outcome: str) -> None:
    """Count one operation (label children are kept: names are capped, so this stays small)."""
    key = (operation, outcome)
    child = _children.get(key)
    if child is None:
        child = _children[key] = GRAPHQL_OPERATIONS.labels(operation, outcome)
    child.inc()
