"""REST endpoints of webhook endpoints (extension, scope `webhooks`): register, list, retrieve, change,
delete, and the attempts made to deliver to one. Bodies and parameters go to the service raw; it
validates them (app/webhooks/rules.py)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from app.http.json_codec import JSONResponse
from app.rest.endpoints import decode_object
from app.rest.wire import APPROVED
from app.runtime import Services
from app.webhooks.published import attempt_object, endpoint_object


async def create_endpoint(request: Request, services: Services, merchant_id: int, body: bytes) -> Response:
    """`POST /v2/webhook-endpoints` `{url, event_types?, description?}`: the endpoint and its `secret`,
    shown this once."""
    created = await services.webhooks.create_endpoint(merchant_id=merchant_id, data=decode_object(body))
    return JSONResponse(
        {"status": APPROVED, **endpoint_object(created.endpoint), "secret": created.secret},
        headers={"Cache-Control": "no-store"},
    )


async def list_endpoints(request: Request, services: Services, merchant_id: int, body: bytes) -> Response:
    """`GET /v2/webhook-endpoints`: every endpoint of the merchant, newest first."""
    found = await services.webhooks.list_endpoints(merchant_id=merchant_id)
    return JSONResponse({"status": APPROVED, "data": [endpoint_object(endpoint) for endpoint in found]})


async def get_endpoint(request: Request, services: Services, merchant_id: int, body: bytes) -> Response:
    """`GET /v2/webhook-endpoints/{id}`."""
    endpoint = await services.webhooks.get_endpoint(
        merchant_id=merchant_id, endpoint_id=request.path_params["id"]
    )
    return JSONResponse({"status": APPROVED, **endpoint_object(endpoint)})


async def update_endpoint(request: Request, services: Services, merchant_id: int, body: bytes) -> Response:
    """`POST /v2/webhook-endpoints/{id}` `{url?, event_types?, description?, enabled?}`."""
    endpoint = await services.webhooks.update_endpoint(
        merchant_id=merchant_id, endpoint_id=request.path_params["id"], data=decode_object(body)
    )
    return JSONResponse({"status": APPROVED, **endpoint_object(endpoint)})


async def delete_endpoint(request: Request, services: Services, merchant_id: int, body: bytes) -> Response:
    """`DELETE /v2/webhook-endpoints/{id}`: the endpoint as it was, `deleted: true`."""
    endpoint = await services.webhooks.delete_endpoint(
        merchant_id=merchant_id, endpoint_id=request.path_params["id"]
    )
    return JSONResponse({"status": APPROVED, **endpoint_object(endpoint), "deleted": True})


async def list_attempts(request: Request, services: Services, merchant_id: int, body: bytes) -> Response:
    """`GET /v2/webhook-endpoints/{id}/attempts?limit&offset`: newest first."""
    query = request.query_params
    page = await services.webhooks.list_attempts(
        merchant_id=merchant_id,
        endpoint_id=request.path_params["id"],
        limit=query.get("limit"),
        offset=query.get("offset"),
    )
    return JSONResponse({"status": APPROVED, "data": [attempt_object(attempt) for attempt in page.items]})
