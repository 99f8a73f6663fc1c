"""A lecture hall on loopback: browser sessions drawing and predicting while a training job runs.

`main()` (the 20-session figure): 20 Chromium contexts against one server draw a digit,
wait for both networks' answers, clear and draw again, for as long as a lab run of the
`small` preset trains (started by the instructor's page); then the same run trains alone
(`python -m core lab train`), and the two test accuracies and training times are compared.
On two cores or more the browsers keep to one core and the server, with its training, to
another (the run alone too), so the figures measure the server, not 20 Chromiums competing
with it; the server's CPU time during the run, less what the run takes alone, is what
serving the drawings cost. `soak()` (the memory figure): for ten minutes sessions open,
draw and close while a GAN trains; the server's resident memory at the end against after
the first minute.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from playwright.async_api import TimeoutError as PlaywrightTimeout
from playwright.async_api import async_playwright

from bench.common import bench_home, core_command, percentiles, write
from core import settings
from tests.e2e.browser import CANVAS, CHROMIUM, CHROMIUM_ARGS, IDLE, app_server, one_stroke

SESSIONS = 20
SOAK_SECONDS = 600
SOAK_WORKERS = 6
REDRAW_AFTER_MS = 30_000
ARRIVALS_S = 10.0
ANSWER = "document.querySelectorAll('.nc-digit').length >= 2"
BROWSER_CPUS, SERVER_CPUS = {0}, {1}


def cpu_split() -> tuple[set[int] | None, set[int] | None]:
    """(the browsers' CPUs, the server's): a core each where there are two or more, so that
    a figure measures the server, not browsers competing with it; else (None, None), any."""
    split = len(os.sched_getaffinity(0)) >= 2
    return (BROWSER_CPUS, SERVER_CPUS) if split else (None, None)


def server_env(home: Path) -> dict[str, str]:
    return {settings.HOME_ENV: str(home), settings.AUTOTRAIN_ENV: "0"}


class Tally:
    """What the sessions saw: answer round trips, and every error."""

    def __init__(self) -> None:
        self.round_trips: list[float] = []
        self.errors: list[str] = []
        self.sessions = 0
        self.redrawn = 0  # strokes drawn again after no answer in REDRAW_AFTER_MS


async def draw_until(page, url: str, stop: asyncio.Event, tally: Tally, rounds: int | None,
                     rng: random.Random) -> None:
    """Open the Draw page and draw, wait for both answers, clear; again, until told to stop."""
    await asyncio.sleep(rng.uniform(0, ARRIVALS_S))  # people do not all press Enter together
    await page.goto(f"{url}/draw", timeout=180_000)  # 20 first loads share two cores
    await page.wait_for_selector(IDLE, timeout=120_000)
    # 20 browsers on one core take minutes to bring up the canvas component's frame.
    await page.locator(CANVAS).first.wait_for(state="visible", timeout=600_000)
    tally.sessions += 1
    done = 0
    while not stop.is_set() and (rounds is None or done < rounds):
        started = await draw_one(page, rng)
        try:
            await page.wait_for_function(ANSWER, timeout=REDRAW_AFTER_MS)
        except PlaywrightTimeout:  # not read in 30 s, sent or not: draw again, and count it
            tally.redrawn += 1
            started = await draw_one(page, rng)
            await stage("waiting for the answer", page.wait_for_function(ANSWER,
                                                                         timeout=120_000))
        tally.round_trips.append(time.perf_counter() - started)
        if await page.locator("[data-testid=stException]").count():
            tally.errors.append("an exception on the Draw page")
        old = await page.locator(CANVAS).first.element_handle()
        await page.get_by_role("button", name="Clear").click()
        # Clear swaps in a new canvas: a stroke drawn before it listens would be lost.
        await stage("clearing", page.wait_for_function("canvas => !canvas.isConnected",
                                                       arg=old, timeout=60_000))
        await page.locator(CANVAS).first.wait_for(state="visible", timeout=60_000)
        await page.wait_for_selector(IDLE, timeout=60_000)
        done += 1
        await asyncio.sleep(rng.uniform(1.0, 3.0))  # a student looks at the answer


async def draw_one(page, rng: random.Random) -> float:
    """Draw a "1" with the mouse; return when the mouse was released."""
    box = await page.locator(CANVAS).first.bounding_box()
    points = [(x + rng.uniform(-8, 8), y) for x, y in one_stroke()]
    await page.mouse.move(box["x"] + points[0][0], box["y"] + points[0][1])
    await page.mouse.down()
    for x, y in points[1:]:
        await page.mouse.move(box["x"] + x, box["y"] + y, steps=2)
    started = time.perf_counter()
    await page.mouse.up()
    return started


async def stage(what: str, waiting) -> None:
    """Await one step of a session, saying which one when it fails."""
    try:
        await waiting
    except Exception as error:
        raise RuntimeError(f"{what}: {type(error).__name__}") from error


async def guarded(tally: Tally, work) -> None:
    try:
        await work
    except Exception as error:  # a session's failure is the figure, not a crash of the bench
        tally.errors.append(f"{type(error).__name__}: {str(error).splitlines()[0][:160]}")


def cpu_seconds(pid: int) -> float:
    """A process's CPU time so far, all its threads, user and system, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextlib.contextmanager
