"""GraphiQL: served on GET /graphql from the app's own files, under a strict Content-Security-Policy."""

from __future__ import annotations

import re

import httpx

from app.graphql.ide import CONTENT_SECURITY_POLICY, STATIC_DIRECTORY

BROWSER = {"accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


async def test_graphiql_page_is_served_with_a_strict_csp(http: httpx.AsyncClient) -> None:
    response = await http.get("/graphql", headers=BROWSER)

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    policy = response.headers["content-security-policy"]
    assert policy == CONTENT_SECURITY_POLICY
    directives = dict(directive.split(" ", 1) for directive in policy.split("; "))
    assert directives["script-src"] == "'self'"
    assert directives["default-src"] == "'none'"
    assert directives["connect-src"] == "'self'"
    # GraphiQL's dialogs insert a <style> element (react-remove-scroll); styles cannot run code.
    assert directives["style-src"] == "'self' 'unsafe-inline'"
    assert response.headers["x-content-type-options"] == "nosniff"


async def test_graphiql_page_has_no_inline_script_and_no_remote_url(http: httpx.AsyncClient) -> None:
    page = (await http.get("/graphql", headers=BROWSER)).text

    assert re.findall(r"<script(?![^>]*\bsrc=)", page) == []
    assert "http://" not in page and "https://" not in page
    assert "graphiql-init.js" in page


async def test_graphiql_assets_are_served_locally_without_auth(http: httpx.AsyncClient) -> None:
    page = (await http.get("/graphql", headers=BROWSER)).text
    assets = [url for url in re.findall(r'(?:src|href)="([^"]+)"', page) if not url.startswith("data:")]

    assert len(assets) == 6
    for asset in assets:
        assert asset.startswith("/graphql/static/")
        response = await http.get(asset)
        assert response.status_code == 200, asset
        kind = "javascript" if asset.endswith(".js") else "css"
        assert kind in response.headers["content-type"]
        assert response.content


def test_vendored_files_keep_their_licences() -> None:
    vendor = STATIC_DIRECTORY / "vendor"
    folders = sorted(path.name for path in vendor.iterdir() if path.is_dir())

    assert folders == ["graphiql-3.8.3", "react-18.3.1", "react-dom-18.3.1"]
    for folder in folders:
        assert "MIT License" in (vendor / folder / "LICENSE").read_text()


def test_vendored_graphiql_fetches_nothing_from_a_cdn() -> None:
    bundle = (STATIC_DIRECTORY / "vendor" / "graphiql-3.8.3" / "graphiql.min.js").read_text()
    styles = (STATIC_DIRECTORY / "vendor" / "graphiql-3.8.3" / "graphiql.min.css").read_text()

    for cdn in ("unpkg.com", "cdn.jsdelivr.net", "esm.sh", "cdnjs", "fonts.googleapis"):
        assert cdn not in bundle and cdn not in styles
    assert re.findall(r"url\((?!data:)", styles) == []


def test_init_script_enables_the_headers_editor() -> None:
    script = (STATIC_DIRECTORY / "graphiql-init.js").read_text()

    assert "isHeadersEditorEnabled: true" in script
    assert 'defaultEditorToolsVisibility: "headers"' in script
