"""What an operation costs, computed from the document before anything runs, and the rule that refuses
operations costing more than the configured maximum.

The cost counts the fields an execution can resolve once every fragment is expanded: each field costs
one (scalars, `__typename` and objects alike), and everything below a list field is multiplied by the
number of items that list can hold:

- a field with a page size argument (`first`, `last` or `limit`): the literal value (capped at the
  product's largest page, since a larger one is refused); a variable counts as the largest page, since
  the cost is computed once per document, whatever variables later requests send; absent, the
  argument's default (or the product's default page size when it has none); `null` is the default page;
- a field whose type is not a list but takes a page size (a connection such as `customers`): that size
  applies to the lists directly in it (`nodes`, `edges`), not to `totalCount` or `pageInfo`;
- an introspection list: what the schema has. `__schema { types }` is summed type by type, and the
  lists of a type named by a literal (`__type(name: "Customer") { fields }`) are its own; elsewhere
  (`fields { type { fields } }`) each list counts as the longest of its kind in the schema;
- a list the product bounds itself (`BOUNDED_LISTS`: a merchant's webhook endpoints): that bound;
- any other list: `UNSIZED_LIST_ITEMS`.

On an interface or union, an object is of one concrete type, so a selection costs the most any of its
possible types would select. `@skip` and `@include` with a literal `true`/`false` are honoured; with a
variable the selection is counted (the dearer of the two outcomes).

The analysis is linear in the document, not in its expansion: the cost of each selection set is
computed once per (concrete type, page size or introspected type) and reused at every spread, and the
walk uses an explicit stack, so a long chain of fragments cannot exhaust Python's recursion limit.
Fragments that double at each level cost 2**levels without the walk doing 2**levels steps.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

from graphql import (
    BooleanValueNode,
    DirectiveLocation,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLError,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    InlineFragmentNode,
    IntValueNode,
    NullValueNode,
    OperationDefinitionNode,
    OperationType,
    SchemaMetaFieldDef,
    SelectionSetNode,
    StringValueNode,
    TypeMetaFieldDef,
    TypeNameMetaFieldDef,
    ValidationRule,
    get_named_type,
    get_nullable_type,
)
from graphql.language.visitor import SKIP
from graphql.pyutils import Undefined

from app.customers.rules import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from app.webhooks.rules import MAX_ENDPOINTS

# What one field costs, before the multipliers of the lists above it.
FIELD_COST = 1
# Arguments that bound how many items a list (or the lists of a connection) holds.
PAGE_SIZE_ARGUMENTS = ("first", "last", "limit")
# Items assumed for a list with no page size of its own: no list the product returns holds more than
# its largest page (e.g. a mutation's fieldErrors holds one entry per invalid input field).
UNSIZED_LIST_ITEMS = MAX_PAGE_SIZE
# (type, field) -> the most items the list can hold, for lists without a page size that are bounded.
BOUNDED_LISTS: dict[tuple[str, str], int] = {("Query", "webhookEndpoints"): MAX_ENDPOINTS}
# Costs saturate here: the largest integer every JSON client reads exactly, far above any sane limit.
COST_CEILING = 2**53 - 1
# `extensions.code` of the refusal, in the style of app/graphql/errors.py's top-level codes.
COST_ERROR_CODE = "QUERY_TOO_COSTLY"
# The lists of `__Type`, each null (no items) on the kinds of type it does not apply to.
_TYPE_LISTS = ("fields", "inputFields", "interfaces", "enumValues", "possibleTypes")

# What the lists directly in a selection hold, when the field above says: a page size (a connection's
# `first`), or the name of the schema type an introspection `__Type` selection describes.
_Scope = int | str | None
# (selection set, concrete or abstract type, scope)
_Request = tuple[SelectionSetNode, GraphQLNamedType, _Scope]
_Walk = Generator[_Request, int, int]


def operation_costs(schema: GraphQLSchema, document: DocumentNode) -> dict[str | None, int]:
    """The cost of each operation of the document, by operation name (None for an anonymous one).

    Meant for documents that validate; on others it still terminates and gives some figure (unknown
    fields cost one, unknown fragments nothing), and the validation errors say what is wrong.
    """
    analysis = CostAnalysis(schema, document)
    return {
        (definition.name.value if definition.name else None): analysis.operation_cost(definition)
        for definition in document.definitions
        if isinstance(definition, OperationDefinitionNode)
    }


class CostAnalysis:
    """The costs of one document's operations, sharing the memoised cost of every selection set."""

    def __init__(self, schema: GraphQLSchema, document: DocumentNode) -> None:
        self.schema = schema
        self.fragments = {
            definition.name.value: definition
            for definition in document.definitions
            if isinstance(definition, FragmentDefinitionNode)
        }
        self._costs: dict[tuple[int, str, _Scope], int] = {}
        self._introspection_sizes: dict[tuple[str, str], int] | None = None

    def operation_cost(self, operation: OperationDefinitionNode) -> int:
        """What one operation of the document costs (0 when the schema has no such root type)."""
        root = self.schema.get_root_type(OperationType(operation.operation.value))
        if root is None:
            return 0
        return self._evaluate((operation.selection_set, root, None))

    def _evaluate(self, request: _Request) -> int:
        """The cost of a selection set, walking sub-selections with an explicit stack and a memo."""
        top_key = _key(request)
        if top_key in self._costs:
            return self._costs[top_key]
        stack: list[tuple[tuple[int, str, _Scope], _Walk]] = [(top_key, self._walk(*request))]
        in_progress = {top_key}
        answer: int | None = None  # what the walk on top of the stack asked for (None to start it)
        while stack:
            key, walk = stack[-1]
            try:
                wanted = next(walk) if answer is None else walk.send(answer)
            except StopIteration as finished:
                stack.pop()
                in_progress.discard(key)
                self._costs[key] = answer = finished.value
                continue
            wanted_key = _key(wanted)
            if wanted_key in self._costs:
                answer = self._costs[wanted_key]
            elif wanted_key in in_progress:
                answer = 0  # a fragment cycle: graphql-core's NoFragmentCycles rule reports it
            else:
                in_progress.add(wanted_key)
                stack.append((wanted_key, self._walk(*wanted)))
                answer = None
        return answer or 0

    def _walk(self, selection_set: SelectionSetNode, of_type: GraphQLNamedType, scope: _Scope) -> _Walk:
        """Yields the sub-selections it needs the cost of, receives them, returns the total."""
        if isinstance(of_type, GraphQLInterfaceType | GraphQLUnionType):
            most = 0
            for possible in self.schema.get_possible_types(of_type):
                most = max(most, (yield (selection_set, possible, scope)))
            return most
        if not isinstance(of_type, GraphQLObjectType):
            return 0
        total = 0
        for selection in selection_set.selections:
            if not _included(selection):
                continue
            if isinstance(selection, FieldNode):
                total += yield from self._field(selection, of_type, scope)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                if condition is None or self._applies(condition.name.value, of_type):
                    total += yield (selection.selection_set, of_type, scope)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments.get(selection.name.value)
                if fragment is not None and self._applies(fragment.type_condition.name.value, of_type):
                    total += yield (fragment.selection_set, of_type, scope)
            total = min(total, COST_CEILING)
        return total

    def _field(self, node: FieldNode, parent: GraphQLObjectType, scope: _Scope) -> _Walk:
        """One field: one, plus its sub-selection times the items it can return."""
        field = self._definition(parent, node.name.value)
        if field is None or node.selection_set is None:
            return FIELD_COST
        below_type = get_named_type(field.type)
        requested = _requested_page_size(field, node)
        if not isinstance(get_nullable_type(field.type), GraphQLList):
            inner: _Scope = requested
            if field is TypeMetaFieldDef:
                inner = _literal_type_name(self.schema, node)
            return min(COST_CEILING, FIELD_COST + (yield (node.selection_set, below_type, inner)))
        if parent.name == "__Schema" and node.name.value == "types":
            # Summed type by type: each type's own fields, enum values, ... rather than the longest
            # of each times the number of types, which would overstate GraphiQL's query several times.
            total = FIELD_COST
            for name in self.schema.type_map:
                total = min(COST_CEILING, total + (yield (node.selection_set, below_type, name)))
            return total
        if requested is not None:
            items = requested
        elif isinstance(scope, int):
            items = scope
        else:
            items = self._unsized_items(parent.name, node.name.value, scope)
        return min(COST_CEILING, FIELD_COST + items * (yield (node.selection_set, below_type, None)))

    def _definition(self, parent: GraphQLObjectType, name: str) -> GraphQLField | None:
        """The field's definition, meta-fields included; None for a field the type does not have."""
        if name == "__typename":
            return TypeNameMetaFieldDef
        if parent is self.schema.query_type:
            if name == "__schema":
                return SchemaMetaFieldDef
            if name == "__type":
                return TypeMetaFieldDef
        return parent.fields.get(name)

    def _applies(self, type_name: str, concrete: GraphQLObjectType) -> bool:
        """True when a fragment on `type_name` selects fields of an object of type `concrete`."""
        condition = self.schema.get_type(type_name)
        if condition is concrete:
            return True
        return isinstance(condition, GraphQLInterfaceType | GraphQLUnionType) and self.schema.is_sub_type(
            condition, concrete
        )

    def _unsized_items(self, parent: str, field: str, scope: _Scope) -> int:
        """Items of a list with no page size: introspection lists are bounded by the schema itself."""
        if not parent.startswith("__"):
            return BOUNDED_LISTS.get((parent, field), UNSIZED_LIST_ITEMS)
        if isinstance(scope, str) and parent == "__Type":
            return introspected_list_size(self.schema, scope, field)
        if self._introspection_sizes is None:
            self._introspection_sizes = introspection_list_sizes(self.schema)
        return self._introspection_sizes.get((parent, field), UNSIZED_LIST_ITEMS)