def on_cpus(cpus: set[int] | None) -> Iterator[None]:
    """Keep this process, and what it starts meanwhile (the browsers), on those CPUs."""
    before = os.sched_getaffinity(0)
    if cpus:
        os.sched_setaffinity(0, cpus)
    try:
        yield
    finally:
        os.sched_setaffinity(0, before)


async def hall(url: str, server_pid: int) -> dict:
    tally, stop = Tally(), asyncio.Event()
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM),
                                                   args=CHROMIUM_ARGS)
        teacher = await (await browser.new_context()).new_page()
        await teacher.goto(f"{url}/draw")  # the classifiers warm before training starts, so
        await teacher.wait_for_selector(IDLE, timeout=120_000)  # it starts from the same seed
        await teacher.goto(f"{url}/lab")
        await teacher.wait_for_selector(IDLE, timeout=120_000)
        await teacher.get_by_role("button", name="Train", exact=True).click()
        started, cpu_at_start = time.time(), cpu_seconds(server_pid)
        students = [await (await browser.new_context()).new_page() for _ in range(SESSIONS)]
        drawing = [asyncio.create_task(guarded(tally, draw_until(
            page, url, stop, tally, None, random.Random(i)))) for i, page in enumerate(students)]
        await teacher.get_by_text("Run 1 finished").wait_for(timeout=900_000)
        job_seconds, server_cpu = time.time() - started, cpu_seconds(server_pid) - cpu_at_start
        stop.set()
        await asyncio.gather(*drawing)
        await browser.close()
    return {"tally": tally, "job_wall_s": round(job_seconds, 1), "server_cpu_s": server_cpu}


def main() -> dict:
    """The 20-session figure."""
    if not CHROMIUM.exists():
        return write("sessions", {"skipped": f"no Chromium at {CHROMIUM}"})
    browsers, server_cpus = cpu_split()
    with bench_home() as home:
        with app_server(server_env(home), cpus=server_cpus) as (url, server), on_cpus(browsers):
            seen = asyncio.run(hall(url, server.pid))
        crowded = json.loads((home / "lab" / "1.json").read_text())
        alone = core_command(home, "lab", "train", "--preset", "small", cpus=server_cpus)
    tally: Tally = seen["tally"]
    answers = len(tally.round_trips)
    # Training alone on one core takes about as much CPU time as wall time; the crowded run's
    # validation passes (not in train_seconds) count as serving, so this is an upper bound.
    serving_cpu = seen["server_cpu_s"] - alone["train_seconds"]
    return write("sessions", {
        "sessions": SESSIONS, "browsers_on_cpus": sorted(browsers or ()),
        "server_on_cpus": sorted(server_cpus or ()), "sessions_that_drew": tally.sessions,
        "predictions": answers, "errors": tally.errors, "strokes_redrawn": tally.redrawn,
        "round_trip": percentiles(tally.round_trips) if tally.round_trips else None,
        "job": "lab preset 'small' (3 epochs of MNIST)", "job_wall_s_with_sessions": seen[
            "job_wall_s"], "test_accuracy_with_sessions": crowded["test_accuracy"],
        "test_accuracy_alone": alone["test_accuracy"],
        "train_seconds_with_sessions": round(crowded["train_seconds"], 1),
        "train_seconds_alone": alone["train_seconds"],
        "training_speed_with_class_vs_alone": round(
            alone["train_seconds"] / crowded["train_seconds"], 3),
        "server_cpu_s_during_run": round(seen["server_cpu_s"], 1),
        "server_cpu_ms_per_answer": round(1000 * serving_cpu / answers, 1) if answers else None,
        "goals": {"errors": 0, "server_cpu_ms_per_answer": 25, "training_speed": 0.8},
    })


