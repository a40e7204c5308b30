"""The root page and the API docs page through HTTP: self-hosted, strict CSP, links that resolve."""

from __future__ import annotations

import base64
import hashlib
import re

import httpx

from app.main import create_app
from app.ops.docs import OWN_ASSETS, VENDOR_ASSETS
from app.settings import Settings


def _csp(response: httpx.Response) -> dict[str, str]:
    policy = response.headers["content-security-policy"]
    return {part.split(" ", 1)[0]: part.split(" ", 1)[1] for part in policy.split("; ")}


async def test_root_page_links_every_tool(app_client: httpx.AsyncClient) -> None:
    response = await app_client.get("/")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    links = re.findall(r'href="([^"]+)"', response.text)
    for path in ("/graphql", "/docs", "/v2/openapi.json", "/healthz", "/readyz", "/metrics"):
        assert path in links
    assert "<script" not in response.text


async def test_root_page_needs_nothing_outside_its_strict_csp(app_client: httpx.AsyncClient) -> None:
    response = await app_client.get("/")
    csp = _csp(response)
    style = re.search(r"<style>(.*?)</style>", response.text, re.S)

    assert csp["default-src"] == "'none'" and "script-src" not in csp
    assert style is not None
    digest = base64.b64encode(hashlib.sha256(style.group(1).encode()).digest()).decode()
    assert csp["style-src"] == f"'sha256-{digest}'"
    assert "http://" not in response.text and "https://" not in response.text


async def test_docs_page_loads_swagger_ui_from_the_app_and_reads_the_openapi_document(
    app_client: httpx.AsyncClient,
) -> None:
    response = await app_client.get("/docs")

    assert response.status_code == 200
    csp = _csp(response)
    assert csp["script-src"] == "'self'" and csp["connect-src"] == "'self'"
    assert "unsafe-eval" not in response.headers["content-security-policy"]
    assert 'data-openapi-url="/v2/openapi.json"' in response.text
    assert "<script>" not in response.text  # no inline script
    sources = re.findall(r'(?:src|href)="([^"]+)"', response.text)
    assets = [source for source in sources if source.startswith("/docs/assets/")]
    assert len(assets) == 4
    for asset in assets:
        fetched = await app_client.get(asset)
        assert fetched.status_code == 200, asset
        assert len(fetched.content) > 0
    assert "https://" not in response.text and "http://" not in response.text


async def test_the_document_the_docs_page_reads_is_openapi_3_1(app_client: httpx.AsyncClient) -> None:
    page = await app_client.get("/docs")
    url = re.search(r'data-openapi-url="([^"]+)"', page.text)

    assert url is not None
    document = await app_client.get(url.group(1))
    assert document.status_code == 200
    assert document.json()["openapi"].startswith("3.1")


async def test_docs_assets_are_cached_by_version_and_nothing_else_is_served(
    app_client: httpx.AsyncClient,
) -> None:
    vendor = await app_client.get(f"/docs/assets/{next(iter(VENDOR_ASSETS))}")
    own = await app_client.get(f"/docs/assets/{next(iter(OWN_ASSETS))}")
    other = await app_client.get("/docs/assets/index.html")
    escape = await app_client.get("/docs/assets/..%2F..%2Fsettings.py")

    assert "immutable" in vendor.headers["cache-control"]
    assert own.headers["cache-control"] == "no-cache"
    assert own.headers["content-type"].startswith("text/javascript")
    assert other.status_code == 404 and other.json()["status"] == "invalid-request"
    assert escape.status_code == 404


async def test_pages_honour_a_mount_prefix(settings: Settings) -> None:
    app = create_app(settings)
    prefixed = httpx.ASGITransport(app=app, root_path="/gateway")
    async with httpx.AsyncClient(transport=prefixed, base_url="http://testserver") as client:
        docs = await client.get("/gateway/docs")
        home = await client.get("/gateway/")
    await app.state.services.close()

    assert 'data-openapi-url="/gateway/v2/openapi.json"' in docs.text
    assert 'src="/gateway/docs/assets/docs-init.js"' in docs.text
    assert 'href="/gateway/graphql"' in home.text
