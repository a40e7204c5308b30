"""The link that opens GraphiQL signed in: the token rides in the fragment, which browsers never send."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from app.graphql.ide import authorised_link


@pytest.mark.parametrize("base_url", ["http://127.0.0.1:8000", "http://127.0.0.1:8000/"])
def test_the_link_points_at_graphql_with_the_token_in_the_fragment(base_url: str) -> None:
    link = authorised_link(base_url, "HZUiVYIIx0Xv-wkyZ_aUg2")

    assert link == "http://127.0.0.1:8000/graphql#token=HZUiVYIIx0Xv-wkyZ_aUg2"
    parts = urlsplit(link)
    assert parts.path == "/graphql" and parts.query == ""


def test_a_token_with_reserved_characters_survives_the_round_trip() -> None:
    token = "a+b/c=d&e#f g"
    link = authorised_link("https://gateway.example.com", token)

    assert parse_qs(urlsplit(link).fragment) == {"token": [token]}
    assert "#" not in urlsplit(link).fragment
