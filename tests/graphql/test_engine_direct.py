"""Direct answers (app/graphql/engine/direct.py): the simplest reads are answered without graphql-core's
executor, with exactly the data and errors of Strawberry's own execution; any other shape, and any value
the plan cannot answer exactly, runs on the executor."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import strawberry
from graphql import parse
from strawberry.schema.config import StrawberryConfig

from app.auth import ALL_SCOPES, Principal, Scope
from app.graphql.context import GraphQLContext
from app.graphql.engine import DEADLINE_CODE, GraphQLEngine
from app.graphql.engine import engine as engine_module
from app.graphql.engine.direct import direct_plan
from app.graphql.engine.engine import OperationResult
from app.graphql.engine.plans import NO_SHORTCUT, shortcut
from app.graphql.errors import format_error
from app.graphql.schema import build_schema
from app.merchants.repository import Merchant
from app.runtime import Services
from app.settings import Settings


@strawberry.type
class Stamp:
    text: str


@strawberry.type
class Box:
    id: strawberry.ID
    label: str
    note: str | None

    @strawberry.field
    def shouted(self) -> str:
        return self.label.upper()

    @strawberry.field
    @shortcut(lambda box, _context, _args: NO_SHORTCUT if box.label == "no" else f"#{box.label}")
    def code(self, info: strawberry.Info) -> str:
        info.context.resolved.append(f"code {self.label}")
        return f"#{self.label}"

    @strawberry.field
    @shortcut(
        lambda box, context, args: context.stamps.get((box.label, args["mark"]), NO_SHORTCUT),
        batch=lambda boxes, context, args: _load_stamps(boxes, context, args),
    )
    def stamp(self, info: strawberry.Info, mark: str = "!") -> Stamp:
        info.context.resolved.append(f"stamp {self.label}")
        return Stamp(text=f"{self.label}{mark}")


@strawberry.type
class Other:
    label: str


async def _load_stamps(boxes: list[Box], context: Context, args: dict[str, Any]) -> None:
    context.batches.append(([box.label for box in boxes], args))
    context.stamps.update(
        {(box.label, args["mark"]): Stamp(text=f"{box.label}{args['mark']}") for box in boxes}
    )


async def _load_tray_boxes(trays: list[Tray], context: Context, args: dict[str, Any]) -> None:
    context.batches.append(([tray.label for tray in trays], args))


@strawberry.type
class Tray:
    label: str

    @strawberry.field
    @shortcut(lambda tray, _context, _args: [_box(f"{tray.label}-in")], batch=_load_tray_boxes)
    def boxes(self) -> list[Box]:
        return [_box(f"{self.label}-in")]  # type: ignore[list-item]


@strawberry.type
class Shelf:
    label: str
    boxes: list[Box]
    maybe: list[Box | None]
    first: Box | None
    trays: list[Tray]


class Context:
    """How the hook answers (`answer(key)`), and which resolvers ran."""

    def __init__(self, answer: Any = None, delay: float = 0.0) -> None:
        self.answer = answer
        self.delay = delay
        self.resolved: list[str] = []
        self.stamps: dict[tuple[str, str], Stamp] = {}
        self.batches: list[tuple[list[str], dict[str, Any]]] = []

    async def hook(self, key: str) -> Any:
        if self.delay:
            await asyncio.sleep(self.delay)
        return self.answer(key) if self.answer is not None else _box(key)

    async def shelf(self, key: str) -> Shelf:
        return _shelf(key)

    async def lookup(self, key: str) -> Box | None:
        self.resolved.append(key)
        if key == "boom":
            raise RuntimeError("lookup failed")
        return _box(key)


def _box(key: str) -> Box | None:
    return None if key == "absent" else Box(id=strawberry.ID(f"B:{key}"), label=key, note=None)


def _shelf(key: str) -> Shelf:
    boxes = [_box(f"{key}{index}") for index in range(3)]
    if key == "holes":  # a null where the schema promises a box
        boxes[1] = None
    return Shelf(
        label=key,
        boxes=boxes,  # type: ignore[arg-type]
        maybe=[boxes[0], None],
        first=boxes[0],
        trays=[Tray(label=f"{key}-t")],
    )


@strawberry.type
class Query:
    @strawberry.field
    @shortcut(lambda _root, context, args: context.hook(args["key"]))
    async def lookup(self, info: strawberry.Info, key: str) -> Box | None:
        return await info.context.lookup(key)

    @strawberry.field
    @shortcut(lambda _root, context, args: context.shelf(args["key"]))
    async def shelf(self, info: strawberry.Info, key: str) -> Shelf:
        info.context.resolved.append(f"shelf {key}")
        return _shelf(key)

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
    ('{ lookup(key: "ab") { code label } }', None),  # a leaf whose resolver has a shortcut
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
    '{ shelf(key: "s") { trays { boxes { stamp { text } } } } }',  # a batch below a batch
    # a variable below the root
    'query Q($m: String!) { shelf(key: "s") { boxes { stamp(mark: $m) { text } } } }',
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


async def test_a_leaf_whose_shortcut_declines_runs_on_the_executor(executions: list[str]) -> None:
    fast, stock = engines()
    query = '{ lookup(key: "no") { label code } }'
    context = Context()

    result = await run(fast, query, context)

    assert executions == ["FastExecutor"]
    assert context.resolved == ["code no"]
    assert outcome(result) == outcome(await run(stock, query, Context()))
    assert result.data == {"lookup": {"label": "no", "code": "#no"}}


class Label(str):
    """A str subclass: not a str as such, so its value goes through the scalar's serialiser."""