def introspected_list_size(schema: GraphQLSchema, type_name: str, field: str) -> int:
    """How many items `__Type.<field>` lists for the named type of this schema (0 where it is null)."""
    named = schema.get_type(type_name)
    if isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
        if field == "fields":
            return len(named.fields)
        if field == "interfaces":
            return len(named.interfaces)
    if isinstance(named, GraphQLInputObjectType) and field == "inputFields":
        return len(named.fields)
    if isinstance(named, GraphQLEnumType) and field == "enumValues":
        return len(named.values)
    if isinstance(named, GraphQLInterfaceType | GraphQLUnionType) and field == "possibleTypes":
        return len(schema.get_possible_types(named))
    return 0 if field in _TYPE_LISTS else UNSIZED_LIST_ITEMS


def introspection_list_sizes(schema: GraphQLSchema) -> dict[tuple[str, str], int]:
    """The longest list each introspection list field can return for this schema (at least 1)."""
    sizes = {
        ("__Type", field): max(introspected_list_size(schema, name, field) for name in schema.type_map)
        for field in _TYPE_LISTS
    }
    fields = [
        field
        for named in schema.type_map.values()
        if isinstance(named, GraphQLObjectType | GraphQLInterfaceType)
        for field in named.fields.values()
    ]
    sizes[("__Schema", "types")] = len(schema.type_map)
    sizes[("__Schema", "directives")] = len(schema.directives)
    sizes[("__Field", "args")] = max((len(field.args) for field in fields), default=0)
    sizes[("__Directive", "args")] = max((len(d.args) for d in schema.directives), default=0)
    sizes[("__Directive", "locations")] = len(DirectiveLocation)
    return {key: max(size, 1) for key, size in sizes.items()}


