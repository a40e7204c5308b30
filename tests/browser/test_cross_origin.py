"""A web app on another origin calls /graphql from a real browser: allowed when its origin is listed in
GATEWAY_CORS_ORIGINS, blocked by the browser when it is not."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest

from app.auth import Scope
from app.merchants.repository import Merchant
from app.runtime import Services
from tests.browser.cdp import Page
from tests.browser.conftest import StaticSite, this_checkouts_code
from tests.conftest import TEST_SECRET_KEY
from tests.graphql.conftest import issue_token
from tests.server.conftest import ServeProcess

pytestmark = pytest.mark.slow

FRONTEND = Path(__file__).parent / "frontend"


@pytest.fixture
def sites(static_site: type[StaticSite]) -> tuple[StaticSite, StaticSite]:
    """The same web app on two origins: the merchant's (listed) and another site's (not listed)."""
    return static_site(FRONTEND), static_site(FRONTEND)


@pytest.fixture
def gateway(
    database_url: str, tmp_path: Path, sites: tuple[StaticSite, StaticSite]
) -> Iterator[ServeProcess]:
    """`serve` on the test database, allowing the merchant's origin only."""
    listed, _ = sites
    env = this_checkouts_code(
        {**os.environ, "GATEWAY_SECRET_KEY": TEST_SECRET_KEY, "GATEWAY_CORS_ORIGINS": listed.origin}
    )
    server = ServeProcess(database_url, tmp_path, env=env)
    try:
        server.wait_ready()
        yield server
    finally:
        server.close()


async def open_app(page: Page, site: StaticSite, gateway: ServeProcess, token: str) -> tuple[str, str]:
    """Open the web app and wait until it has an answer or a failure: (state, what it shows)."""
    fragment = urlencode({"gateway": gateway.base_url, "token": token})
    await page.navigate(f"{site.origin}/index.html#{fragment}")
    state = await page.wait_for("document.body.dataset.state !== 'loading' && document.body.dataset.state")
    return state, await page.evaluate("document.getElementById('answer').textContent")


async def test_a_listed_origin_reads_graphql_and_an_unlisted_one_is_blocked(
    gateway: ServeProcess,
    sites: tuple[StaticSite, StaticSite],
    page: Page,
    services: Services,
    merchant: Merchant,
) -> None:
    listed, unlisted = sites
    await services.customers.create(merchant_id=merchant.id, data={"name": "Ada"})
    # What a merchant's backend hands its frontend: a token that can read and not write.
    token = await issue_token(services, merchant, frozenset({Scope.CUSTOMERS_READ}))

    state, shown = await open_app(page, listed, gateway, token)
    assert state == "answered", page.console
    assert json.loads(shown) == {"data": {"customers": {"totalCount": 1}}, "extensions": {"cost": 2}}

    state, shown = await open_app(page, unlisted, gateway, token)
    assert state == "blocked"
    assert shown == "TypeError: Failed to fetch"
    assert any("blocked by CORS policy" in line for line in page.console), page.console
