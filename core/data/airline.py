"""The lecture's series: monthly airline passengers (thousands), 1949-1960, and its windows."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

SERIES = Path(__file__).resolve().parents[2] / "assets" / "airline-passengers.csv"


def load_series(path: Path = SERIES) -> tuple[list[str], np.ndarray]:
    """Return the months ('1949-01', ...) and the passengers (thousands) as float32."""
    with path.open(newline="") as file:
        rows = list(csv.DictReader(file))
    if not rows:
        raise ValueError(f"{path} holds no months.")
    return [row["Month"] for row in rows], np.array([float(row["Passengers"]) for row in rows],
                                                    dtype=np.float32)


def windows(series: np.ndarray, look_back: int) -> tuple[np.ndarray, np.ndarray]:
    """Every run of `look_back` values (n, look_back) and the value after each (n,)."""
    if not 1 <= look_back < len(series):
        raise ValueError(f"look_back must be between 1 and {len(series) - 1}.")
    inputs = np.lib.stride_tricks.sliding_window_view(series[:-1], look_back)
    return inputs.copy(), series[look_back:].copy()
