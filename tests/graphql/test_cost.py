"""The cost of GraphQL operations (app/graphql/cost.py): fields counted after fragment expansion, times
the page sizes of the lists above them, with an analysis linear in the document."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

import pytest
from graphql import (
    DocumentNode,
    GraphQLSchema,
    OperationDefinitionNode,
    SelectionSetNode,
    build_schema,
    get_introspection_query,
    parse,
    validate,
)

from app.customers.rules import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from app.graphql import limits
from app.graphql.cost import COST_CEILING, UNSIZED_LIST_ITEMS, CostAnalysis, operation_costs
from app.settings import load_settings
from scripts.bench import CUSTOMER_FIELDS, PAYMENT_METHOD_FIELDS
from tests.docs.markdown_blocks import REPOSITORY

DEFAULT_MAX_COST = load_settings({}).graphql_max_cost


@cache
def product_schema() -> GraphQLSchema:
    """The product's schema, from the exported SDL (a test keeps it equal to the code's)."""
    return build_schema((REPOSITORY / "schema.graphql").read_text())


def cost_of(query: str, schema: GraphQLSchema | None = None) -> int:
    """The cost of the only operation of a valid document."""
    schema = schema or product_schema()
    document = parse(query)
    assert validate(schema, document) == []
    [only] = operation_costs(schema, document).values()
    return only


def bomb(levels: int, leaves: str = "uuid name email") -> str:
    """The document of the attack: fragments doubling at each level, spread in a list of customers."""
    fragments = [f"fragment G0 on Customer {{ {leaves} }}"]
    fragments += [f"fragment G{i} on Customer {{ ...G{i - 1} ...G{i - 1} }}" for i in range(1, levels + 1)]
    return f"{{ customers {{ nodes {{ ...G{levels} }} }} }} " + " ".join(fragments)


# --- what fields and lists cost ---------------------------------------------------------------------------


def test_each_field_costs_one_scalars_and_objects_alike() -> None:
    assert cost_of('{ customer(uuid: "x") { uuid name __typename } }') == 4


def test_a_connection_multiplies_its_lists_by_first_and_nothing_else() -> None:
    query = (
        "{ customers(first: 5) { totalCount pageInfo { hasNextPage endCursor } "
        "nodes { uuid name } edges { cursor node { uuid } } } }"
    )
    # customers 1 + totalCount 1 + pageInfo (1 + 2) + nodes (1 + 5 * 2) + edges (1 + 5 * (1 + 1 + 1))
    assert cost_of(query) == 1 + 1 + 3 + 11 + 16


def test_an_absent_page_size_is_the_argument_default() -> None:
    assert cost_of("{ customers { nodes { uuid } } }") == 1 + 1 + DEFAULT_PAGE_SIZE
    assert cost_of('{ customer(uuid: "x") { paymentMethods { id } } }') == 1 + 1 + DEFAULT_PAGE_SIZE


def test_a_null_page_size_is_the_default_page() -> None:
    assert cost_of("{ customers(first: null) { nodes { uuid } } }") == 1 + 1 + DEFAULT_PAGE_SIZE


def test_a_variable_page_size_counts_as_the_largest_page() -> None:
    query = "query ($n: Int = 2) { customers(first: $n) { nodes { uuid } } }"

    assert cost_of(query) == 1 + 1 + MAX_PAGE_SIZE


def test_a_page_size_over_the_largest_page_counts_as_the_largest_page() -> None:
    # The resolver refuses it (first must be between 1 and 100) with a clearer error than the cost's.
    assert cost_of("{ customers(first: 100000) { nodes { uuid } } }") == 1 + 1 + MAX_PAGE_SIZE


def test_nested_lists_multiply() -> None:
    query = "{ customers(first: 10) { nodes { uuid paymentMethods(first: 3) { id token } } } }"

    assert cost_of(query) == 1 + 1 + 10 * (1 + 1 + 3 * 2)


def test_a_list_without_a_page_size_counts_the_documented_bound() -> None:
    query = (
        'mutation { createCustomer(input: {name: "A"}) { ... on ValidationError { fieldErrors { code } } } }'
    )

    assert cost_of(query) == 1 + 1 + UNSIZED_LIST_ITEMS


def test_the_heaviest_page_the_product_serves_passes_the_default_limit() -> None:
    page = (
        f"{{ customers(first: {MAX_PAGE_SIZE}) {{ totalCount pageInfo {{ hasNextPage endCursor }} "
        f"nodes {{ {CUSTOMER_FIELDS} paymentMethods(first: {MAX_PAGE_SIZE}) "
        f"{{ {PAYMENT_METHOD_FIELDS} }} }} }} }}"
    )
    pm_fields, customer_fields = len(PAYMENT_METHOD_FIELDS.split()), len(CUSTOMER_FIELDS.split())
    expected = 1 + 1 + 3 + 1 + MAX_PAGE_SIZE * (customer_fields + 1 + MAX_PAGE_SIZE * pm_fields)

    assert cost_of(page) == expected == 101_606
    assert expected * 1.5 < DEFAULT_MAX_COST


# --- fragments, directives, abstract types --------------------------------------------------------------


def test_fragments_cost_what_they_expand_to_at_every_spread() -> None:
    spread = "{ customers(first: 2) { nodes { ...F ...F } } } fragment F on Customer { uuid name }"
    inline = "{ customers(first: 2) { nodes { uuid name uuid name } } }"

    assert cost_of(spread) == cost_of(inline) == 1 + 1 + 2 * 4


def test_fragments_on_the_connection_keep_its_page_size() -> None:
    query = (
        "{ a: customers(first: 2) { ...Page } b: customers(first: 7) { ...Page } } "
        "fragment Page on CustomerConnection { nodes { uuid } }"
    )

    assert cost_of(query) == (1 + 1 + 2) + (1 + 1 + 7)


def test_inline_fragments_without_a_type_condition_are_expanded() -> None:
    assert cost_of('{ customer(uuid: "x") { ... { uuid name } } }') == 3


@pytest.mark.parametrize(
    ("directive", "counted"),
    [
        ("@skip(if: true)", False),
        ("@skip(if: false)", True),
        ("@include(if: false)", False),
        ("@include(if: true)", True),
        ("@skip(if: $flag)", True),
        ("@include(if: $flag)", True),
    ],
)
def test_skip_and_include_with_literals_are_honoured_and_variables_counted(
    directive: str, counted: bool
) -> None:
    variables = "($flag: Boolean!)" if "$flag" in directive else ""
    for selection in (f"name {directive}", f"... {directive} {{ name }}", f"...F {directive}"):
        query = f'query {variables} {{ customer(uuid: "x") {{ uuid {selection} }} }}'
        if selection.startswith("...F"):
            query += " fragment F on Customer { name }"
        assert cost_of(query) == (3 if counted else 2), selection


def test_a_union_costs_its_dearest_member() -> None:
    query = """mutation {
      createCustomer(input: {name: "A"}) {
        __typename
        ... on CustomerPayload { customer { uuid name email } }
        ... on ValidationError { message }
      }
    }"""
    # __typename 1, plus the dearer member: CustomerPayload's customer (1 + 3), not ValidationError (1).
    assert cost_of(query) == 1 + 1 + 4


def test_fragments_on_an_interface_apply_to_the_members_implementing_it() -> None:
    query = """mutation {
      updateCustomer(uuid: "x", input: {}) {
        ... on MutationError { message }
        ... on ConflictError { code fieldErrors { field } }
      }
    }"""
    # ConflictError: message (via MutationError) + code + fieldErrors (1 + UNSIZED * 1)
    assert cost_of(query) == 1 + 1 + 1 + 1 + UNSIZED_LIST_ITEMS
    named = (
        'mutation { updateCustomer(uuid: "x", input: {}) { ...E } } fragment E on MutationError { message }'
    )
    assert cost_of(named) == 1 + 1


def test_fragments_on_abstract_types_in_a_schema_with_interfaces_and_limits() -> None:
    schema = build_schema(
        """
        interface Animal { name: String }
        type Dog implements Animal { name: String barks: Boolean friends(limit: Int = 3): [Dog] }
        type Cat implements Animal { name: String lives: Int }
        union Pet = Dog | Cat
        type Query { pets(first: Int): [Pet] animal: Animal }
        """
    )
    query = """{
      pets(first: 4) { ... on Animal { name } ...DogBits ... on Cat { lives } }
      animal { name ... on Dog { friends { name } } }
    }
    fragment DogBits on Dog { barks friends(limit: 2) { name } }"""
    # pets: 1 + 4 * (Dog: name + barks + friends (1 + 2 * 1)); animal: 1 + (Dog: name + friends (1 + 3))
    assert cost_of(query, schema) == (1 + 4 * 5) + (1 + 5)


# --- introspection --------------------------------------------------------------------------------------


def test_introspection_lists_are_bounded_by_the_schema() -> None:
    query = '{ __type(name: "Customer") { name fields { name } } }'

    customer_fields = len(product_schema().type_map["Customer"].fields)  # type: ignore[attr-defined]

    assert cost_of(query) == 1 + 1 + 1 + customer_fields


def test_the_standard_introspection_query_passes_the_default_limit_comfortably() -> None:
    query = get_introspection_query(
        descriptions=True,
        specified_by_url=True,
        directive_is_repeatable=True,
        schema_description=True,
        input_value_deprecation=True,
    )

    # Its cost is the schema's size, which grows with every type added: room for it to triple.
    assert cost_of(query) * 3 < DEFAULT_MAX_COST


def test_fragment_fan_out_inside_introspection_lists_is_counted() -> None:
    query = "{ __schema { types { ...T20 } } } " + " ".join(
        ["fragment T0 on __Type { name }"]
        + [f"fragment T{i} on __Type {{ ...T{i - 1} ...T{i - 1} }}" for i in range(1, 21)]
    )
    types = len(product_schema().type_map)

    assert cost_of(query) == 1 + 1 + types * 2**20


# --- the attack document, and that the analysis stays linear ---------------------------------------------


def test_the_30_level_document_costs_its_full_expansion() -> None:
    assert cost_of(bomb(30)) == 1 + 1 + DEFAULT_PAGE_SIZE * 3 * 2**30


def count_walks(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Record every selection set the analysis walks (each walk is one selection under one type)."""
    walks: list[Any] = []
    original = CostAnalysis._walk

    def counting(self: CostAnalysis, *args: Any) -> Any:
        walks.append(args)
        return original(self, *args)

    monkeypatch.setattr(CostAnalysis, "_walk", counting)
    return walks


