"""GraphiQL, served by the app itself: the page, its strict Content-Security-Policy and the vendored assets.

No CDN and no inline script: the page loads React, ReactDOM and GraphiQL from /graphql/static/ and
starts the IDE with static/graphiql-init.js. GraphiQL's dialogs (react-remove-scroll) insert a <style>
element, hence `style-src 'unsafe-inline'` (scripts stay 'self' only); its fonts are `data:` URLs.

The page keeps its headers in the browser (localStorage) and takes an access token from the address's
fragment (`authorised_link`), so the token never reaches the server in a request line or a log.
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles

STATIC_DIRECTORY = Path(__file__).parent / "static"
STATIC_PATH = "/graphql/static"

GRAPHIQL_VERSION = "3.8.3"
REACT_VERSION = "18.3.1"

STYLESHEETS = (
    f"vendor/graphiql-{GRAPHIQL_VERSION}/graphiql.min.css",
    "graphiql-page.css",
)
SCRIPTS = (
    f"vendor/react-{REACT_VERSION}/react.production.min.js",
    f"vendor/react-dom-{REACT_VERSION}/react-dom.production.min.js",
    f"vendor/graphiql-{GRAPHIQL_VERSION}/graphiql.min.js",
    "graphiql-init.js",
)

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "font-src 'self' data:",
        "img-src 'self' data:",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    ]
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def authorised_link(base_url: str, access_token: str) -> str:
    """The GraphiQL address that opens already signed in with this token.

    The token rides in the fragment (`#token=...`): browsers never send a fragment, so it stays out of
    request lines, access logs and Referer headers. The page moves it into its Authorization header and
    removes it from the address bar (static/graphiql-init.js).
    """
    return f"{base_url.rstrip('/')}/graphql#{urlencode({'token': access_token})}"


def wants_html(request: Request) -> bool:
    """True for a browser navigating to /graphql (it asks for text/html)."""
    return "text/html" in request.headers.get("accept", "")


def graphiql_page(request: Request) -> HTMLResponse:
    """The GraphiQL page; asset URLs honour a mount prefix (`root_path`)."""
    base = escape(request.scope.get("root_path", "") + STATIC_PATH, quote=True)
    links = "\n".join(f'    <link rel="stylesheet" href="{base}/{path}">' for path in STYLESHEETS)
    scripts = "\n".join(f'    <script src="{base}/{path}"></script>' for path in SCRIPTS)
    html = f"""<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>customers-gateway GraphiQL</title>
    <link rel="icon" href="data:,">
{links}
  </head>
  <body>
    <div id="graphiql">Loading GraphiQL...</div>
{scripts}
  </body>
</html>
"""
    return HTMLResponse(html, headers=SECURITY_HEADERS)


def static_routes() -> list[BaseRoute]:
    """The vendored GraphiQL assets under /graphql/static/ (no authentication: they hold no data)."""
    return [Mount(STATIC_PATH, app=StaticFiles(directory=STATIC_DIRECTORY), name="graphql-static")]
