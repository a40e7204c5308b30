"""The store of registered persisted queries: the database behind a cache bounded by characters."""

from __future__ import annotations

import pytest

from app.persisted.rules import sha256_hex
from app.persisted.store import PersistedQueryStore
from app.runtime import Services
from app.settings import load_settings
from tests.persisted.helpers import unique_query


def persisted_statements(statements: list[str]) -> list[str]:
    return [sql for sql in statements if "persisted_queries" in sql]


async def test_a_cached_document_costs_no_statement(services: Services) -> None:
    statements: list[str] = []
    services.database.add_statement_listener(statements.append)
    store = PersistedQueryStore(services.database)
    query = unique_query()

    await store.register(sha256_hex(query), query)
    registered = len(persisted_statements(statements))
    found = await store.find(sha256_hex(query))

    assert found == query
    assert registered == 1 and len(persisted_statements(statements)) == 1


async def test_the_cache_holds_at_most_its_characters_and_the_database_the_rest(services: Services) -> None:
    queries = [unique_query() for _ in range(3)]
    store = PersistedQueryStore(services.database, cache_characters=2 * len(queries[0]))
    for query in queries:
        await store.register(sha256_hex(query), query)

    assert store.cached(sha256_hex(queries[0])) is None
    assert [store.cached(sha256_hex(query)) for query in queries[1:]] == queries[1:]
    assert await PersistedQueryStore(services.database).find(sha256_hex(queries[0])) == queries[0]
    assert await store.find(sha256_hex(queries[0])) == queries[0]
    assert store.cached(sha256_hex(queries[1])) is None  # least recently used, evicted in turn


async def test_registering_a_known_hash_again_keeps_the_first(services: Services) -> None:
    store = PersistedQueryStore(services.database)
    query = unique_query()
    await store.register(sha256_hex(query), query)
    await PersistedQueryStore(services.database).register(sha256_hex(query), query)

    assert await PersistedQueryStore(services.database).find(sha256_hex(query)) == query


def test_persisted_documents_only_needs_a_manifest() -> None:
    with pytest.raises(SystemExit, match="GATEWAY_GRAPHQL_PERSISTED_DOCUMENTS"):
        load_settings({"GATEWAY_GRAPHQL_DOCUMENTS": "persisted"})
    with pytest.raises(SystemExit, match="GATEWAY_GRAPHQL_DOCUMENTS"):
        load_settings({"GATEWAY_GRAPHQL_DOCUMENTS": "some"})
    settings = load_settings(
        {"GATEWAY_GRAPHQL_DOCUMENTS": "Persisted", "GATEWAY_GRAPHQL_PERSISTED_DOCUMENTS": "m.json"}
    )
    assert (settings.graphql_documents, settings.graphql_persisted_documents) == ("persisted", "m.json")
    assert load_settings({}).graphql_documents == "any"
