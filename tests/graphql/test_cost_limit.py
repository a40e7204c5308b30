"""The GraphQL cost limit (app/graphql/cost.py) at work: the rule, the cost kept with the prepared
document, the setting, every operation the README and docs show, and refusals over HTTP."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from dataclasses import replace

import pytest
from graphql import parse, validate

from app.customers.rules import DEFAULT_PAGE_SIZE
from app.graphql.cost import COST_ERROR_CODE, cost_limit_rule, operation_costs
from app.graphql.engine import GraphQLEngine
from app.graphql.schema import build_schema as build_strawberry_schema
from app.settings import Settings, load_settings
from scripts.bench import CUSTOMER_FIELDS, PAYMENT_METHOD_FIELDS
from tests.docs.markdown_blocks import Block, all_blocks
from tests.graphql.conftest import GraphQLClient
from tests.graphql.test_cost import DEFAULT_MAX_COST, bomb, product_schema

# --- several operations, the rule, the prepared document -------------------------------------------------


def test_each_operation_of_a_document_has_its_cost() -> None:
    document = parse(
        'query One { customer(uuid: "x") { uuid } } '
        'query Two { customer(uuid: "x") { ...F } } fragment F on Customer { uuid name }'
    )

    assert operation_costs(product_schema(), document) == {"One": 2, "Two": 3}


def test_the_rule_refuses_only_operations_over_the_limit() -> None:
    document = parse(
        'query Cheap { customer(uuid: "x") { uuid } } query Dear { customers { nodes { uuid } } }'
    )

    errors = validate(product_schema(), document, [cost_limit_rule(10)])

    assert [error.message for error in errors] == [
        "Operation 'Dear': query cost 52 exceeds the limit 10 (each field costs 1, times the page sizes "
        "of the lists above it)."
    ]
    assert errors[0].extensions == {"code": COST_ERROR_CODE, "cost": 52, "maxCost": 10}
    assert validate(product_schema(), document, [cost_limit_rule(52)]) == []


def test_the_prepared_document_keeps_each_operation_cost() -> None:
    runner = GraphQLEngine(build_strawberry_schema(), Settings())

    single = runner.prepare('{ customer(uuid: "x") { uuid name } }')
    several = runner.prepare('query A { customer(uuid: "x") { uuid } } query B { customers { totalCount } }')

    assert single.cost(None) == 3
    assert (several.cost("A"), several.cost("B"), several.cost(None), several.cost("C")) == (2, 2, None, None)


# --- every document the README and docs show --------------------------------------------------------------

_QUERY_IN_JSON = re.compile(r'"query"\s*:\s*"((?:[^"\\]|\\.)*)"')
# A shell value spliced into a single-quoted JSON body: '"$KEY"'
_SHELL_SPLICE = re.compile(r"'\"\$\{?\w+\}?\"'")


def documented_operations() -> Iterator[tuple[str, str]]:
    """(where, document) for every GraphQL document of README.md and docs/*.md: `graphql` blocks and
    the `query` of the JSON bodies the shell examples send."""
    blocks: list[Block] = all_blocks()
    for block in blocks:
        if block.language == "graphql":
            yield block.where, block.text
        elif block.language in ("sh", "bash", "python"):
            text = _SHELL_SPLICE.sub("spliced", block.text)
            for match in _QUERY_IN_JSON.finditer(text):
                yield block.where, json.loads(f'"{match[1]}"')


def test_the_documents_are_found() -> None:
    assert len(list(documented_operations())) >= 12


@pytest.mark.parametrize(("where", "query"), list(documented_operations()), ids=lambda value: str(value)[:40])
def test_every_documented_operation_passes_the_default_limit(where: str, query: str) -> None:
    document = parse(query)
    schema = product_schema()

    assert validate(schema, document, [cost_limit_rule(DEFAULT_MAX_COST)]) == [], where
    for name, value in operation_costs(schema, document).items():
        assert 0 < value * 100 < DEFAULT_MAX_COST, (where, name, value)


# --- over HTTP, both databases ------------------------------------------------------------------------


async def test_the_30_level_document_is_refused_quickly_before_execution(gql: GraphQLClient) -> None:
    walls, cpus = [], []
    for attempt in range(3):
        # A new text each time, so each attempt is parsed, validated and costed from scratch.
        query = bomb(30).replace("{ customers", f"query Bomb{attempt} {{ customers", 1)
        wall, cpu = time.perf_counter(), time.process_time()
        response = await gql.post(query)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
        body = response.json()
        assert response.status_code == 200
        assert "data" not in body
        [error] = body["errors"]
        assert error["extensions"]["code"] == COST_ERROR_CODE
        assert error["extensions"]["cost"] == 2 + DEFAULT_PAGE_SIZE * 3 * 2**30
        assert error["extensions"]["maxCost"] == DEFAULT_MAX_COST
        assert error["message"].startswith(f"Operation 'Bomb{attempt}': query cost ")

    # The processor time the request took from this process (the worker), best of three: wall-clock
    # time on a shared test machine mostly measures the other processes.
    assert min(cpus) < 0.050, (cpus, walls)


async def test_the_heaviest_documented_kind_of_page_runs(gql: GraphQLClient) -> None:
    await gql.execute('mutation { createCustomer(input: {name: "Ada"}) { __typename } }')
    query = (
        f"{{ customers {{ totalCount nodes {{ {CUSTOMER_FIELDS} "
        f"paymentMethods {{ {PAYMENT_METHOD_FIELDS} }} }} "
        "pageInfo { hasNextPage endCursor } } }"
    )

    data = await gql.execute(query)

    assert data["customers"]["totalCount"] == 1


class TestConfiguredLimit:
    @pytest.fixture
    def graphql_settings(self, settings: Settings) -> Settings:
        return replace(settings, graphql_max_cost=60)

    async def test_the_limit_comes_from_settings(self, gql: GraphQLClient) -> None:
        # 1 + 1 + 50 = 52 passes; with a second field per customer, 1 + 1 + 100 = 102 does not.
        assert await gql.execute("{ customers { nodes { uuid } } }") == {"customers": {"nodes": []}}
        errors = await gql.errors("{ customers { nodes { uuid name } } }")

        assert errors[0]["extensions"]["cost"] == 102
        assert errors[0]["extensions"]["maxCost"] == 60
        assert errors[0]["message"].startswith("Query cost 102 exceeds the limit 60")


def test_the_setting_is_read_from_the_environment() -> None:
    assert load_settings({"GATEWAY_GRAPHQL_MAX_COST": "1234"}).graphql_max_cost == 1234
    with pytest.raises(SystemExit):
        load_settings({"GATEWAY_GRAPHQL_MAX_COST": "0"})
