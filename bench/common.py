"""Shared bits of the benchmarks: timing statistics and where results go."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from core import settings

RESULTS = Path(__file__).resolve().parent / "results"


def percentiles(samples_s: list[float]) -> dict[str, float]:
    """Return p50/p95/mean of timings in milliseconds."""
    ms = np.asarray(samples_s) * 1000.0
    return {"p50_ms": round(float(np.percentile(ms, 50)), 2),
            "p95_ms": round(float(np.percentile(ms, 95)), 2),
            "mean_ms": round(float(ms.mean()), 2), "n": len(ms)}


def write(name: str, result: dict) -> dict:
    """Save one benchmark's result as bench/results/NAME.json, stamped with the machine."""
    RESULTS.mkdir(exist_ok=True)
    result = {"benchmark": name, "measured_at": time.strftime("%Y-%m-%d %H:%M:%S"),
              "machine": f"{platform.machine()}, {platform.processor() or 'cpu'}", **result}
    (RESULTS / f"{name}.json").write_text(json.dumps(result, indent=2))
    return result


def core_command(home: Path, *args: str) -> dict:
    """Run `python -m core ARGS` with `home` as its home; return its last line's JSON."""
    env = os.environ | {settings.HOME_ENV: str(home)}
    done = subprocess.run([sys.executable, "-m", "core", *args], env=env, capture_output=True,
                          text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])
