"""`/`: a small page linking everything a person can open in a browser.

No script at all and one inline stylesheet, allowed by its hash: the page works under the strictest
Content-Security-Policy and loads nothing from anywhere.
"""

from __future__ import annotations

import base64
import hashlib
from html import escape

from starlette.requests import Request
from starlette.responses import HTMLResponse

_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:44rem;margin:3rem auto;padding:0 1rem;"
    "line-height:1.5;color:#1f2328}"
    "a{color:#0969da}code{background:#f6f8fa;padding:0 .25rem;border-radius:4px}"
    "li{margin:.35rem 0}"
)
_STYLE_HASH = base64.b64encode(hashlib.sha256(_STYLE.encode()).digest()).decode()

CONTENT_SECURITY_POLICY = (
    f"default-src 'none'; style-src 'sha256-{_STYLE_HASH}'; img-src data:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
PAGE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}

# (path, title, what it is); paths are relative to the app's root.
LINKS = (
    ("/graphql", "GraphiQL", "explore and run GraphQL operations (paste an Authorization header)"),
    ("/docs", "REST API docs", "the /v2 contract, rendered by Swagger UI"),
    ("/v2/openapi.json", "OpenAPI document", "the REST contract as OpenAPI 3.1 JSON"),
    ("/healthz", "/healthz", "liveness: the process answers"),
    ("/readyz", "/readyz", "readiness: the database answers and is migrated"),
    ("/metrics", "/metrics", "Prometheus metrics"),
)


async def home_page(request: Request) -> HTMLResponse:
    """The root page; links honour a mount prefix (`root_path`)."""
    prefix = request.scope.get("root_path", "")
    items = "\n".join(
        f'      <li><a href="{escape(prefix + path, quote=True)}">{escape(title)}</a>: {escape(text)}</li>'
        for path, title, text in LINKS
    )
    html = f"""<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>customers-gateway</title>
    <link rel="icon" href="data:,">
    <style>{_STYLE}</style>
  </head>
  <body>
    <h1>customers-gateway</h1>
    <p>Customer records of merchants, served as the gateway's REST <code>/v2</code> API and as GraphQL.</p>
    <ul>
{items}
    </ul>
  </body>
</html>
"""
    return HTMLResponse(html, headers=PAGE_HEADERS)
