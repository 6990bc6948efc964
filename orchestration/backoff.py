"""How long a failed task waits before its next attempt."""

from __future__ import annotations

import random

from django.conf import settings


def backoff_ceiling(attempt: int, *, base: float, cap: float) -> float:
    """The longest wait after failed attempt number `attempt` (1-based): base doubling each time, up to cap."""
    return min(cap, base * 2 ** (attempt - 1))


def full_jitter(
    attempt: int, *, base: float | None = None, cap: float | None = None, rng: random.Random | None = None
) -> float:
    """A delay drawn uniformly between 0 and the ceiling ("full jitter"): tasks that failed together,
    e.g. when a provider was briefly down, spread their retries instead of returning all at once."""
    base = settings.TASK_BACKOFF_BASE_S if base is None else base
    cap = settings.TASK_BACKOFF_CAP_S if cap is None else cap
    return (rng or random).uniform(0, backoff_ceiling(attempt, base=base, cap=cap))
