"""How many worker processes a run uses by default (without importing ``multiprocessing``,
which a run served by the caches never needs)."""

from __future__ import annotations

import os

MAX_DEFAULT_JOBS = 8


def default_jobs() -> int:
    """Workers to use when ``--jobs`` is not given: the CPUs this process may run on, at most 8."""
    try:
        available = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        available = os.cpu_count() or 1
    return max(1, min(available, MAX_DEFAULT_JOBS))
