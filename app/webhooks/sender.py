"""One delivery attempt over HTTP: a signed POST of the event (Standard Webhooks), its outcome measured."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime

import httpx
from standardwebhooks.webhooks import Webhook

from app.webhooks.rules import clip_error
from app.webhooks.targets import Target, UnsafeTarget, resolve

USER_AGENT = "customers-gateway-webhooks/1"


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one attempt came to: a 2xx is success; anything else, or no answer, a failure."""

    succeeded: bool
    status_code: int | None
    duration_ms: int
    error: str | None


def signed_headers(*, secret: str, message_id: str, timestamp: datetime, body: bytes) -> dict[str, str]:
    """The Standard Webhooks headers of one message: id, timestamp, `v1,<signature>`."""
    signature = Webhook(secret).sign(msg_id=message_id, timestamp=timestamp, data=body.decode())
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(timestamp.timestamp())),
        "webhook-signature": signature,
    }


async def deliver(
    client: httpx.AsyncClient,
    *,
    url: str,
    body: bytes,
    headers: dict[str, str],
    allow_private: bool,
) -> Outcome:
    """POST `body` to `url` once. The address is checked first; redirects are not followed (a 3xx is a
    failure), so an endpoint cannot send a delivery on to an address it could not be registered with."""
    started = time.perf_counter()

    def outcome(status: int | None, error: str | None) -> Outcome:
        elapsed = round((time.perf_counter() - started) * 1000)
        succeeded = status is not None and 200 <= status < 300
        return Outcome(succeeded, status, elapsed, None if error is None else clip_error(error))

    try:
        target: Target = await resolve(url, allow_private=allow_private)
    except UnsafeTarget as refused:
        return outcome(None, f"refused: {refused}")
    request_headers = {
        **headers,
        "host": target.host_header,
        "content-type": "application/json",
        "user-agent": USER_AGENT,
    }
    try:
        response = await client.post(
            target.connect_url,
            content=body,
            headers=request_headers,
            follow_redirects=False,
            extensions={"sni_hostname": target.host},
        )
    except httpx.TimeoutException:
        return outcome(None, "timed out")
    except httpx.HTTPError as error:
        return outcome(None, f"{type(error).__name__}: {error}" if str(error) else type(error).__name__)
    if 300 <= response.status_code < 400:
        return outcome(response.status_code, "redirects are not followed")
    if not 200 <= response.status_code < 300:
        return outcome(response.status_code, f"answered {response.status_code}")
    return outcome(response.status_code, None)
