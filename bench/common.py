"""Small helpers shared by the benchmarks: medians, spreads, percentiles, the machine."""

from __future__ import annotations

import os
import platform
import statistics
import sys
from collections.abc import Sequence
from typing import Any


def median(values: Sequence[float]) -> float:
    """The median, rounded for printing; 0.0 for no values."""
    return round(statistics.median(values), 4) if values else 0.0


def spread(values: Sequence[float]) -> dict[str, float]:
    """Min and max of the repeats, so a quoted median shows how much it moved."""
    return {"min": round(min(values), 4), "max": round(max(values), 4)} if values else {}


def percentile(values: Sequence[float], p: float) -> float:
    """The ``p``-th percentile (0-100) by nearest rank on the sorted values; 0.0 for none."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))]


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    import textual

    return {
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "textual": textual.__version__,
        "platform": f"{platform.system()} {platform.machine()}",
        "load_average_1m": round(os.getloadavg()[0], 2),
        "executable": sys.executable,
    }