def selection_sets(document: DocumentNode) -> int:
    """How many selection sets a document has, written out (not expanded)."""
    found = 0

    def visit(node: Any) -> None:
        nonlocal found
        if isinstance(node, SelectionSetNode):
            found += 1
        for key in getattr(node, "keys", ()):
            value = getattr(node, key, None)
            for child in value if isinstance(value, tuple | list) else (value,):
                if hasattr(child, "kind"):
                    visit(child)

    visit(document)
    return found


@pytest.mark.parametrize("levels", [10, 30, 60])
def test_the_analysis_walks_each_selection_set_once(levels: int, monkeypatch: pytest.MonkeyPatch) -> None:
    walks = count_walks(monkeypatch)
    document = parse(bomb(levels))

    costs = operation_costs(product_schema(), document)

    assert len(walks) == selection_sets(document) == levels + 4
    assert costs[None] == min(COST_CEILING, 2 + DEFAULT_PAGE_SIZE * 3 * 2**levels)


def test_costs_saturate_at_the_ceiling() -> None:
    # Too deeply nested for graphql-core's own validation, so costed directly.
    assert operation_costs(product_schema(), parse(bomb(200))) == {None: COST_CEILING}


def test_a_long_chain_of_fragments_does_not_exhaust_the_recursion_limit() -> None:
    chain = " ".join(f"fragment F{i} on Customer {{ uuid ...F{i + 1} }}" for i in range(3000))
    document = parse('{ customer(uuid: "x") { ...F0 } } ' + chain + " fragment F3000 on Customer { name }")

    assert operation_costs(product_schema(), document) == {None: 1 + 3001}


def test_fragment_cycles_and_unknown_names_terminate() -> None:
    document = parse(
        '{ customer(uuid: "x") { nope ...A ...Missing ... on Nowhere { uuid } } } '
        "fragment A on Customer { uuid ...B } fragment B on Customer { name ...A }"
    )

    assert operation_costs(product_schema(), document) == {None: 1 + 1 + 2}


def test_the_depth_and_alias_rules_walk_each_fragment_once() -> None:
    document = parse(bomb(30))
    fragments = {d.name.value: d for d in document.definitions if not isinstance(d, OperationDefinitionNode)}
    lookups: list[str] = []

    def get_fragment(name: str) -> Any:
        lookups.append(name)
        return fragments.get(name)

    operation = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
    measures: list[Callable[..., int]] = [limits.selection_depth, limits.alias_count]
    for measure in measures:
        lookups.clear()
        measure(operation.selection_set, get_fragment)
        assert sorted(lookups) == sorted(fragments)


def test_the_webhook_endpoints_list_counts_as_many_as_a_merchant_may_have() -> None:
    from app.webhooks.rules import MAX_ENDPOINTS

    assert cost_of("{ webhookEndpoints { id url } }") == 1 + MAX_ENDPOINTS * 2
