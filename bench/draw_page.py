"""The Draw page's server work per answer: the whole page script run as Streamlit runs it when
a new drawing arrives (decoding the canvas's PNG, both networks with saliency and the
not-a-digit score, the charts and images), in wall time and in this process's CPU time.

It runs the page through Streamlit's AppTest in this process, so the figures include AppTest's
own reading of the page's elements: an upper bound on what a served page costs. AppTest
compiles the scripts again at every run, which a server does once: the bench gives it one
script cache for all its runs, as a server has. The page reads with first launch's quick
MLP and CNN, trained into a home of its own.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from unittest import mock

from streamlit.runtime.scriptrunner.script_cache import ScriptCache
from streamlit.testing.v1 import AppTest

from bench.common import bench_home, percentiles, write
from core import settings
from tests.drawings import canvas_state, digit_canvas

ROOT = Path(__file__).resolve().parents[1]
CANVAS_KEY = "draw.canvas.0"
WARM_UP, REPEATS = 3, 40
GOAL_CPU_MS = 25.0


def draw_page() -> AppTest:
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    app.run()
    app.switch_page("views/draw.py")
    app.run()
    return app


def answers(app: AppTest, repeats: int) -> tuple[list[float], list[float]]:
    """Wall and CPU seconds of each page run for a new drawing."""
    states = [canvas_state(digit_canvas(i)) for i in range(20)]
    wall, cpu = [], []
    for i in range(repeats):
        app.session_state[CANVAS_KEY] = states[i % len(states)]
        started, cpu_started = time.perf_counter(), time.process_time()
        app.run()
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - cpu_started)
        if app.exception:
            raise RuntimeError(f"the Draw page failed: {app.exception[0].message}")
    return wall, cpu


def main() -> dict:
    shared = ScriptCache()
    with bench_home() as home, mock.patch.dict(os.environ, {settings.HOME_ENV: str(home),
                                                            settings.AUTOTRAIN_ENV: "0"}), \
            mock.patch("streamlit.testing.v1.app_test.ScriptCache", lambda: shared):
        app = draw_page()
        answers(app, WARM_UP)
        wall, cpu = answers(app, REPEATS)
    return write("draw_page", {"models": "first launch's quick MLP and CNN",
                               "per_answer_wall": percentiles(wall),
                               "per_answer_cpu": percentiles(cpu),
                               "goal_cpu_p50_ms": GOAL_CPU_MS})


if __name__ == "__main__":
    print(main())