def rss_mib(pid: int) -> float:
    """The resident memory of a process, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for {pid}")


async def churn(url: str, pid: int, seconds: float) -> dict:
    """Sessions open, draw twice and close, SOAK_WORKERS at a time, while a GAN trains."""
    tally, stop = Tally(), asyncio.Event()
    memory: list[tuple[float, float]] = []
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM),
                                                   args=CHROMIUM_ARGS)
        teacher = await (await browser.new_context()).new_page()
        await teacher.goto(f"{url}/gan")
        await teacher.wait_for_selector(IDLE, timeout=120_000)
        await teacher.get_by_role("slider", name="Training time (minutes)").focus()
        for _ in range(27):  # from 3 minutes to 30: longer than the soak
            await teacher.keyboard.press("ArrowRight")
        await teacher.wait_for_selector(IDLE, timeout=60_000)
        await teacher.get_by_role("button", name="Start training").click()
        await teacher.close()  # the job trains on with no page open
        started = time.time()

        async def worker(index: int) -> None:
            rng = random.Random(index)
            while not stop.is_set():
                context = await browser.new_context()
                page = await context.new_page()
                await guarded(tally, draw_until(page, url, stop, tally, 2, rng))
                await context.close()

        async def sample() -> None:
            while not stop.is_set():
                memory.append((time.time() - started, rss_mib(pid)))
                await asyncio.sleep(10)

        workers = [asyncio.create_task(worker(i)) for i in range(SOAK_WORKERS)]
        sampler = asyncio.create_task(sample())
        await asyncio.sleep(seconds)
        stop.set()
        await asyncio.gather(*workers, sampler)
        memory.append((time.time() - started, rss_mib(pid)))
        await browser.close()
    return {"tally": tally, "memory": memory}


def soak(seconds: float = SOAK_SECONDS) -> dict:
    """The memory figure: server memory at the end against after the first minute."""
    if not CHROMIUM.exists():
        return write("soak", {"skipped": f"no Chromium at {CHROMIUM}"})
    with bench_home() as home, app_server(server_env(home)) as (url, server):
        seen = asyncio.run(churn(url, server.pid, seconds))
    tally, memory = seen["tally"], seen["memory"]
    after_first_minute = next(mib for t, mib in memory if t >= 60)
    end = memory[-1][1]
    return write("soak", {
        "seconds": seconds, "sessions_opened": tally.sessions,
        "predictions": len(tally.round_trips), "errors": tally.errors,
        "strokes_redrawn": tally.redrawn,
        "round_trip": percentiles(tally.round_trips) if tally.round_trips else None,
        "rss_mib_after_first_minute": round(after_first_minute, 1),
        "rss_mib_at_end": round(end, 1), "growth": round(end / after_first_minute - 1, 3),
        "goal_growth": 0.2, "rss_mib_over_time": [(round(t), round(m, 1)) for t, m in memory],
    })


if __name__ == "__main__":
    print(soak() if sys.argv[1:] == ["soak"] else main())
