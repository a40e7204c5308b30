"""REST endpoints of the events feed (extension): `GET /v2/events` and `GET /v2/events/{id}`.

Query parameters go to the service raw; it validates them (app/events/rules.py, app/paging.py).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from app.events.published import event_object
from app.http.json_codec import JSONResponse
from app.rest.wire import APPROVED
from app.runtime import Services


async def list_events(request: Request, services: Services, merchant_id: int, body: bytes) -> Response:
    """`GET /v2/events?limit&offset&type&customer_uuid`: newest first; `type` repeats or lists with commas."""
    query = request.query_params
    page = await services.events.list_events(
        merchant_id=merchant_id,
        limit=query.get("limit"),
        offset=query.get("offset"),
        types=query.getlist("type"),
        customer_uuid=query.get("customer_uuid"),
    )
    return JSONResponse({"status": APPROVED, "data": [event_object(event) for event in page.items]})


async def get_event(request: Request, services: Services, merchant_id: int, body: bytes) -> Response:
    """`GET /v2/events/{id}`: the event with `status` in front, as a retrieved customer has it."""
    event = await services.events.get(merchant_id=merchant_id, event_id=request.path_params["id"])
    return JSONResponse({"status": APPROVED, **event_object(event)})
