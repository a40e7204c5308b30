"""The published contract: `/v2/openapi.json` lists exactly the routes the app serves."""

from __future__ import annotations

import json
from typing import Any

import httpx

from app.rest.openapi import OPERATIONS, build_document, openapi_path
from app.rest.routes import ROUTE_TABLE


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [ref for value in node.values() for ref in _refs(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in _refs(value)]
    return []


async def test_the_document_is_served_without_credentials(app_client: httpx.AsyncClient) -> None:
    response = await app_client.get("/v2/openapi.json")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    document = response.json()
    assert document["openapi"] == "3.1.0"
    assert document == json.loads(json.dumps(build_document(ROUTE_TABLE)))


def test_every_route_and_method_is_documented_and_nothing_else() -> None:
    document = build_document(ROUTE_TABLE)

    served = {
        (openapi_path(path), method.lower()) for path, operations in ROUTE_TABLE for method in operations
    }
    documented = {(path, method) for path, item in document["paths"].items() for method in item}
    assert served == documented
    assert set(OPERATIONS) == {(path, method) for path, operations in ROUTE_TABLE for method in operations}


def test_every_reference_resolves_and_operation_ids_are_unique() -> None:
    document = build_document(ROUTE_TABLE)

    for ref in _refs(document):
        assert (
            ref.startswith("#/components/schemas/")
            and ref.rsplit("/", 1)[1] in document["components"]["schemas"]
        )
    ids = [operation["operationId"] for item in document["paths"].values() for operation in item.values()]
    assert len(ids) == len(set(ids))


def test_writes_document_the_idempotency_key_and_public_routes_need_no_credentials() -> None:
    document = build_document(ROUTE_TABLE)

    for path, item in document["paths"].items():
        for method, operation in item.items():
            headers = [p["name"] for p in operation["parameters"] if p["in"] == "header"]
            assert ("Idempotency-Key" in headers) == (method in ("post", "delete") and path != "/v2/oauth")
    assert document["paths"]["/v2/oauth"]["post"]["security"] == []
    assert document["paths"]["/v2/openapi.json"]["get"]["security"] == []
    assert "security" not in document["paths"]["/v2/customers"]["get"]
