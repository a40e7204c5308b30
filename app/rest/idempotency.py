"""The REST side of idempotency keys: the `Idempotency-Key` header on writes (POST and DELETE).

The mechanism lives in `app.idempotency.service`; here only what REST calls "the request" (method, path,
query and raw body), the JSON body it keeps, and the HTTP status of a kept outcome (200 for a success,
the domain error's status otherwise). A replayed answer carries `Idempotent-Replayed: true`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response

from app.errors import DomainError
from app.idempotency import outcomes
from app.rest.errors import domain_error_response, status_for_class
from app.runtime import Services

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"

Handler = Callable[[Request, Services, int, bytes], Awaitable[Response]]


def _body(response: Response) -> str:
    return bytes(response.body).decode()


def _render_error(error: DomainError) -> str:
    return _body(domain_error_response(error))


def status_of(outcome: str) -> int:
    """The HTTP status that answers a kept outcome."""
    error_class = outcomes.error_class_of(outcome)
    return 200 if error_class is None else status_for_class(error_class)


async def keyed_write(
    request: Request, services: Services, merchant_id: int, body: bytes, handler: Handler
) -> Response:
    """Run a write, once per Idempotency-Key when the client sent one (without it: just run it)."""
    key = request.headers.get(HEADER)
    if key is None:
        return await handler(request, services, merchant_id, body)

    async def execute() -> str:
        return _body(await handler(request, services, merchant_id, body))

    answer = await services.idempotency.run(
        merchant_id=merchant_id,
        key=key,
        field=HEADER,
        request=(
            b"rest",
            request.method.encode(),
            request.scope["path"].encode(),
            request.scope.get("query_string", b""),
            body,
        ),
        execute=execute,
        render_error=_render_error,
    )
    headers = {REPLAYED_HEADER: "true"} if answer.replayed else None
    status = status_of(answer.outcome)
    return Response(answer.body, status_code=status, media_type="application/json", headers=headers)