@pytest.mark.parametrize(
    "label",
    ["plain", "", Label("sub"), 7, True, 2.5],
    ids=["str", "empty", "str-subclass", "int", "bool", "float"],
)
async def test_leaf_values_are_serialised_as_the_executor_serialises_them(
    label: Any, executions: list[str]
) -> None:
    fast, stock = engines()
    query = '{ lookup(key: "ab") { id label note } }'

    def answer(_key: str) -> Box:
        return Box(id=strawberry.ID("B"), label=label, note=label)

    reference = Context()
    reference.lookup = Context(answer=answer).hook  # type: ignore[method-assign]
    result = await run(fast, query, Context(answer=answer))

    assert executions == []
    assert outcome(result) == outcome(await run(stock, query, reference))


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


NESTED = [
    '{ shelf(key: "s") { label boxes { id label } maybe { label } first { __typename label } } }',
    '{ shelf(key: "s") { boxes { label stamp { text } } '
    'first { stamp { text } q: stamp(mark: "?") { text } } } }',
    '{ shelf(key: "s") { trays { label boxes { label } } } }',
]


@pytest.mark.parametrize("query", NESTED)
async def test_objects_and_lists_below_the_root_are_answered_directly(
    query: str, executions: list[str]
) -> None:
    fast, stock = engines()
    context = Context()

    result = await run(fast, query, context)

    assert executions == []
    assert context.resolved == []
    assert outcome(result) == outcome(await run(stock, query, Context()))


async def test_a_batch_is_awaited_once_over_every_source_the_document_asks_it_for() -> None:
    fast, _ = engines()
    context = Context()

    result = await run(
        fast,
        '{ shelf(key: "s") { boxes { stamp { text } } '
        'first { stamp { text } q: stamp(mark: "?") { text } } } }',
        context,
    )

    assert result.data == {
        "shelf": {
            "boxes": [{"stamp": {"text": f"s{index}!"}} for index in range(3)],
            "first": {"stamp": {"text": "s0!"}, "q": {"text": "s0?"}},
        }
    }
    # `first` is boxes[0]: a source asked for twice is in the batch once
    assert sorted(context.batches, key=str) == sorted(
        [(["s0", "s1", "s2"], {"mark": "!"}), (["s0"], {"mark": "?"})], key=str
    )


async def test_a_null_in_a_non_null_list_runs_on_the_executor(executions: list[str]) -> None:
    fast, stock = engines()
    query = '{ shelf(key: "holes") { boxes { label } } }'

    result = await run(fast, query, Context())

    assert executions == ["FastExecutor"]
    assert result.errors
    assert outcome(result) == outcome(await run(stock, query, Context()))


CARD = {"masked_pan": "411111******1111", "expiration_date": "12/34", "token": "tok"}
PAGES = [
    (
        "{ customers(first: 3) { nodes { id uuid name metadata createdAt deletedAt "
        "paymentMethods { id maskedPan createdAt } } pageInfo { hasNextPage endCursor } } }",
        None,
    ),
    (
        "{ customers(first: 2, orderBy: NAME_ASC) { edges { cursor node { uuid paymentMethods(first: 1) "
        "{ maskedPan } } } pageInfo { hasPreviousPage startCursor } __typename } }",
        None,
    ),
    ("query P($n: Int, $s: String) { customers(first: $n, search: $s) { nodes { uuid name } } }", {"n": 2}),
    (
        '{ customers(search: "n1") { nodes { uuid paymentMethods { id } } '
        "edges { node { name paymentMethods { id } } } } }",
        None,
    ),
]


