"""What the app does when a server starts it (its lifespan)."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from app.main import create_app
from app.settings import Settings


@pytest.fixture
def unfrozen_afterwards() -> Iterator[None]:
    yield
    gc.unfreeze()  # the test process goes on collecting as before


async def test_startup_moves_the_built_app_out_of_the_collectors_reach(
    settings: Settings, unfrozen_afterwards: None
) -> None:
    gc.unfreeze()
    app = create_app(settings)
    built = [app.state.services, app.router]

    async with app.router.lifespan_context(app):
        frozen = gc.get_freeze_count()
        tracked = {id(item) for item in gc.get_objects()}

    assert frozen > 10_000  # modules, the schema, the engines
    # what full collections walk no longer includes the app that was built before startup
    assert not any(id(item) in tracked for item in built)
