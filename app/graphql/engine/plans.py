"""What the fast executor may do for a field instead of graphql-core's general path, and what it keeps.

A field's plan is decided once per engine (it depends only on the schema):

1. a leaf: a plain attribute field (Strawberry's own attribute resolver, no arguments, scalar or enum
   type): read the attribute and serialise it;
2. a shortcut: the resolver carries a hook (`@shortcut(hook)`, e.g. a customer's payment methods that
   the page already loaded in one batch): graphql-core coerces the arguments, the hook answers,
   graphql-core completes the value as usual. Below a query's root the hook must answer synchronously;
   a query's root field may answer with an awaitable (a read), which is awaited alongside the other root
   fields, and if it fails the resolver runs instead, so a failure is reported by the general path;
3. nothing: the general path.

A shortcut may also carry a batch (`@shortcut(hook, batch=...)`): an awaitable that prepares the hook to
answer for many sources at once (a page's cards in one statement). Only direct answers
(app/graphql/engine/direct.py) call it; on the executors the page's resolver prepares the same batch from
its resolve info. A root read that needs its resolve info on the executors can give direct answers a hook
of their own with `@direct_read(hook)`, which the executors never call.

A field with permission classes or field extensions never gets a plan: those run inside Strawberry's
resolver wrapper, which only the general path calls.

What graphql-core collects for a selection set, and the compiled plan of that set, depend only on the
document (unless a directive such as `@include(if: $x)` reads a variable): `DocumentPlans` keeps both
with the parsed document, so a repeated query skips that work.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from graphql import (
    DirectiveNode,
    DocumentNode,
    GraphQLBoolean,
    GraphQLField,
    GraphQLID,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLString,
    VariableNode,
    Visitor,
    get_nullable_type,
    is_leaf_type,
    visit,
)
from graphql.language.visitor import BREAK
from graphql.pyutils import Undefined

from app.graphql.engine._compat import (
    CollectedFields,
    is_default_resolver,
    resolver_function,
    strawberry_field,
)

# A hook's answer when it cannot answer: the field takes the general path.
NO_SHORTCUT: Any = object()
_SHORTCUT_ATTRIBUTE = "__graphql_shortcut__"
_BATCH_ATTRIBUTE = "__graphql_shortcut_batch__"
_DIRECT_READ_ATTRIBUTE = "__graphql_direct_read__"
# hook(source, context, coerced GraphQL arguments) -> the resolver's value, or NO_SHORTCUT
Shortcut = Callable[[Any, Any, dict[str, Any]], Any]
# batch(sources, context, coerced GraphQL arguments) -> an awaitable; the hook then answers for each source
Batch = Callable[[list[Any], Any, dict[str, Any]], Awaitable[None]]
F = TypeVar("F", bound=Callable[..., Any])


def shortcut(hook: Shortcut, *, batch: Batch | None = None) -> Callable[[F], F]:
    """Give a resolver a shortcut the fast executor tries first (awaitable only on a query's root), and
    optionally the batch direct answers await before asking the hook (see the module's docstring)."""

    def mark(resolver: F) -> F:
        setattr(resolver, _SHORTCUT_ATTRIBUTE, hook)
        if batch is not None:
            setattr(resolver, _BATCH_ATTRIBUTE, batch)
        return resolver

    return mark


def direct_read(hook: Shortcut) -> Callable[[F], F]:
    """Give a root resolver an awaitable hook only direct answers use (see the module's docstring)."""

    def mark(resolver: F) -> F:
        setattr(resolver, _DIRECT_READ_ATTRIBUTE, hook)
        return resolver

    return mark


# graphql-core's own scalars serialise values of exactly these Python types to themselves.
_SERIALISED_AS_IS: dict[Any, type] = {GraphQLString: str, GraphQLID: str, GraphQLBoolean: bool}


class Leaf:
    """A plain attribute field read and serialised without graphql-core's per-field machinery.

    `as_is` is the Python type whose values the field's scalar serialises to themselves (`str` for String
    and ID, `bool` for Boolean; None for the rest): such values need no serialising call at all.

    `hook`, set only for direct answers (`FieldPlans.direct_leaf`), reads a computed leaf (a resolver with
    a synchronous shortcut, such as a global id made only when asked for) instead of the attribute."""

    __slots__ = ("as_is", "coerce", "hook", "non_null", "python_name")

    def __init__(
        self,
        python_name: str,
        coerce: Callable[[Any], Any],
        non_null: bool,
        as_is: type | None = None,
        hook: Shortcut | None = None,
    ) -> None:
        self.python_name, self.coerce, self.non_null, self.as_is = python_name, coerce, non_null, as_is
        self.hook = hook

    def value(self, source: Any) -> Any:
        """The serialised value, or NO_SHORTCUT when only the general path can answer (or report) it."""
        try:
            value = getattr(source, self.python_name)
        except Exception:  # the general path raises it again, located and reported
            return NO_SHORTCUT
        return value if type(value) is self.as_is else self.serialize(value)

    def serialize(self, value: Any) -> Any:
        """`value` (the attribute as read) serialised, or NO_SHORTCUT (see `value`)."""
        if value is None:
            return NO_SHORTCUT if self.non_null else None
        try:
            serialized = self.coerce(value)
        except Exception:  # the general path raises it again, located and reported
            return NO_SHORTCUT
        return NO_SHORTCUT if serialized is None or serialized is Undefined else serialized


FieldPlan = Leaf | Shortcut | None


def _plain_definition(field_def: GraphQLField | None) -> Any:
    """The Strawberry definition of a field without permission classes or extensions, else None."""
    if field_def is None:
        return None
    definition = strawberry_field(field_def)
    if definition is None or definition.extensions or definition.permission_classes:
        return None  # permission checks and field extensions run only on the general path
    return definition


def plan_for(field_def: GraphQLField | None, *, leaves_allowed: bool) -> FieldPlan:
    """How a field may be resolved outside the general path, if at all."""
    definition = _plain_definition(field_def)
    if definition is None or field_def is None:
        return None
    function = resolver_function(definition)
    hook = getattr(function, _SHORTCUT_ATTRIBUTE, None) if function is not None else None
    if hook is not None:
        return hook
    if not leaves_allowed or field_def.args or function is not None or not is_default_resolver(field_def):
        return None
    leaf = get_nullable_type(field_def.type)
    if not is_leaf_type(leaf):
        return None
    return Leaf(
        definition.python_name,
        leaf.coerce_output_value,
        isinstance(field_def.type, GraphQLNonNull),
        _SERIALISED_AS_IS.get(leaf),
    )


def _hooked_leaf(field_def: GraphQLField | None, hook: Shortcut) -> Leaf | None:
    """A direct answer's read of a field of scalar or enum type without arguments whose resolver carries
    `hook` (which must answer synchronously), or None for any other field."""
    if field_def is None or field_def.args:
        return None
    leaf = get_nullable_type(field_def.type)
    if not is_leaf_type(leaf):
        return None
    return Leaf(
        "",
        leaf.coerce_output_value,
        isinstance(field_def.type, GraphQLNonNull),
        _SERIALISED_AS_IS.get(leaf),
        hook=hook,
    )


class DirectField:
    """What a direct answer may do for a field: its read (a hook's value or a plain attribute), the batch
    to await first, and whether the read may be awaited (root reads)."""

    __slots__ = ("attribute", "batch", "hook")

    def __init__(self, hook: Shortcut | None, batch: Batch | None, attribute: str | None) -> None:
        self.hook, self.batch, self.attribute = hook, batch, attribute


def direct_field_for(field_def: GraphQLField | None, *, root: bool) -> DirectField | None:
    """How a direct answer reads a field of object or list type, if it can: a shortcut hook (or, on the
    root, a direct read), or Strawberry's attribute resolver of a field without arguments."""
    definition = _plain_definition(field_def)
    if definition is None or field_def is None:
        return None
    function = resolver_function(definition)
    if function is not None:
        hook = getattr(function, _DIRECT_READ_ATTRIBUTE, None) if root else None
        hook = hook or getattr(function, _SHORTCUT_ATTRIBUTE, None)
        if hook is None:
            return None
        return DirectField(hook, getattr(function, _BATCH_ATTRIBUTE, None), None)
    if root or field_def.args or not is_default_resolver(field_def):
        return None
    return DirectField(None, None, definition.python_name)


class FieldPlans:
    """The plan of every field, worked out on first use; one per engine (bounded by the schema's size)."""

    def __init__(self, schema: GraphQLSchema, *, leaves_allowed: bool) -> None:
        self.schema = schema
        self.leaves_allowed = leaves_allowed
        self._plans: dict[tuple[str, str], FieldPlan] = {}
        self._direct: dict[tuple[str, str, bool], DirectField | None] = {}

    def direct_leaf(self, parent_type: GraphQLObjectType, field_name: str) -> Leaf | None:
        """How a direct answer reads `parent_type.field_name` (a field of scalar or enum type): its leaf
        plan, or its resolver's shortcut read as a leaf. Asked when a direct plan is built, once per
        document."""
        plan = self.get(parent_type, field_name)
        if plan is None or isinstance(plan, Leaf):
            return plan
        return _hooked_leaf(self.schema.get_field(parent_type, field_name), plan)

    def direct(self, parent_type: GraphQLObjectType, field_name: str, *, root: bool) -> DirectField | None:
        """How a direct answer reads `parent_type.field_name` (a field of object or list type)."""
        key = (parent_type.name, field_name, root)
        try:
            return self._direct[key]
        except KeyError:
            field_def = self.schema.get_field(parent_type, field_name)
            found = self._direct[key] = direct_field_for(field_def, root=root)
            return found

    def get(self, parent_type: GraphQLObjectType, field_name: str) -> FieldPlan:
        """The plan of `parent_type.field_name`."""
        key = (parent_type.name, field_name)
        try:
            return self._plans[key]
        except KeyError:
            field_def = self.schema.get_field(parent_type, field_name)
            plan = self._plans[key] = plan_for(field_def, leaves_allowed=self.leaves_allowed)
            return plan


class DocumentPlans:
    """Collected sub-selections and compiled selection plans of one parsed document, kept with it.

    Keys hold ids of the document's nodes and grouped field sets; the document and these entries keep
    them alive, so an id cannot be taken by another object while the plans exist.
    """

    def __init__(self, document: DocumentNode) -> None:
        # Collection reads variables only through directives (@include/@skip and the like).
        self.reusable = not _directives_read_variables(document)
        # (type name, ids of the field nodes) -> what graphql-core collected for them
        self.subfields: dict[tuple[str, tuple[int, ...]], CollectedFields] = {}
        # id(grouped field set) -> (the set, its compiled plan or None until first executed)
        self.compiled: dict[int, tuple[dict[str, Any], list[Any] | None]] = {}
        # operation name -> its direct plan (app/graphql/engine/direct.py), None when it has none
        self.direct: dict[str | None, Any] = {}


class _VariableInDirective(Visitor):
    found = False

    def enter_directive(self, node: DirectiveNode, *_: Any) -> Any:
        if any(_reads_variable(argument.value) for argument in node.arguments or ()):
            self.found = True
            return BREAK
        return None


def _reads_variable(value: Any) -> bool:
    if isinstance(value, VariableNode):
        return True
    children = getattr(value, "values", None) or [field.value for field in getattr(value, "fields", ())]
    return any(_reads_variable(child) for child in children)


def _directives_read_variables(document: DocumentNode) -> bool:
    visitor = _VariableInDirective()
    visit(document, visitor)
    return visitor.found
