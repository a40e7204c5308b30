"""Webhook endpoints over GraphQL (scope `webhooks`), through real HTTP on both databases and engines."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from app.auth import Scope
from app.merchants.repository import Merchant
from app.runtime import Services
from app.settings import Settings
from app.webhooks.worker import running
from tests.graphql.conftest import GraphQLClient, issue_token
from tests.webhooks.receiver import Receiver, receiving

ENDPOINT_FIELDS = "id url description eventTypes enabled disabledReason createdAt"
CREATE = f"""
mutation($input: CreateWebhookEndpointInput!) {{
  createWebhookEndpoint(input: $input) {{
    __typename
    ... on CreatedWebhookEndpointPayload {{ secret endpoint {{ {ENDPOINT_FIELDS} }} }}
    ... on ValidationError {{ message fieldErrors {{ field code }} }}
  }}
}}
"""
UPDATE = f"""
mutation($id: ID!, $input: UpdateWebhookEndpointInput!) {{
  updateWebhookEndpoint(id: $id, input: $input) {{
    __typename
    ... on WebhookEndpointPayload {{ endpoint {{ {ENDPOINT_FIELDS} }} }}
    ... on ValidationError {{ fieldErrors {{ field code }} }}
    ... on NotFoundError {{ message }}
  }}
}}
"""
DELETE = """
mutation($id: ID!) {
  deleteWebhookEndpoint(id: $id) {
    __typename
    ... on WebhookEndpointPayload { endpoint { id } }
    ... on NotFoundError { message }
  }
}
"""
LIST = f"query {{ webhookEndpoints {{ {ENDPOINT_FIELDS} }} }}"
ONE = f"""
query($id: ID!) {{
  webhookEndpoint(id: $id) {{
    {ENDPOINT_FIELDS}
    attempts(first: 10) {{ eventId attempt succeeded statusCode durationMs error attemptedAt }}
  }}
}}
"""


@pytest.fixture
def graphql_settings(settings: Settings) -> Settings:
    """The receiver listens on 127.0.0.1: private targets allowed here (their refusal is tested in
    tests/webhooks)."""
    return replace(settings, webhooks_allow_private=True, webhooks_worker=False, webhooks_poll_ms=20)


async def create(gql: GraphQLClient, **fields: Any) -> dict[str, Any]:
    return (await gql.execute(CREATE, {"input": fields}))["createWebhookEndpoint"]


async def test_endpoints_are_registered_listed_changed_and_deleted(gql: GraphQLClient) -> None:
    created = await create(
        gql, url="http://127.0.0.1:9/hooks", eventTypes=["CUSTOMER_CREATED"], description="backend"
    )
    assert created["__typename"] == "CreatedWebhookEndpointPayload"
    assert created["secret"].startswith("whsec_")
    endpoint = created["endpoint"]
    assert endpoint["eventTypes"] == ["CUSTOMER_CREATED"] and endpoint["enabled"] is True
    assert (await gql.execute(LIST))["webhookEndpoints"] == [endpoint]

    changed = (
        await gql.execute(UPDATE, {"id": endpoint["id"], "input": {"eventTypes": [], "enabled": False}})
    )["updateWebhookEndpoint"]
    assert changed["endpoint"]["eventTypes"] == [] and changed["endpoint"]["enabled"] is False

    deleted = (await gql.execute(DELETE, {"id": endpoint["id"]}))["deleteWebhookEndpoint"]
    assert deleted == {"__typename": "WebhookEndpointPayload", "endpoint": {"id": endpoint["id"]}}
    assert (await gql.execute(LIST))["webhookEndpoints"] == []
    assert (await gql.execute(ONE, {"id": endpoint["id"]}))["webhookEndpoint"] is None
    again = (await gql.execute(DELETE, {"id": endpoint["id"]}))["deleteWebhookEndpoint"]
    assert again["__typename"] == "NotFoundError"


async def test_bad_input_is_a_validation_error_naming_the_field(gql: GraphQLClient) -> None:
    refused = await create(gql, url="ftp://example.com/")
    assert refused["__typename"] == "ValidationError"
    assert refused["fieldErrors"] == [{"field": "url", "code": "invalid_format"}]
    created = await create(gql, url="http://127.0.0.1:9/hooks")
    changed = (await gql.execute(UPDATE, {"id": created["endpoint"]["id"], "input": {"url": "nope"}}))[
        "updateWebhookEndpoint"
    ]
    assert changed == {
        "__typename": "ValidationError",
        "fieldErrors": [{"field": "url", "code": "invalid_format"}],
    }


async def test_the_webhooks_scope_is_needed(
    gql: GraphQLClient, services: Services, merchant: Merchant
) -> None:
    token = await issue_token(services, merchant, frozenset({Scope.CUSTOMERS, Scope.PAYMENT_METHODS}))
    without = GraphQLClient(gql.http, gql.app, f"Bearer {token}")
    for query, variables in ((LIST, None), (CREATE, {"input": {"url": "http://127.0.0.1:9/"}})):
        response = await without.post(query, variables)
        assert response.status_code == 403, response.text
        [error] = response.json()["errors"]
        assert error["extensions"]["code"] == "FORBIDDEN"
        assert "webhooks" in error["message"]
    assert (await gql.execute(LIST))["webhookEndpoints"] == []


async def test_another_merchants_endpoints_are_invisible(
    gql: GraphQLClient, other_gql: GraphQLClient
) -> None:
    created = await create(gql, url="http://127.0.0.1:9/hooks")
    endpoint_id = created["endpoint"]["id"]
    assert (await other_gql.execute(LIST))["webhookEndpoints"] == []
    assert (await other_gql.execute(ONE, {"id": endpoint_id}))["webhookEndpoint"] is None
    assert (await other_gql.execute(DELETE, {"id": endpoint_id}))["deleteWebhookEndpoint"]["__typename"] == (
        "NotFoundError"
    )


async def test_an_endpoint_lists_its_delivery_attempts(gql: GraphQLClient, services: Services) -> None:
    async with receiving(Receiver()) as receiver:
        created = await create(gql, url=receiver.url)
        receiver.secret = created["secret"]
        worker = services.delivery_worker()
        worker.allow_private = True
        async with running(worker):
            await gql.execute('mutation { createCustomer(input: {name: "Hooked"}) { __typename } }')
            await receiver.wait_for(1)
    found = (await gql.execute(ONE, {"id": created["endpoint"]["id"]}))["webhookEndpoint"]
    [attempt] = found["attempts"]
    assert attempt["eventId"] == receiver.deliveries[0].webhook_id
    assert attempt["attempt"] == 1 and attempt["succeeded"] is True and attempt["statusCode"] == 200
    assert attempt["error"] is None
