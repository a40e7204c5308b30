"""Run by `migrate` and `serve` once the schema is up to date: merchant keys encrypted at rest.

Rows written before keys were encrypted (or sealed with a server key since rotated out) are re-encrypted
with the current server key, so no plaintext key stays on disk after the first start. It also creates
the local key file, once, before any worker process starts.
"""

from __future__ import annotations

import asyncio

from app.runtime import Services
from app.settings import Settings


async def reseal_merchant_keys(settings: Settings) -> int:
    """Re-encrypt every stored merchant key that needs it; how many did."""
    services = Services.from_settings(settings)
    try:
        return await services.merchants.reseal_merchant_keys()
    finally:
        await services.close()


def reseal_merchant_keys_sync(settings: Settings) -> int:
    """`reseal_merchant_keys` for callers outside an event loop (the CLI)."""
    return asyncio.run(reseal_merchant_keys(settings))
