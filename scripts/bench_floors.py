"""The benchmark's floors, served on the same uvicorn settings as the product (not part of `app/`).

(a) `/floor/bare/{uuid}`: a bare Starlette route returning a fixed customer JSON: the cost of the
    framework and server alone.
(b) `/floor/raw/{uuid}`: the same lookup the product does (a customer by uuid), done with raw aiosqlite on
    one kept connection over the same database file: the cost of the database alone.

Run: `python scripts/bench_floors.py DATABASE_FILE PORT`.
"""

from __future__ import annotations

import json
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiosqlite
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

FIXED_CUSTOMER = json.dumps(
    {
        "status": "approved",
        "uuid": "3f1b2c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
        "merchant_customer_id": "seed-3f1b2c4d-1",
        "description": None,
        "email": "customer1@example.com",
        "name": "Customer 1",
        "phone": None,
        "metadata": {"tier": "standard"},
        "zip_code": None,
        "city": "Springfield",
        "address": None,
        "country": "US",
        "deleted": False,
        "created_at": "2026-11-28T12:45:30.675+00:00",
        "updated_at": "2026-11-28T12:45:30.675+00:00",
        "deleted_at": None,
    }
).encode()
COLUMNS = (
    "uuid, merchant_customer_id, description, email, name, phone, metadata, zip_code, city, address, "
    "country, created_at, updated_at, deleted_at"
)


def build_app(database_file: str) -> Starlette:
    """The floors app over one SQLite file."""
    state: dict[str, aiosqlite.Connection] = {}

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        state["db"] = await aiosqlite.connect(database_file)
        yield
        await state["db"].close()

    async def bare(request: Request) -> Response:
        return Response(FIXED_CUSTOMER, media_type="application/json")

    async def raw(request: Request) -> Response:
        cursor = await state["db"].execute(
            f"SELECT {COLUMNS} FROM customers WHERE uuid = ?", (request.path_params["uuid"],)
        )
        row = await cursor.fetchone()
        await cursor.close()
        if row is None:
            return Response(b'{"status":"invalid-request"}', status_code=404, media_type="application/json")
        names = [name.strip() for name in COLUMNS.split(",")]
        body = dict(zip(names, row, strict=True))
        body["metadata"] = json.loads(body["metadata"])
        return Response(json.dumps({"status": "approved", **body}).encode(), media_type="application/json")

    return Starlette(
        routes=[Route("/floor/bare/{uuid}", bare), Route("/floor/raw/{uuid}", raw)], lifespan=lifespan
    )


if __name__ == "__main__":
    uvicorn.run(build_app(sys.argv[1]), host="127.0.0.1", port=int(sys.argv[2]), log_level="warning")
