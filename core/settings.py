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
MAX_VERSIONS_ENV = "NEURAL_CANVAS_MAX_VERSIONS"
STORE_BUDGET_ENV = "NEURAL_CANVAS_STORE_BUDGET_MB"
QUICK_SECONDS_ENV = "NEURAL_CANVAS_QUICK_SECONDS"
# A laptop's share: five versions of every model, and the whole store within 2 GB.
DEFAULT_MAX_VERSIONS = 5
DEFAULT_STORE_BUDGET_MB = 2000


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
    return _positive_number(MAX_JOBS_ENV, 1)


def max_versions() -> int:
    """Return how many versions of each model the store keeps (the one in use among them)."""
    return _positive_number(MAX_VERSIONS_ENV, DEFAULT_MAX_VERSIONS)


def store_budget_bytes() -> int:
    """Return the disk space the store's versions may take (the ones in use always stay)."""
    return _positive_number(STORE_BUDGET_ENV, DEFAULT_STORE_BUDGET_MB) * 1_000_000


def quick_seconds() -> int | None:
    """Return how many seconds each of first launch's quick recipes trains, when set (None:
    each recipe's own budget): longer for better first models, shorter for a quick look."""
    seconds = _positive_number(QUICK_SECONDS_ENV, 0) if QUICK_SECONDS_ENV in os.environ else 0
    return seconds or None


def _positive_number(variable: str, default: int) -> int:
    """Read a whole number of at least 1 from the environment (the default if unreadable)."""
    try:
        return max(1, int(os.environ.get(variable, default)))
    except ValueError:
        return default


def trust_local() -> bool:
    """Say whether a browser on the server's own machine is the instructor without the code
    (on unless set to 0: behind a proxy every connection looks local)."""
    return _switched_on(TRUST_LOCAL_ENV)