def cost_limit_rule(max_cost: int) -> type[ValidationRule]:
    """A validation rule refusing operations that cost more than `max_cost` (see the module docstring).

    Build it once and reuse it: a rule class is what graphql-core instantiates per validation.
    """

    class CostLimit(ValidationRule):
        """Refuses each operation whose cost, fragments expanded, exceeds the configured maximum."""

        def enter_document(self, node: DocumentNode, *_args: Any) -> Any:
            analysis = CostAnalysis(self.context.schema, node)
            for operation in node.definitions:
                if not isinstance(operation, OperationDefinitionNode):
                    continue
                cost = analysis.operation_cost(operation)
                if cost > max_cost:
                    self.report_error(_too_costly(operation, cost, max_cost))
            return SKIP

    return CostLimit


def _too_costly(operation: OperationDefinitionNode, cost: int, max_cost: int) -> GraphQLError:
    label = f"Operation '{operation.name.value}': query" if operation.name else "Query"
    amount = f"at least {cost}" if cost >= COST_CEILING else str(cost)
    return GraphQLError(
        f"{label} cost {amount} exceeds the limit {max_cost} "
        "(each field costs 1, times the page sizes of the lists above it).",
        operation,
        extensions={"code": COST_ERROR_CODE, "cost": cost, "maxCost": max_cost},
    )


