"""The Draw page's server work per answer, measured on the real server: one Chromium draws
a stroke, waits for both networks' answers, presses Clear, and again, while the server's CPU
time is read from /proc around each answer and each Clear.

On two cores or more the browser keeps to one core and the server to another, so the
figures are the server's alone. The server's CPU time while idle (Streamlit polls its config
files five times a second) is measured first and taken off pro rata. The page reads with
first launch's quick MLP and CNN, trained into a home of its own.
"""

from __future__ import annotations

import random
import time

from playwright.sync_api import sync_playwright

from bench.common import bench_home, percentiles, write
from bench.sessions import cpu_seconds, cpu_split, on_cpus, server_env
from tests.e2e.browser import (
    CHROMIUM,
    app_server,
    clear_canvas,
    launch,
    open_draw,
    predicted_digits,
    stroke,
)

WARM_UP, REPEATS, IDLE_S = 3, 30, 5.0
GOAL_CPU_MS = 25.0


class Meter:
    """A server's CPU time spent on chosen stretches, less its idle rate."""

    def __init__(self, pid: int) -> None:
        self.pid, self.idle_per_s = pid, 0.0

    def measure_idle(self, seconds: float) -> None:
        started = cpu_seconds(self.pid)
        time.sleep(seconds)
        self.idle_per_s = (cpu_seconds(self.pid) - started) / seconds

    def cost(self, work) -> float:
        """Run `work()`; return the server's CPU seconds it took."""
        cpu, started = cpu_seconds(self.pid), time.perf_counter()
        work()
        return cpu_seconds(self.pid) - cpu - self.idle_per_s * (time.perf_counter() - started)


def one_stroke_at(rng: random.Random) -> list[tuple[float, float]]:
    """A "1" somewhere on the canvas, so that every drawing is a new one."""
    x = rng.uniform(90, 190)
    return [(x + rng.uniform(-4, 4), 40 + 10 * i) for i in range(21)]


def cycles(page, meter: Meter, repeats: int) -> dict[str, list[float]]:
    """Draw, wait for both answers, Clear: `repeats` times; the server's CPU time for each
    answer and each Clear, and the wall time from the mouse's release to both answers."""
    rng, seen = random.Random(0), {"answer_cpu": [], "release_to_answers": [], "clear_cpu": []}
    for _ in range(repeats):
        def answer() -> None:
            stroke(page, one_stroke_at(rng))  # ends with the mouse's release
            released = time.perf_counter()
            predicted_digits(page)
            seen["release_to_answers"].append(time.perf_counter() - released)

        seen["answer_cpu"].append(meter.cost(answer))
        seen["clear_cpu"].append(meter.cost(lambda: clear_canvas(page)))
    return seen


def main() -> dict:
    if not CHROMIUM.exists():
        return write("draw_page", {"skipped": f"no Chromium at {CHROMIUM}"})
    browser_cpus, server_cpus = cpu_split()
    with bench_home() as home, app_server(server_env(home), cpus=server_cpus) as (url, server), \
            on_cpus(browser_cpus), sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        open_draw(page, url)
        meter = Meter(server.pid)
        cycles(page, meter, WARM_UP)
        meter.measure_idle(IDLE_S)
        seen = cycles(page, meter, REPEATS)
        browser.close()
    answer_ms, clear_ms = (1000 * sum(seen[k]) / REPEATS for k in ("answer_cpu", "clear_cpu"))
    return write("draw_page", {
        "models": "first launch's quick MLP and CNN", "answers": REPEATS,
        "server_on_cpus": sorted(server_cpus or ()), "browser_on_cpus": sorted(browser_cpus or ()),
        "server_idle_cpu_ms_per_s": round(1000 * meter.idle_per_s, 1),
        "server_cpu_ms_per_answer": round(answer_ms, 1),
        "server_cpu_ms_per_clear": round(clear_ms, 1),
        "release_to_answers": percentiles(seen["release_to_answers"]),
        "goal_cpu_ms_per_answer": GOAL_CPU_MS})


if __name__ == "__main__":
    print(main())
