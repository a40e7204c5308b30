"""`/docs`: Swagger UI over the REST contract's OpenAPI document (`/v2/openapi.json`).

Swagger UI's files come from the `swagger-ui-bundle-v2` PyPI package (Swagger UI 5.x, which reads
OpenAPI 3.1), served by the app itself under versioned URLs: no CDN, so the page works offline, on an
intranet and under a strict Content-Security-Policy (scripts from this origin only, no inline script).
Swagger UI sets some styles inline, hence `style-src 'unsafe-inline'`; its icons are `data:` URLs.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse
from swagger_ui_bundle import swagger_ui_path

OPENAPI_PATH = "/v2/openapi.json"
ASSETS_PATH = "/docs/assets"
_VENDOR = Path(str(swagger_ui_path))
_VERSION = _VENDOR.name.removeprefix("swagger-ui-")  # the package's folder is `swagger-ui-<version>`
_OWN = Path(__file__).parent / "static"

# Asset name in the URL -> file. Vendor names carry the version, so they can be cached for good.
VENDOR_ASSETS = {
    f"swagger-ui-{_VERSION}.css": _VENDOR / "swagger-ui.css",
    f"swagger-ui-bundle-{_VERSION}.js": _VENDOR / "swagger-ui-bundle.js",
    f"favicon-{_VERSION}.png": _VENDOR / "favicon-32x32.png",
}
OWN_ASSETS = {"docs-init.js": _OWN / "docs-init.js"}

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    ]
)
PAGE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


async def docs_page(request: Request) -> HTMLResponse:
    """The Swagger UI page; every URL honours a mount prefix (`root_path`)."""
    prefix = request.scope.get("root_path", "")
    assets = escape(prefix + ASSETS_PATH, quote=True)
    openapi = escape(prefix + OPENAPI_PATH, quote=True)
    html = f"""<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>customers-gateway REST API</title>
    <link rel="icon" type="image/png" href="{assets}/favicon-{_VERSION}.png">
    <link rel="stylesheet" href="{assets}/swagger-ui-{_VERSION}.css">
  </head>
  <body>
    <div id="swagger-ui" data-openapi-url="{openapi}">Loading the API documentation from
      <a href="{openapi}">{openapi}</a>...</div>
    <script src="{assets}/swagger-ui-bundle-{_VERSION}.js"></script>
    <script src="{assets}/docs-init.js"></script>
  </body>
</html>
"""
    return HTMLResponse(html, headers=PAGE_HEADERS)


async def docs_asset(request: Request) -> FileResponse:
    """One file of the docs page; anything not listed is a 404 (no directory is exposed)."""
    name = request.path_params["name"]
    vendor = VENDOR_ASSETS.get(name)
    if vendor is not None:
        return FileResponse(vendor, headers={"Cache-Control": "public, max-age=31536000, immutable"})
    own = OWN_ASSETS.get(name)
    if own is not None:
        return FileResponse(own, headers={"Cache-Control": "no-cache"})
    raise HTTPException(status_code=404)
