"""Query texts parsed and validated once: the prepared document and the bounded cache that keeps them.

Why a cache of our own: Strawberry's pipeline parses and validates per request (its validation cache is
keyed by rule classes and missed whenever rules were rebuilt), and the replay check needs the parsed
document before execution anyway. A syntax or validation error is kept too: it is an answer with
`errors` and no `data`, as the GraphQL spec asks, and a repeated bad document costs nothing either.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from graphql import DocumentNode, GraphQLError, GraphQLSchema, parse

from app.graphql.cost import operation_costs
from app.graphql.engine._compat import OperationType, operation_type, validate
from app.graphql.engine.plans import DocumentPlans

# Distinct query texts kept parsed and validated; bounded so unique texts cannot grow memory.
CACHE_SIZE = 256


@dataclass(frozen=True, eq=False)
class PreparedDocument:
    """One query text, parsed and validated: `document` is None when it did not parse.

    `plans` is what executions of the document learn and keep for the next ones (the fast executor's);
    `costs` what each operation of a valid document costs, by name (app/graphql/cost.py): computed once
    here, so rate limiting charges it without another walk.
    """

    document: DocumentNode | None
    errors: tuple[GraphQLError, ...]
    plans: DocumentPlans | None = None
    costs: Mapping[str | None, int] = field(default_factory=dict)

    def operation_type(self, operation_name: str | None) -> OperationType | None:
        """The type of the operation a request would run (the first one when no name is given)."""
        return None if self.document is None else operation_type(self.document, operation_name)

    def cost(self, operation_name: str | None) -> int | None:
        """What the operation a request would run costs; None when the document has no such operation."""
        if operation_name is None and len(self.costs) == 1:
            return next(iter(self.costs.values()))
        return self.costs.get(operation_name)

    def is_mutation(self, operation_name: str | None) -> bool:
        """True when the request would run a mutation (signed writes are accepted once)."""
        return self.operation_type(operation_name) == OperationType.MUTATION


class DocumentCache:
    """Parses and validates query texts against one schema with one set of rules, keeping the latest."""

    def __init__(
        self, schema: GraphQLSchema, rules: Sequence[type], *, max_tokens: int, size: int | None = None
    ) -> None:
        self.schema = schema
        # Built once: rebuilding rules per request is what made Strawberry's validation cache miss.
        self.rules = tuple(rules)
        self.max_tokens = max_tokens
        self.size = CACHE_SIZE if size is None else size
        self._prepared: OrderedDict[str, PreparedDocument] = OrderedDict()

    def prepare(self, query: str) -> PreparedDocument:
        """The query text parsed and validated, from the cache when it was seen recently."""
        prepared = self._prepared.get(query)
        if prepared is not None:
            self._prepared.move_to_end(query)
            return prepared
        prepared = self._parse_and_validate(query)
        self._prepared[query] = prepared
        if len(self._prepared) > self.size:
            self._prepared.popitem(last=False)
        return prepared

    def cached_texts(self) -> list[str]:
        """The query texts currently kept, oldest first."""
        return list(self._prepared)

    def _parse_and_validate(self, query: str) -> PreparedDocument:
        try:
            document = parse(query, max_tokens=self.max_tokens)
        except GraphQLError as error:
            return PreparedDocument(None, (error,))
        except Exception as error:  # e.g. nesting deeper than Python's recursion limit
            return PreparedDocument(None, (GraphQLError(str(error), original_error=error),))
        errors = validate(self.schema, document, self.rules)
        if errors:
            return PreparedDocument(document, tuple(errors))
        costs = operation_costs(self.schema, document)
        return PreparedDocument(document, (), DocumentPlans(document), costs)