def _key(request: _Request) -> tuple[int, str, _Scope]:
    # Node identity, not equality: graphql-core compares and hashes nodes by content, which costs a
    # walk of the subtree each time. The document keeps every node alive while it is analysed.
    selection_set, of_type, scope = request
    return id(selection_set), of_type.name, scope


def _included(selection: FieldNode | InlineFragmentNode | FragmentSpreadNode | Any) -> bool:
    """False only when `@skip(if: true)` or `@include(if: false)` says so with a literal."""
    for directive in selection.directives or ():
        name = directive.name.value
        if name not in ("skip", "include"):
            continue
        condition = next((a.value for a in directive.arguments or () if a.name.value == "if"), None)
        if isinstance(condition, BooleanValueNode) and condition.value == (name == "skip"):
            return False
    return True


def _literal_type_name(schema: GraphQLSchema, node: FieldNode) -> str | None:
    """The type `__type(name: "...")` describes, when the name is a literal naming a schema type."""
    argument = next((a.value for a in node.arguments or () if a.name.value == "name"), None)
    if isinstance(argument, StringValueNode) and schema.get_type(argument.value) is not None:
        return argument.value
    return None


def _requested_page_size(field: GraphQLField, node: FieldNode) -> int | None:
    """The items a field's page size arguments allow; None when it takes no page size argument."""
    names = [name for name in PAGE_SIZE_ARGUMENTS if name in field.args]
    if not names:
        return None
    given = {argument.name.value: argument.value for argument in node.arguments or ()}
    sizes = [_page_size_value(given[name]) for name in names if name in given]
    if not sizes:
        defaults = [_whole_default(field.args[name]) for name in names]
        sizes = [default for default in defaults if default is not None] or [DEFAULT_PAGE_SIZE]
    return max(0, min(MAX_PAGE_SIZE, max(sizes)))


def _whole_default(argument: GraphQLArgument) -> int | None:
    """An argument's default when it is a whole number. Schemas built in code keep it as a value,
    schemas built from SDL as a literal."""
    default = argument.default_value
    external = getattr(argument, "default", None)
    if default is Undefined and external is not None:
        literal = external.literal
        if literal is None:
            default = external.value
        else:
            default = int(literal.value) if isinstance(literal, IntValueNode) else None
    return default if isinstance(default, int) and not isinstance(default, bool) else None


def _page_size_value(value: Any) -> int:
    """A page size argument's worth: a literal as given, `null` the default page, a variable the most."""
    if isinstance(value, IntValueNode):
        return int(value.value)
    if isinstance(value, NullValueNode):
        return DEFAULT_PAGE_SIZE
    return MAX_PAGE_SIZE
