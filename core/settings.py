"""Where Neural Canvas keeps its files and which environment variables change that."""

from __future__ import annotations

import os
from pathlib import Path

HOME_ENV = "NEURAL_CANVAS_HOME"
AUTOTRAIN_ENV = "NEURAL_CANVAS_AUTOTRAIN"
MAX_JOBS_ENV = "NEURAL_CANVAS_MAX_JOBS"
INSTRUCTOR_CODE_ENV = "NEURAL_CANVAS_INSTRUCTOR_CODE"
TRUST_LOCAL_ENV = "NEURAL_CANVAS_TRUST_LOCAL"
HOST_ENV = "NEURAL_CANVAS_HOST"


def home_dir() -> Path:
    """Return the root of all cached data and models (created on demand)."""
    root = Path(os.environ.get(HOME_ENV) or Path.home() / ".cache" / "neural-canvas")
    root.mkdir(parents=True, exist_ok=True)
    return root


def data_dir() -> Path:
    """Return the folder that holds the verified dataset caches (.npz)."""
    path = home_dir() / "data"
    path.mkdir(parents=True, exist_ok=True)
    return path


def models_dir() -> Path:
    """Return the folder of the model store."""
    path = home_dir() / "models"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _switched_on(variable: str) -> bool:
    """Read an on/off environment variable that is on unless set to 0, false or no."""
    return os.environ.get(variable, "1") not in {"0", "false", "no"}


def autotrain_enabled() -> bool:
    """Say whether the app may train missing default models on its own (on unless set to 0)."""
    return _switched_on(AUTOTRAIN_ENV)


def max_concurrent_jobs() -> int:
    """Return how many training jobs may run at once (1 on a CPU unless configured)."""
    value = os.environ.get(MAX_JOBS_ENV, "1")
    try:
        return max(1, int(value))
    except ValueError:
        return 1


def trust_local() -> bool:
    """Say whether a browser on the server's own machine is the instructor without the code
    (on unless set to 0: behind a proxy every connection looks local)."""
    return _switched_on(TRUST_LOCAL_ENV)
