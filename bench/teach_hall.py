"""Thirty students in browsers sending drawings of new symbols into the class's pool at once,
through the Teach page as a student uses it (the sessions benchmark's harness): each opens
the page, turns on "Send my drawings to the class's examples", then draws a symbol with the
mouse and presses its button, five times, a few seconds apart. A send counts as
acknowledged when the page takes the drawing (its canvas is cleared for the next one). The
figure: errors, and the pool's count against the sends acknowledged (none lost, none
doubled). The browsers keep to one core and the server to the other, as in bench.sessions.

    python -m bench.teach_hall
"""

from __future__ import annotations

import asyncio
import os
import random
import tempfile
import time
from pathlib import Path

from playwright.async_api import TimeoutError as PlaywrightTimeout
from playwright.async_api import async_playwright

from bench.common import home_restored, percentiles, write
from bench.sessions import cpu_seconds, cpu_split, guarded, on_cpus, stage
from core import settings
from core.data import symbol_pool
from tests.e2e.browser import (
    CANVAS,
    CHROMIUM,
    CHROMIUM_ARGS,
    ENABLED_AND_IDLE,
    IDLE,
    SYMBOLS,
    app_server,
)

STUDENTS, SENDS_EACH = 30, 5
CLASSES = tuple(SYMBOLS)
ARRIVALS_S = 20.0  # students open the page over the first 20 s
# A press the page has not taken by then is an error. Not pressed again: a press taken late
# would then count twice (one was, at 60 s: 30 browsers on one core answer slowly).
TAKEN_S = 180.0
SENT_S = 60.0  # a drawing its button has not taken by then is drawn again, and counted


class Tally:
    """What the students saw."""

    def __init__(self) -> None:
        self.acknowledged = 0
        self.refused: list[str] = []  # the page's own warnings (too soon, pool full)
        self.redrawn = 0  # drawings drawn again: the button stayed disabled for SENT_S
        self.round_trips: list[float] = []  # press to drawing taken
        self.errors: list[str] = []
        self.students = 0


async def draw(page, name: str, rng: random.Random) -> None:
    """Draw the symbol's stroke with the mouse, a little off, as a hand draws it."""
    box = await page.locator(CANVAS).first.bounding_box()
    points = SYMBOLS[name]
    dx, dy = rng.uniform(-10, 10), rng.uniform(-10, 10)
    await page.mouse.move(box["x"] + points[0][0] + dx, box["y"] + points[0][1] + dy)
    await page.mouse.down()
    for x, y in points[1:]:
        await page.mouse.move(box["x"] + x + dx, box["y"] + y + dy, steps=2)
    await page.mouse.up()


async def send(page, name: str, rng: random.Random, tally: Tally) -> None:
    """Draw `name` (again, while its button stays disabled) and press its button once; return
    when the page has taken the drawing or refused it."""
    for _ in range(3):
        await draw(page, name, rng)
        try:  # the canvas sends the drawing 0.2 s after the mouse lifts; its run enables this
            await page.wait_for_function(ENABLED_AND_IDLE, arg=name, timeout=SENT_S * 1000)
        except PlaywrightTimeout:
            tally.redrawn += 1
            continue
        button = page.get_by_role("button", name=name, exact=True)
        canvas = await page.locator(CANVAS).first.element_handle()
        started = time.perf_counter()
        await button.click(timeout=120_000)
        try:  # taken: the page clears the canvas (a new one replaces it)
            await page.wait_for_function("canvas => !canvas.isConnected", arg=canvas,
                                         timeout=TAKEN_S * 1000)
        except PlaywrightTimeout:
            warnings = page.locator("[data-testid=stAlertContentWarning]")
            if await warnings.count():
                tally.refused.append(await warnings.first.inner_text())
                return
            raise RuntimeError(f"a press on {name} was not taken in {TAKEN_S:g} s") from None
        tally.round_trips.append(time.perf_counter() - started)
        tally.acknowledged += 1
        await page.locator(CANVAS).first.wait_for(state="visible", timeout=120_000)
        await stage("after a send", page.wait_for_selector(IDLE, timeout=120_000))
        return
    raise RuntimeError(f"three drawings of {name} left its button disabled")


async def student(page, url: str, index: int, tally: Tally) -> None:
    rng = random.Random(index)
    await asyncio.sleep(rng.uniform(0, ARRIVALS_S))
    await page.goto(f"{url}/teach", timeout=600_000)  # 30 first loads share one core
    await stage("opening the page", page.wait_for_selector(IDLE, timeout=600_000))
    await page.locator(CANVAS).first.wait_for(state="visible", timeout=600_000)
    await page.get_by_text("Send my drawings to the class's examples").click()
    await stage("opting in", page.wait_for_selector(IDLE, timeout=120_000))
    tally.students += 1
    for number in range(SENDS_EACH):
        await send(page, CLASSES[(index + number) % len(CLASSES)], rng, tally)
        if await page.locator("[data-testid=stException]").count():
            tally.errors.append("an exception on the Teach page")
        await asyncio.sleep(rng.uniform(2.0, 4.0))  # a student looks at the gallery


async def hall(url: str) -> Tally:
    tally = Tally()
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM),
                                                   args=CHROMIUM_ARGS)
        pages = [await (await browser.new_context(viewport={"width": 1400, "height": 1100}))
                 .new_page() for _ in range(STUDENTS)]
        await asyncio.gather(*(guarded(tally, student(page, url, index, tally))
                               for index, page in enumerate(pages)))
        await browser.close()
    return tally


def main() -> dict:
    if not CHROMIUM.exists():
        return write("teach_hall", {"skipped": f"no Chromium at {CHROMIUM}"})
    browsers, server_cpus = cpu_split()
    with home_restored(), tempfile.TemporaryDirectory(prefix="nc-bench-hall-") as root:
        home = Path(root)
        (home / "data").symlink_to(settings.data_dir(), target_is_directory=True)
        os.environ[settings.HOME_ENV] = str(home)
        symbol_pool.set_classes(CLASSES)  # as the instructor would
        env = {settings.HOME_ENV: str(home), settings.AUTOTRAIN_ENV: "0",
               settings.TRUST_LOCAL_ENV: "0", settings.INSTRUCTOR_CODE_ENV: "HALL-CODE"}
        started = time.monotonic()
        with app_server(env, cpus=server_cpus) as (url, server), on_cpus(browsers):
            cpu_before = cpu_seconds(server.pid)
            tally = asyncio.run(hall(url))
            server_cpu = cpu_seconds(server.pid) - cpu_before
        counts = symbol_pool.read().counts()
    return write("teach_hall", {
        "students": STUDENTS, "sends_each": SENDS_EACH, "classes": CLASSES,
        "browsers_on_cpus": sorted(browsers or ()), "server_on_cpus": sorted(server_cpus or ()),
        "students_who_sent": tally.students, "acknowledged": tally.acknowledged,
        "in_the_pool": sum(counts), "per_class": dict(zip(CLASSES, counts, strict=True)),
        "lost": max(0, tally.acknowledged - sum(counts)),
        "doubled": max(0, sum(counts) - tally.acknowledged), "refused": tally.refused,
        "errors": tally.errors, "redrawn": tally.redrawn,
        "press_to_taken": percentiles(tally.round_trips) if tally.round_trips else None,
        "server_cpu_s": round(server_cpu, 1), "bench_seconds": round(time.monotonic() - started),
        "goals": {"errors": 0, "lost": 0, "doubled": 0},
    })


if __name__ == "__main__":
    print(main())
