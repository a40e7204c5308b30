"""Apollo Client's persisted-query link (pinned @apollo/client) against a real server: the hash alone,
the retry with the document, then the hash alone over POST and over GET, as the server saw them."""

from __future__ import annotations

import httpx
import pytest

from tests.node.conftest import ServedGateway, run_node

pytestmark = pytest.mark.slow

COUNT = {"customers": {"totalCount": 0, "__typename": "CustomerConnection"}}


def persisted_counts(base_url: str) -> dict[str, float]:
    """gateway_graphql_persisted_documents_total by outcome, from /metrics."""
    counts: dict[str, float] = {}
    for line in httpx.get(f"{base_url}/metrics", timeout=10).text.splitlines():
        if line.startswith("gateway_graphql_persisted_documents_total{"):
            labels, value = line.rsplit(" ", 1)
            counts[labels.split('outcome="', 1)[1].split('"', 1)[0]] = float(value)
    return counts


def test_apollo_client_registers_once_then_sends_hashes_over_post_and_get(
    served_gateway: ServedGateway,
) -> None:
    output = run_node("apollo-persisted-queries.cjs", served_gateway.graphql_url, served_gateway.token)

    assert output["answers"] == [{"data": COUNT, "errors": None}] * 3
    graphql_requests = [
        (method, status) for method, path, status in served_gateway.access_log() if path == "/graphql"
    ]
    assert graphql_requests == [("POST", 200), ("POST", 200), ("POST", 200), ("GET", 200)]
    assert persisted_counts(served_gateway.server.base_url) == {"not_found": 1, "registered": 1, "hit": 2}
