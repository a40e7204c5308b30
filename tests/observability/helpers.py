"""Reading `/metrics` in tests: one sample's value, by name and labels."""

from __future__ import annotations

import httpx
from prometheus_client.parser import text_string_to_metric_families


def sample_value(exposition: str, name: str, **labels: str) -> float:
    """The value of the sample `name` with (at least) these labels; 0 when there is none."""
    total = 0.0
    for family in text_string_to_metric_families(exposition):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                total += sample.value
    return total


async def scrape(client: httpx.AsyncClient) -> str:
    """The text of GET /metrics (which must answer 200)."""
    response = await client.get("/metrics")
    assert response.status_code == 200, response.text
    return response.text
