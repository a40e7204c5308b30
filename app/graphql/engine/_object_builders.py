"""The answer of one object of a direct plan, compiled once per selection set into a Python function.

Why: a page of 50 customers with their cards is ~800 leaf values. Walking the selection's children for
each object (a loop step, attribute reads on the plan, a dict store per field) cost ~0.45 µs a value,
the largest part of a direct answer. The compiled function takes exactly the same steps in straight-line
code, with the plan's constants bound as globals of the function, and builds the answer in one dict
display, so the keys keep the selection's order.

What it does for each child, in order:
- a leaf: read the attribute (or call the leaf's hook); None in a non-null field, or a value its scalar
  does not serialise, declines; a value of the type the scalar keeps as it is (`Leaf.as_is`) is used as
  read, any other is serialised;
- `__typename`: the object type's name;
- an object or list: the value read while batching (in `values`) or read now, completed by `complete`.

Declining is returning NO_SHORTCUT; an attribute that raises leaves through the caller, which hands the
operation to the executor.
"""

from __future__ import annotations

import keyword
from collections.abc import Callable
from types import MappingProxyType
from typing import Any

from graphql import GraphQLObjectType

from app.graphql.engine._compat import is_awaitable, is_of_type
from app.graphql.engine.plans import NO_SHORTCUT, Leaf

# build(value, context, values) -> the object's answer, or NO_SHORTCUT
ObjectBuilder = Callable[[Any, Any, dict[tuple[int, int], Any]], Any]
Complete = Callable[[Any, Any, Any, dict[tuple[int, int], Any]], Any]
_MISSING: Any = object()


def compile_object_builder(
    object_type: GraphQLObjectType, children: list[Any], complete: Complete
) -> ObjectBuilder:
    """The function answering one object of `object_type` for `children` (direct plan children: each a
    leaf, `__typename` or an object field with its selection); `complete` answers object fields."""
    names: dict[str, Any] = {
        "NO_SHORTCUT": NO_SHORTCUT,
        "MISSING": _MISSING,
        "NO_ARGUMENTS": MappingProxyType({}),
        "is_of_type": is_of_type,
        "object_type": object_type,
        "complete": complete,
        "type_name": object_type.name,
    }
    lines = [
        "def build(value, context, values):",
        "    if not is_of_type(object_type, value):",
        "        return NO_SHORTCUT",
    ]
    entries: list[str] = []
    for index, child in enumerate(children):
        local = f"v{index}"
        entries.append(f"{child.name!r}: {local}")
        leaf = child.leaf
        if leaf is not None:
            names[f"attribute{index}"] = leaf.python_name
            names[f"serialize{index}"] = leaf.serialize if leaf.hook is None else _hook_answer(leaf)
            names[f"as_is{index}"] = leaf.as_is
            if leaf.hook is None:
                lines.append(f"    {local} = {_attribute_read(leaf.python_name, index)}")
            else:
                names[f"hook{index}"] = leaf.hook
                lines.append(f"    {local} = hook{index}(value, context, NO_ARGUMENTS)")
            lines.append(f"    if {local} is None:")
            lines.append("        return NO_SHORTCUT" if leaf.non_null else "        pass")
            if leaf.as_is is None:
                lines.append("    else:")
            else:
                lines.append(f"    elif type({local}) is not as_is{index}:")
            lines.append(f"        {local} = serialize{index}({local})")
            lines.append(f"        if {local} is NO_SHORTCUT:")
            lines.append("            return NO_SHORTCUT")
        elif child.selection is None:
            entries[-1] = f"{child.name!r}: type_name"
        else:
            names[f"child{index}"] = child
            names[f"key{index}"] = id(child)
            lines.extend(
                [
                    f"    {local} = values.get((key{index}, id(value)), MISSING) if values else MISSING",
                    f"    if {local} is MISSING:",
                    f"        {local} = child{index}.read(value, context)",
                    f"    if {local} is NO_SHORTCUT:",
                    "        return NO_SHORTCUT",
                    f"    {local} = complete(child{index}, {local}, context, values)",
                    f"    if {local} is NO_SHORTCUT:",
                    "        return NO_SHORTCUT",
                ]
            )
    lines.append("    return {" + ", ".join(entries) + "}")
    source = "\n".join(lines) + "\n"
    # The source holds only generated local names, attribute names that are identifiers and repr()'d
    # response keys; every value it uses is bound through `names`.
    exec(compile(source, f"<direct answer of {object_type.name}>", "exec"), names)
    built: ObjectBuilder = names["build"]
    return built


def _hook_answer(leaf: Leaf) -> Callable[[Any], Any]:
    """Serialises what a leaf's hook answered, unless it declined or answered with an awaitable (which
    below the root only the executor may await: it is closed unawaited, and the resolver runs instead)."""

    def serialize(value: Any) -> Any:
        if value is NO_SHORTCUT:
            return NO_SHORTCUT
        if is_awaitable(value):
            close = getattr(value, "close", None)
            if close is not None:
                close()
            return NO_SHORTCUT
        return leaf.serialize(value)

    return serialize


def _attribute_read(python_name: str, index: int) -> str:
    if python_name.isidentifier() and not keyword.iskeyword(python_name):
        return f"value.{python_name}"
    return f"getattr(value, attribute{index})"
