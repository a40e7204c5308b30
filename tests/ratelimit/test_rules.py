"""The fixed-window rule and the header fields, without any store."""

from __future__ import annotations

import pytest

from app.ratelimit.headers import rate_limit_headers
from app.ratelimit.rules import UNCOUNTED, Decision, Policy, charge_window, points_to_count

POLICY = Policy(limit=5, window_seconds=60)


def test_a_new_window_admits_and_counts() -> None:
    result, used, left = charge_window(used=0, window_left_ms=None, points=2, policy=POLICY)
    assert (result.allowed, result.remaining, result.reset_seconds, used, left) == (True, 3, 60, 2, 60_000)


def test_charges_are_admitted_up_to_the_limit_exactly() -> None:
    result, used, _ = charge_window(used=4, window_left_ms=30_000, points=1, policy=POLICY)
    assert (result.allowed, result.remaining, used) == (True, 0, 5)
    refused, used, left = charge_window(used=5, window_left_ms=30_000, points=1, policy=POLICY)
    assert (refused.allowed, refused.remaining, used, left) == (False, 0, 5, 30_000)


def test_a_refused_charge_costs_nothing() -> None:
    refused, used, _ = charge_window(used=4, window_left_ms=10_000, points=3, policy=POLICY)
    assert not refused.allowed
    assert used == 4
    assert refused.remaining == 1  # a smaller charge still fits


def test_retry_after_is_the_end_of_the_window_rounded_up() -> None:
    refused, _, _ = charge_window(used=5, window_left_ms=12_001, points=1, policy=POLICY)
    assert (refused.retry_after_seconds, refused.reset_seconds) == (13, 13)
    nearly_over, _, _ = charge_window(used=5, window_left_ms=1, points=1, policy=POLICY)
    assert nearly_over.retry_after_seconds == 1


def test_an_ended_window_starts_afresh() -> None:
    result, used, left = charge_window(used=5, window_left_ms=0, points=1, policy=POLICY)
    assert (result.allowed, used, left) == (True, 1, 60_000)


@pytest.mark.parametrize(("points", "counted"), [(0, 1), (-3, 1), (1, 1), (5, 5), (6, 5), (10_000, 5)])
def test_a_charge_counts_at_least_one_point_and_at_most_the_budget(points: int, counted: int) -> None:
    assert points_to_count(points, POLICY) == counted


def test_a_charge_larger_than_the_budget_passes_only_in_a_fresh_window() -> None:
    fresh, used, _ = charge_window(used=0, window_left_ms=None, points=50, policy=POLICY)
    assert (fresh.allowed, used, fresh.remaining) == (True, 5, 0)
    started, _, _ = charge_window(used=1, window_left_ms=5_000, points=50, policy=POLICY)
    assert not started.allowed


def test_headers_of_an_admitted_charge() -> None:
    result, _, _ = charge_window(used=0, window_left_ms=None, points=1, policy=POLICY)
    assert rate_limit_headers(result) == {
        "RateLimit-Limit": "5",
        "RateLimit-Remaining": "4",
        "RateLimit-Reset": "60",
        "RateLimit-Policy": "5;w=60",
    }


def test_headers_of_a_refusal_add_retry_after() -> None:
    refused, _, _ = charge_window(used=5, window_left_ms=7_500, points=1, policy=POLICY)
    headers = rate_limit_headers(refused)
    assert headers["Retry-After"] == "8"
    assert headers["RateLimit-Remaining"] == "0"


def test_an_uncounted_decision_has_no_headers() -> None:
    assert rate_limit_headers(UNCOUNTED) == {}
    assert UNCOUNTED.allowed
    assert Decision(allowed=True, counted=False).retry_after_seconds == 0


def test_a_zero_limit_means_the_budget_is_off() -> None:
    assert not Policy(limit=0, window_seconds=60).enabled
    assert POLICY.enabled
