"""Drive the real app: start `streamlit run` on a free port and steer headless Chromium."""

from __future__ import annotations

import contextlib
import itertools
import math
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from playwright.sync_api import TimeoutError as PlaywrightTimeout

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
# Without these Chromium keeps dialling Google's hosts, which this network refuses.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-quic",
                 "--no-first-run"]
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
CANVAS = "[data-testid=stBidiComponentIsolated] canvas.upper-canvas"
_LINE = [50 + 10 * i for i in range(19)]  # a stroke across the canvas (0..280)
_BACK = [230 - 10 * i for i in range(10)]  # from the far end back to the middle
# Three operators, each one stroke in canvas coordinates (a hand retraces the + and the x to
# their middle): one stroke is the whole drawing, so a page that has any of it has all of it,
# and no button can be pressed on half a symbol.
SYMBOLS = {
    "+": [(140, y) for y in _LINE + _BACK] + [(x, 140) for x in _LINE],
    "−": [(x, 140) for x in _LINE],
    "×": [(v, v) for v in _LINE + _BACK] + [(v, 280 - v) for v in _LINE],
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def running_app(env: dict[str, str], timeout: float = 120) -> Iterator[str]:
    """Run the app in a subprocess with `env` added; yield its URL once it is healthy."""
    with app_server(env, timeout) as (url, _process):
        yield url


@contextlib.contextmanager
def app_server(env: dict[str, str], timeout: float = 120, cpus: set[int] | None = None
               ) -> Iterator[tuple[str, subprocess.Popen]]:
    """Run the app in a subprocess with `env` added (on those CPUs only, if given); yield its
    URL and process once healthy."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true"],
        cwd=ROOT, env={**os.environ, **env}, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL, preexec_fn=pinned_to(cpus),
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + timeout
        while True:
            with contextlib.suppress(OSError):
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as reply:
                    if reply.read() == b"ok":
                        break
            if process.poll() is not None or time.time() > deadline:
                raise RuntimeError("the app did not start")
            time.sleep(0.2)
        yield url, process
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


def pinned_to(cpus: set[int] | None):
    """A subprocess's preexec_fn that keeps it on those CPUs, as `taskset` would (None: any)."""
    return (lambda: os.sched_setaffinity(0, cpus)) if cpus else None


def launch(playwright):
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


# A button named `name` enabled on a page done running (mid-run, a stale copy of a button can
# show beside its new one, and the two can disagree).
ENABLED_AND_IDLE = ("name => document.querySelector(\"" + IDLE + "\") !== null && "
                    "[...document.querySelectorAll('button')]"
                    ".some(b => b.innerText.trim() === name && !b.disabled)")


def wait_idle(page, timeout: float = 60_000) -> None:
    page.wait_for_selector(IDLE, timeout=timeout)


def press(page, name: str) -> None:
    """Click a button once the page is idle (its state has settled)."""
    wait_idle(page)
    page.get_by_role("button", name=name, exact=True).click()


STOP_TAKEN = ("() => ![...document.querySelectorAll('button')].some(b => !b.disabled "
              "&& b.innerText.trim().endsWith('Stop'))")


def stop_job(page) -> None:
    """Press a training job's Stop at once, as a person would while the live fragments
    redraw, and check that one press takes (the button greys out or goes). A press lost to
    the job row's layout jumping under the pointer let a GAN train its whole minute."""
    page.get_by_role("button", name="Stop", exact=True).click()
    try:
        page.wait_for_function(STOP_TAKEN, timeout=30_000)
    except PlaywrightTimeout:
        raise AssertionError("a press on Stop was lost") from None


def start_one_minute_of_gan_training(page, url: str) -> None:
    """Open the GAN studio, set the training time from its default 3 minutes to 1, and start
    (fresh, where the page asks because a saved run exists)."""
    page.goto(f"{url}/gan")
    wait_idle(page)
    page.get_by_role("slider", name="Training time (minutes)").focus()
    for _ in range(2):
        page.keyboard.press("ArrowLeft")
    wait_idle(page)
    page.get_by_role("button", name="Start training").click()
    fresh, started = (page.get_by_role("button", name=name) for name in ("Start fresh", "Pause"))
    fresh.or_(started).first.wait_for(timeout=60_000)
    if fresh.count():
        fresh.click()


def start_lab_training(page, url: str, epochs: int | None = None) -> None:
    """Open the training lab and train its first preset (a small CNN, 3 epochs of MNIST, or
    `epochs`)."""
    page.goto(f"{url}/lab")
    wait_idle(page)
    if epochs is not None:
        page.get_by_role("slider", name="Epochs").focus()
        page.keyboard.press("Home")
        for _ in range(epochs - 1):
            page.keyboard.press("ArrowRight")
        wait_idle(page)
    page.get_by_role("button", name="Train", exact=True).click()


# While a run trains, its curves are SVG pictures (data: URLs); count the first line's points.
LAB_CURVE_POINTS = ("() => { const img = [...document.querySelectorAll('img')].find("
                    "i => i.src.startsWith('data:image/svg+xml'));"
                    " if (!img) return 0;"
                    " const svg = new DOMParser().parseFromString(atob(img.src.split(',')[1]),"
                    " 'image/svg+xml');"
                    " const line = svg.querySelector('polyline');"
                    " return line ? line.getAttribute('points').trim().split(' ').length : 0; }")


def lab_curve_points(page) -> int:
    """How many batches the lab's live loss chart shows (0 before it is drawn)."""
    return page.evaluate(LAB_CURVE_POINTS)


def stroke(page, points: list[tuple[float, float]], canvas: int = 0) -> None:
    """Draw one stroke through canvas coordinates (0..280) with the mouse on the page's
    `canvas`-th canvas, scrolled into view first (the mouse reaches only what shows).

    The canvas sends the drawing 200 ms after the mouse lifts (the component waits for the
    next stroke), so the page's run on it starts about 0.25 s later, 0.47-0.61 s in a browser
    slowed 8x: right after this returns the page is still idle and as it was. Wait for what
    the stroke changes, not for idle."""
    found = page.locator(CANVAS).nth(canvas)
    found.scroll_into_view_if_needed()
    box = found.bounding_box()
    x0, y0 = box["x"], box["y"]
    page.mouse.move(x0 + points[0][0], y0 + points[0][1])
    page.mouse.down()
    for (x_from, y_from), (x, y) in itertools.pairwise(points):
        # A point halfway along a long segment (each mouse event costs a round trip to the
        # browser, 30 ms or more when the host is busy; the closely spaced strokes need none).
        long = math.dist((x_from, y_from), (x, y)) > 15
        page.mouse.move(x0 + x, y0 + y, steps=2 if long else 1)
    page.mouse.up()


def clear_canvas(page) -> None:
    """Press Clear and wait for the fresh canvas: the old one is replaced by a new component
    (a new key), and a stroke drawn before the new one is listening is lost."""
    old = page.locator(CANVAS).first.element_handle()
    page.get_by_role("button", name="Clear", exact=True).click()
    page.wait_for_function("canvas => !canvas.isConnected", arg=old)
    page.locator(CANVAS).first.wait_for(state="visible")
    wait_idle(page)


def sign_in_as_instructor(page, code: str) -> None:
    """Type the instructor code into the sidebar's popover."""
    page.get_by_role("button", name="I am the instructor").click()
    page.get_by_label("Instructor code (printed in the server's terminal)").fill(code)
    page.keyboard.press("Enter")
    page.get_by_text("You are the instructor").wait_for(timeout=30_000)
    wait_idle(page)


def one_stroke() -> list[tuple[float, float]]:
    return [(140, 40 + 10 * i) for i in range(21)]


def star_stroke() -> list[tuple[float, float]]:
    """A five-pointed star in one stroke, as students draw one."""
    return [(140 + 110 * math.sin(k * 0.8 * math.pi), 150 - 110 * math.cos(k * 0.8 * math.pi))
            for k in range(6)]


def zero_stroke() -> list[tuple[float, float]]:
    return [(140 + 60 * math.sin(t / 24 * 2 * math.pi), 140 - 90 * math.cos(t / 24 * 2 * math.pi))
            for t in range(26)]


def open_draw(page, app_url: str) -> None:
    """Open the Draw page and wait for its empty canvas."""
    page.goto(f"{app_url}/draw")
    wait_idle(page)
    page.wait_for_selector("text=Draw a digit on the black canvas.")


def predicted_digits(page, count: int = 2, timeout: float = 30_000) -> list[str]:
    """Wait until `count` predictions are shown; return them (MLP first, then CNN)."""
    page.wait_for_function(f"document.querySelectorAll('.nc-digit').length >= {count}",
                           timeout=timeout)
    wait_idle(page)
    return page.locator(".nc-digit").all_inner_texts()