class TestPagesOfCustomers:
    """The product's own pages: `customers` is a direct read, each page's cards one batch."""

    @pytest.fixture
    async def seeded(self, services: Services, merchant: Merchant) -> Services:
        for index in range(4):
            customer = await services.customers.create(
                merchant_id=merchant.id, data={"name": f"n{index}", "metadata": {"k": str(index)}}
            )
            for _ in range(index):
                await services.customers.add_payment_method(
                    merchant_id=merchant.id, customer_uuid=customer.uuid, data=CARD
                )
        return services

    async def answer(
        self,
        engine: GraphQLEngine,
        services: Services,
        merchant: Merchant,
        query: str,
        variables: Any,
        scopes: Any,
    ) -> tuple[Any, list[tuple[str, Any]]]:
        context = GraphQLContext.for_request(
            Principal(merchant_id=merchant.id, scopes=scopes),
            services.customers,
            services.idempotency,
            events=services.events,
            webhooks=services.webhooks,
        )
        result = await run(engine, query, context, variables)
        return result.data, [(format_error(error)["message"], error.path) for error in result.errors]

    @pytest.mark.parametrize(("query", "variables"), PAGES)
    async def test_a_page_is_answered_directly_with_its_cards_in_one_statement(
        self, seeded: Services, merchant: Merchant, query: str, variables: Any, executions: list[str]
    ) -> None:
        fast, stock = product_engines()
        statements: list[str] = []
        seeded.database.add_statement_listener(statements.append)

        answered = await self.answer(fast, seeded, merchant, query, variables, ALL_SCOPES)

        assert executions == []
        assert answered[0] is not None and not answered[1]
        card_reads = [sql for sql in statements if "payment_methods" in sql]
        assert len(statements) <= 2 and len(card_reads) == ("paymentMethods" in query)
        assert answered == await self.answer(stock, seeded, merchant, query, variables, ALL_SCOPES)

    @pytest.mark.parametrize(
        ("query", "scopes"),
        [
            (PAGES[0][0], frozenset({Scope.CUSTOMERS})),  # cards without their scope: Forbidden
            ('{ customers(filter: { country: "DE" }) { nodes { uuid } } }', ALL_SCOPES),  # a filter
            ("{ customers(first: 500) { nodes { uuid } } }", ALL_SCOPES),  # a page the rules refuse
            ("{ customers { totalCount } }", ALL_SCOPES),  # a resolver without a hook
        ],
    )
    async def test_what_a_page_cannot_answer_directly_runs_on_the_executor(
        self, seeded: Services, merchant: Merchant, query: str, scopes: Any, executions: list[str]
    ) -> None:
        fast, stock = product_engines()

        answered = await self.answer(fast, seeded, merchant, query, None, scopes)

        assert executions == ["FastExecutor"]
        assert answered == await self.answer(stock, seeded, merchant, query, None, scopes)


def product_engines() -> tuple[GraphQLEngine, GraphQLEngine]:
    schema = build_schema()
    return GraphQLEngine(schema, Settings(), mode="fast"), GraphQLEngine(schema, Settings(), mode="stock")


def _shouting_getattr(source: Any, name: str) -> Any:
    value = getattr(source, name)
    return value.upper() if isinstance(value, str) else value


async def test_a_schema_with_its_own_default_resolver_keeps_it_for_plain_leaves(
    executions: list[str],
) -> None:
    shouting = strawberry.Schema(query=Query, config=StrawberryConfig(default_resolver=_shouting_getattr))
    settings = Settings()
    fast = GraphQLEngine(shouting, settings, mode="fast")
    stock = GraphQLEngine(shouting, settings, mode="stock")
    query = '{ lookup(key: "ab") { label code } }'

    result = await run(fast, query, Context())

    assert result.data == {"lookup": {"label": "AB", "code": "#ab"}}
    assert outcome(result) == outcome(await run(stock, query, Context()))
    assert executions == ["FastExecutor", "StockExecutor"]
