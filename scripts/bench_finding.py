"""The finding-customers scenarios of `scripts/bench`: search, every order's first and deep pages,
`nodes` of 50 ids, and a backward page before a deep cursor; and the targets they are held to.

Run at scale with `scripts/bench --customers 1000000`. Seeded customers are `Customer <i>` with the email
`customer<i, 9 digits>@example.com`, so the search `customer0000123` matches exactly 100 of a million.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable
from typing import Any

ORDERS = ("CREATED_AT_DESC", "CREATED_AT_ASC", "UPDATED_AT_DESC", "NAME_ASC", "EMAIL_ASC")
PAGE_FIELDS = "nodes { id uuid name email createdAt } pageInfo { hasNextPage hasPreviousPage endCursor }"
# Measured over one connection: their goal is the time a merchant waits for a search, and under many
# connections p50 is mostly the wait behind other requests (a page of 50 alone is ~130 ms at 32).
LATENCY_SCENARIOS = frozenset({"graphql_search_100_matches", "rest_search_100_matches"})
# (scenario name, method, path, body)
Request = tuple[str, str, str, str | None]
# script(method, paths, body) -> a wrk Lua script
Script = Callable[[str, list[str], str | None], str]


def _graphql(query: str) -> str:
    return json.dumps({"query": query})


def search_word(customers: int) -> str:
    """A search matching 100 seeded customers: a 7-digit prefix of the 9-digit number in their emails
    covers 100 consecutive customers (taken from the middle of the list)."""
    return f"customer{customers // 2 // 100:07d}"


def finding_requests(sample: dict[str, Any], customers: int) -> list[Request]:
    """Every finding scenario's request."""
    word = search_word(customers)
    requests: list[Request] = [
        (
            "graphql_search_100_matches",
            "POST",
            "/graphql",
            _graphql(f'{{ customers(search: "{word}", first: 50) {{ {PAGE_FIELDS} }} }}'),
        ),
        ("rest_search_100_matches", "GET", f"/v2/customers/search?query={word}&limit=50", None),
        (
            "graphql_nodes_50",
            "POST",
            "/graphql",
            _graphql(
                "{ nodes(ids: "
                + json.dumps(sample["global_ids"][:50])
                + ") { id ... on Customer { name } } }"
            ),
        ),
    ]
    for order in ORDERS:
        deep = sample["deep_cursors"][order]
        requests.append(
            (
                f"graphql_{order.lower()}_first",
                "POST",
                "/graphql",
                _graphql(f"{{ customers(first: 50, orderBy: {order}) {{ {PAGE_FIELDS} }} }}"),
            )
        )
        requests.append(
            (
                f"graphql_{order.lower()}_deep",
                "POST",
                "/graphql",
                _graphql(
                    f'{{ customers(first: 50, orderBy: {order}, after: "{deep}") {{ {PAGE_FIELDS} }} }}'
                ),
            )
        )
    requests.append(
        (
            "graphql_last_50_before_deep",
            "POST",
            "/graphql",
            _graphql(
                f'{{ customers(last: 50, before: "{sample["deep_cursors"]["CREATED_AT_DESC"]}") '
                f"{{ {PAGE_FIELDS} }} }}"
            ),
        )
    )
    return requests


def check_answers(base: str, token: str, requests: list[Request]) -> None:
    """Send each request once: a scenario answering errors (GraphQL's come with HTTP 200) must not be
    measured as if it were a success."""
    for name, method, path, body in requests:
        request = urllib.request.Request(
            base + path,
            data=None if body is None else body.encode(),
            method=method,
            headers={"authorization": f"Bearer {token}", "content-type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=120) as response:
            answer = json.loads(response.read())
        if "errors" in answer or answer.get("status") not in (None, "approved"):
            raise SystemExit(f"scenario {name} answers an error: {answer}")
        items = answer["data"] if "status" in answer else next(iter(answer["data"].values()))
        found = items.get("nodes", items) if isinstance(items, dict) else items
        print(f"  {name}: {len(found)} items")


def finding_scenarios(base: str, requests: list[Request], script: Script) -> list[tuple[str, str, str]]:
    """The wrk scenarios of `requests`."""
    return [(name, base, script(method, [path], body)) for name, method, path, body in requests]


def finding_targets(
    latency: Callable[[str, str], float], p50: Callable[[str], float]
) -> list[tuple[str, float, str, float]]:
    """A search answers in 50 ms; deep pages cost what first pages do, in every order and backwards."""
    targets = [
        (
            "GraphQL search matching 100, 1 connection, p50 (ms)",
            p50("graphql_search_100_matches"),
            "<=",
            50.0,
        ),
        ("REST search matching 100, 1 connection, p50 (ms)", p50("rest_search_100_matches"), "<=", 50.0),
    ]
    targets += [
        (
            f"{order} deep page p50 / first page p50",
            latency(f"graphql_{order.lower()}_deep", f"graphql_{order.lower()}_first"),
            "<=",
            1.5,
        )
        for order in ORDERS
    ]
    targets.append(
        (
            "last 50 before a deep cursor p50 / first page p50",
            latency("graphql_last_50_before_deep", "graphql_created_at_desc_first"),
            "<=",
            1.5,
        )
    )
    return targets
