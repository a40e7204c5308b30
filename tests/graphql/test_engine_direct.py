"""Direct answers (app/graphql/engine/direct.py): the simplest reads are answered without graphql-core's
executor, with exactly the data and errors of Strawberry's own execution; any other shape, and any value
the plan cannot answer exactly, runs on the executor."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import strawberry
from graphql import parse

from app.graphql.engine import DEADLINE_CODE, GraphQLEngine
from app.graphql.engine import engine as engine_module
from app.graphql.engine.direct import direct_plan
from app.graphql.engine.engine import OperationResult
from app.graphql.engine.plans import NO_SHORTCUT, shortcut
from app.settings import Settings


@strawberry.type
class Box:
    id: strawberry.ID
    label: str
    note: str | None

    @strawberry.field
    def shouted(self) -> str:
        return self.label.upper()


@strawberry.type
class Other:
    label: str


class Context:
    """How the hook answers (`answer(key)`), and which resolvers ran."""

    def __init__(self, answer: Any = None, delay: float = 0.0) -> None:
        self.answer = answer
        self.delay = delay
        self.resolved: list[str] = []

    async def hook(self, key: str) -> Any:
        if self.delay:
            await asyncio.sleep(self.delay)
        return self.answer(key) if self.answer is not None else _box(key)

    async def lookup(self, key: str) -> Box | None:
        self.resolved.append(key)
        if key == "boom":
            raise RuntimeError("lookup failed")
        return _box(key)


def _box(key: str) -> Box | None:
    return None if key == "absent" else Box(id=strawberry.ID(f"B:{key}"), label=key, note=None)


@strawberry.type
class Query:
    @strawberry.field
    @shortcut(lambda _root, context, args: context.hook(args["key"]))
    async def lookup(self, info: strawberry.Info, key: str) -> Box | None:
        return await info.context.lookup(key)

    @strawberry.field
    async def unhooked(self, key: str) -> Box | None:
        return _box(key)

    @strawberry.field
    def plain(self) -> str:
        return "plain"


@strawberry.type
class Mutation:
    @strawberry.mutation
    def touch(self) -> str:
        return "touched"


SCHEMA = strawberry.Schema(query=Query, mutation=Mutation)


def engines(settings: Settings | None = None) -> tuple[GraphQLEngine, GraphQLEngine]:
    settings = settings or Settings()
    return GraphQLEngine(SCHEMA, settings, mode="fast"), GraphQLEngine(SCHEMA, settings, mode="stock")


async def run(
    engine: GraphQLEngine, query: str, context: Any, variables: dict[str, Any] | None = None
) -> OperationResult:
    return await engine.execute(
        engine.prepare(query), variables=variables, operation_name=None, context=context
    )


def outcome(result: OperationResult) -> tuple[Any, list[tuple[str, Any]]]:
    return result.data, [(error.message, error.path) for error in result.errors]


@pytest.fixture
def executions(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every operation that reached graphql-core's executor."""
    seen: list[str] = []
    original = engine_module.execute_document

    def counting(*args: Any, **kwargs: Any) -> Any:
        seen.append(kwargs["executor_class"].__name__)
        return original(*args, **kwargs)

    monkeypatch.setattr(engine_module, "execute_document", counting)
    return seen


DIRECT = [
    ('{ lookup(key: "ab") { id label note } }', None),
    ('{ lookup(key: "absent") { label } }', None),
    ('{ __typename a: lookup(key: "ab") { __typename l: label } b: lookup(key: "cd") { id } }', None),
    ("query Q($k: String!) { lookup(key: $k) { label id } }", {"k": "xy"}),
    ('query Q($k: String = "dflt") { lookup(key: $k) { label } }', {}),
]


@pytest.mark.parametrize(("query", "variables"), DIRECT)
async def test_a_simple_read_is_answered_without_the_executor(
    query: str, variables: dict[str, Any] | None, executions: list[str]
) -> None:
    fast, stock = engines()
    context = Context()

    result = await run(fast, query, context, variables)

    assert executions == []
    assert context.resolved == []  # the hook answered, no resolver ran
    assert outcome(result) == outcome(await run(stock, query, Context(), variables))
    assert result.data is not None and list(result.data) == list(
        (await run(stock, query, Context(), variables)).data or {}
    )


NOT_DIRECT = [
    '{ lookup(key: "ab") { label shouted } }',  # a resolver below the root
    '{ lookup(key: "ab") { ... on Box { label } } }',  # a fragment
    '{ lookup(key: "ab") { label @include(if: true) } }',  # a directive
    '{ lookup(key: "ab") { label } plain }',  # a root field without a hook
    '{ unhooked(key: "ab") { label } }',
    '{ lookup(key: "ab") { label label } }',  # a repeated response name (merged by graphql-core)
    "{ __typename }",
    "mutation { touch }",
]


@pytest.mark.parametrize("query", NOT_DIRECT)
def test_any_other_shape_has_no_direct_plan(query: str) -> None:
    fast, _ = engines()

    assert direct_plan(fast.graphql_schema, fast.field_plans, parse(query), None) is None


@pytest.mark.parametrize("query", NOT_DIRECT[:-1])
async def test_any_other_shape_runs_on_the_executor_with_the_same_answer(
    query: str, executions: list[str]
) -> None:
    fast, stock = engines()

    result = await run(fast, query, Context())

    assert executions == ["FastExecutor"]
    assert outcome(result) == outcome(await run(stock, query, Context()))


def _fail(_key: str) -> Any:
    raise ValueError("the hook's own trouble")


@pytest.mark.parametrize(
    ("answer", "key", "resolver_returns_it"),
    [
        (_fail, "boom", False),  # the hook fails, and so does the resolver: the executor reports it
        (_fail, "ab", False),  # the hook fails, the resolver does not
        (lambda _key: NO_SHORTCUT, "ab", False),  # the hook declines
        (lambda _key: Other(label="x"), "ab", True),  # a value of another type
        (lambda _key: Box(id=strawberry.ID("B"), label=None, note=None), "ab", True),  # type: ignore[arg-type]
    ],
)
async def test_what_the_plan_cannot_answer_exactly_runs_on_the_executor(
    answer: Any, key: str, resolver_returns_it: bool, executions: list[str]
) -> None:
    fast, stock = engines()
    query = f'{{ lookup(key: "{key}") {{ id label }} }}'
    context = Context(answer=answer)
    reference = Context()
    if resolver_returns_it:  # the reference's resolver returns what the hook answered
        reference.lookup = Context(answer=answer).hook  # type: ignore[method-assign]

    result = await run(fast, query, context)

    assert executions == ["FastExecutor"]
    assert outcome(result) == outcome(await run(stock, query, reference))
    assert result.errors if resolver_returns_it or key == "boom" else context.resolved == [key]


async def test_variables_that_do_not_coerce_are_reported_by_the_executor(executions: list[str]) -> None:
    fast, stock = engines()
    query = "query Q($k: String!) { lookup(key: $k) { label } }"

    result = await run(fast, query, Context(), {"k": 12})

    assert executions == ["FastExecutor"]
    assert result.data is None and result.errors
    assert outcome(result) == outcome(await run(stock, query, Context(), {"k": 12}))


async def test_a_direct_answer_stops_at_the_deadline() -> None:
    fast, _ = engines(Settings(graphql_deadline_ms=20))

    result = await run(fast, '{ lookup(key: "ab") { label } }', Context(delay=5.0))

    assert result.data is None
    assert [error.extensions for error in result.errors] == [{"code": DEADLINE_CODE}]
