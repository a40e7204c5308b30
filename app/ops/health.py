"""`/healthz` (the process answers) and `/readyz` (the database answers and has the newest schema).

Both are unauthenticated and tiny. A load balancer should route to an instance only while `/readyz` is
200; an orchestrator should restart it only when `/healthz` fails. `/readyz` never says why the database
failed (that is logged), only which check did.
"""

from __future__ import annotations

import asyncio
import logging

from starlette.requests import Request

from app.http.json_codec import JSONResponse
from app.migrations.status import applied_revisions, head_revisions
from app.runtime import Services

logger = logging.getLogger("app.ops")

# A probe that hangs is worse than one that fails: orchestrators time out and mark the instance anyway.
READINESS_TIMEOUT_SECONDS = 3.0
_NO_STORE = {"Cache-Control": "no-store"}


async def healthz(request: Request) -> JSONResponse:
    """Liveness: the process answers."""
    return JSONResponse({"status": "ok"}, headers=_NO_STORE)


def _unavailable(reason: str) -> JSONResponse:
    return JSONResponse({"status": "unavailable", "reason": reason}, status_code=503, headers=_NO_STORE)


async def readyz(request: Request) -> JSONResponse:
    """Readiness: 200 when the database is reachable and migrated to the head revision, else 503."""
    services: Services = request.app.state.services
    try:
        async with asyncio.timeout(READINESS_TIMEOUT_SECONDS), services.database.reader() as conn:
            try:
                applied = await applied_revisions(conn)
            except Exception as error:  # no alembic_version table: the database was never migrated
                logger.warning("readiness: cannot read the schema revision: %s", type(error).__name__)
                return _unavailable("database not migrated")
    except Exception as error:  # connection refused, timeout, authentication, missing server...
        logger.warning("readiness: database unreachable: %s", type(error).__name__)
        return _unavailable("database unreachable")
    if applied != head_revisions():
        logger.warning("readiness: schema at %s, code expects %s", sorted(applied), sorted(head_revisions()))
        return _unavailable("database not migrated")
    return JSONResponse({"status": "ok"}, headers=_NO_STORE)
