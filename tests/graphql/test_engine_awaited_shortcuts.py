"""A query root field whose shortcut hook answers with an awaitable: awaited and completed by the fast
executor, with the same data and errors as Strawberry's own execution; a hook that fails or cannot answer
lets the resolver run, and below the root an awaitable answer is refused (the general path answers)."""

from __future__ import annotations

from collections.abc import Coroutine
from typing import Any

import pytest
import strawberry

from app.graphql.engine import GraphQLEngine
from app.graphql.engine.engine import OperationResult
from app.graphql.engine.plans import NO_SHORTCUT, shortcut
from app.settings import Settings


@strawberry.type
class Box:
    label: str
    size: int

    @strawberry.field
    @shortcut(lambda box, context, _args: context.nested_hook(box))
    async def inner(self, info: strawberry.Info) -> str:
        info.context.resolved.append("inner")
        return f"inner of {self.label}"


class Context:
    """What each probe run sees: how the hook answers, and which resolvers ran."""

    def __init__(self, answer: Any = None) -> None:
        self.answer = answer
        self.resolved: list[str] = []
        self.nested: list[Coroutine[Any, Any, Any]] = []

    async def hook(self, key: str) -> Any:
        if callable(self.answer):
            return self.answer(key)
        return self.answer if self.answer is not None else Box(label=key, size=len(key))

    async def lookup(self, key: str) -> Box | None:
        self.resolved.append(key)
        if key == "boom":
            raise RuntimeError("lookup failed")
        return None if key == "absent" else Box(label=key, size=len(key))

    def nested_hook(self, box: Box) -> Coroutine[Any, Any, str]:
        async def answer() -> str:
            return "from the hook"

        pending = answer()
        self.nested.append(pending)
        return pending


@strawberry.type
class Query:
    @strawberry.field
    @shortcut(lambda _root, context, args: context.hook(args["key"]))
    async def lookup(self, info: strawberry.Info, key: str) -> Box | None:
        return await info.context.lookup(key)

    @strawberry.field
    def plain(self) -> str:
        return "plain"


def engines() -> tuple[GraphQLEngine, GraphQLEngine]:
    schema = strawberry.Schema(query=Query)
    return GraphQLEngine(schema, Settings(), mode="fast"), GraphQLEngine(schema, Settings(), mode="stock")


async def run(engine: GraphQLEngine, query: str, context: Context) -> OperationResult:
    return await engine.execute(engine.prepare(query), variables=None, operation_name=None, context=context)


def outcome(result: OperationResult) -> tuple[Any, list[tuple[str, Any]]]:
    return result.data, [(error.message, error.path) for error in result.errors]


async def test_an_awaited_root_answer_skips_the_resolver_and_keeps_field_order() -> None:
    fast, stock = engines()
    query = '{ plain a: lookup(key: "ab") { size label } b: lookup(key: "xyz") { label } again: plain }'

    answered = Context()
    result = await run(fast, query, answered)
    reference = await run(stock, query, Context())

    assert outcome(result) == outcome(reference)
    assert list(result.data or {}) == ["plain", "a", "b", "again"]
    assert result.data == {
        "plain": "plain",
        "a": {"size": 2, "label": "ab"},
        "b": {"label": "xyz"},
        "again": "plain",
    }
    assert answered.resolved == []  # both root fields came from the hook


@pytest.mark.parametrize("key", ["boom", "absent", "ab"])
async def test_a_failing_hook_lets_the_resolver_answer_and_report(key: str) -> None:
    fast, stock = engines()
    query = f'{{ plain lookup(key: "{key}") {{ label }} }}'

    def fail(_key: str) -> Any:
        raise ValueError("the hook's own trouble")

    failing = Context(answer=fail)
    result = await run(fast, query, failing)
    reference = await run(stock, query, Context())

    assert outcome(result) == outcome(reference)
    assert failing.resolved == [key]
    if key == "boom":
        assert outcome(result)[1] == [("lookup failed", ["lookup"])]


async def test_a_hook_that_cannot_answer_lets_the_resolver_answer() -> None:
    fast, _ = engines()
    declined = Context(answer=lambda _key: NO_SHORTCUT)

    result = await run(fast, '{ lookup(key: "ab") { label } }', declined)

    assert result.data == {"lookup": {"label": "ab"}}
    assert declined.resolved == ["ab"]


async def test_an_awaited_answer_that_does_not_complete_is_reported_like_the_general_path() -> None:
    fast, stock = engines()
    query = '{ lookup(key: "ab") { label size } }'
    broken = Box(label="ab", size=None)  # type: ignore[arg-type]  # a null in a non-null field

    result = await run(fast, query, Context(answer=broken))
    resolving_broken = Context()
    resolving_broken.lookup = Context(answer=broken).hook  # type: ignore[method-assign]
    reference = await run(stock, query, resolving_broken)

    assert outcome(result) == outcome(reference)
    assert result.data == {"lookup": None}
    assert [error.path for error in result.errors] == [["lookup", "size"]]


async def test_below_the_root_an_awaitable_answer_is_closed_and_the_resolver_runs() -> None:
    fast, stock = engines()
    query = '{ lookup(key: "ab") { inner } }'

    nested = Context()
    result = await run(fast, query, nested)

    assert outcome(result) == outcome(await run(stock, query, Context()))
    assert result.data == {"lookup": {"inner": "inner of ab"}}
    assert nested.resolved == ["inner"]
    assert nested.nested and all(pending.cr_frame is None for pending in nested.nested)  # closed
