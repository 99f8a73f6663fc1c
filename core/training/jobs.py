"""Background jobs: long work (training) runs in threads, never in a page's script.

One JobManager per server process. It runs at most `max_concurrent` jobs at once
(1 on a CPU by default) and queues the rest. A job publishes progress events into a
bounded buffer; pages read its latest state and never block on it. A job can be
stopped, paused and resumed: the work calls `job.check()` between steps, which
blocks while paused and raises JobStopped once a stop was asked for.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from core import settings

log = logging.getLogger(__name__)
EVENT_BUFFER = 2000


class JobState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    PAUSED = "paused"
    DONE = "done"
    FAILED = "failed"
    STOPPED = "stopped"

    @property
    def finished(self) -> bool:
        return self in (JobState.DONE, JobState.FAILED, JobState.STOPPED)


class JobStopped(Exception):
    """Raised inside a job's work when someone pressed stop."""


@dataclass
class Job:
    """One unit of background work and everything a page needs to show about it."""

    id: int
    title: str
    key: str
    work: Callable[[Job], Any]
    state: JobState = JobState.QUEUED
    created_at: float = field(default_factory=time.time)
    started_at: float | None = None
    finished_at: float | None = None
    progress: float = 0.0  # 0..1
    message: str = "waiting for its turn"
    result: Any = None
    error: str | None = None
    latest: dict = field(default_factory=dict)  # the newest value of every metric
    live: Any = None  # what the work shows while it runs (a GAN run), for pages to draw
    events: deque = field(default_factory=lambda: deque(maxlen=EVENT_BUFFER))
    _stop: threading.Event = field(default_factory=threading.Event, repr=False)
    _running: threading.Event = field(default_factory=threading.Event, repr=False)
    _paused_seconds: float = 0.0
    _paused_since: float | None = None

    def __post_init__(self) -> None:
        self._running.set()

    def publish(self, progress: float | None = None, message: str | None = None,
                **metrics: Any) -> None:
        """Record progress (0..1), a status line and metrics; called from the worker thread."""
        if progress is not None:
            self.progress = min(1.0, max(0.0, float(progress)))
        if message is not None:
            self.message = message
        if metrics:
            self.latest.update(metrics)
            self.events.append({"t": time.time(), **metrics})

    def check(self) -> None:
        """Block while paused; raise JobStopped if a stop was asked for."""
        if not self._running.is_set():
            self._running.wait()
        if self._stop.is_set():
            raise JobStopped

    def stop(self) -> None:
        """Ask the job to stop at its next check (a queued job never starts)."""
        self._stop.set()
        self._running.set()

    def pause(self) -> None:
        """Hold the job at its next check until resumed."""
        if self.state is JobState.RUNNING:
            self._running.clear()
            self._paused_since = time.time()
            self.state = JobState.PAUSED

    def resume(self) -> None:
        """Let a paused job go on."""
        if self.state is JobState.PAUSED:
            self._paused_seconds += time.time() - (self._paused_since or time.time())
            self._paused_since = None
            self.state = JobState.RUNNING
            self._running.set()

    @property
    def stop_requested(self) -> bool:
        """Say whether someone pressed stop (for work that ends cleanly instead of raising)."""
        return self._stop.is_set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set() and not self.state.finished

    def elapsed(self) -> float:
        """Return seconds of running time, not counting pauses."""
        if self.started_at is None:
            return 0.0
        end = self.finished_at or time.time()
        paused = self._paused_seconds
        if self._paused_since is not None:
            paused += end - self._paused_since
        return max(0.0, end - self.started_at - paused)

    def eta(self) -> float | None:
        """Return the estimated seconds left, from the pace so far (None until known)."""
        if self.state.finished:
            return 0.0
        if self.progress <= 0.01 or self.started_at is None:
            return None
        return self.elapsed() * (1.0 - self.progress) / self.progress


class JobManager:
    """Runs jobs in threads, at most `max_concurrent` at once, the rest queued in order."""

    def __init__(self, max_concurrent: int | None = None) -> None:
        self.max_concurrent = max_concurrent or settings.max_concurrent_jobs()
        self._jobs: list[Job] = []
        self._lock = threading.Lock()
        self._ids = itertools.count(1)

    def submit(self, title: str, work: Callable[[Job], Any], key: str | None = None) -> Job:
        """Queue work; a job with the same key that has not finished is returned instead."""
        with self._lock:
            if key is not None:
                for job in self._jobs:
                    if job.key == key and not job.state.finished:
                        return job
            job = Job(next(self._ids), title, key or title, work)
            self._jobs.append(job)
        self._pump()
        return job

    def jobs(self) -> list[Job]:
        """Return every job, oldest first."""
        with self._lock:
            return list(self._jobs)

    def get(self, job_id: int) -> Job | None:
        """Return a job by id."""
        with self._lock:
            return next((job for job in self._jobs if job.id == job_id), None)

    def find(self, key: str) -> Job | None:
        """Return the newest job with this key."""
        with self._lock:
            return next((job for job in reversed(self._jobs) if job.key == key), None)

    def active(self) -> list[Job]:
        """Return the jobs that are queued, running or paused."""
        return [job for job in self.jobs() if not job.state.finished]

    def queue_position(self, job: Job) -> int:
        """Return 1 for the next queued job to start, 2 for the one after, 0 if not queued."""
        queued = [j for j in self.jobs() if j.state is JobState.QUEUED]
        return queued.index(job) + 1 if job in queued else 0

    def wait(self, job: Job, timeout: float | None = None) -> bool:
        """Block until a job finishes (for scripts and tests); return whether it did."""
        deadline = None if timeout is None else time.time() + timeout
        while not job.state.finished:
            if deadline is not None and time.time() > deadline:
                return False
            time.sleep(0.05)
        return True

    def _pump(self) -> None:
        with self._lock:
            for job in self._jobs:
                if job.state is JobState.QUEUED and job._stop.is_set():
                    job.state, job.finished_at = JobState.STOPPED, time.time()
                    job.message = "stopped before it started"
            running = sum(1 for job in self._jobs if job.state in (JobState.RUNNING,
                                                                   JobState.PAUSED))
            to_start = []
            for job in self._jobs:
                if running >= self.max_concurrent:
                    break
                if job.state is JobState.QUEUED:
                    job.state, job.started_at = JobState.RUNNING, time.time()
                    job.message = "starting"
                    to_start.append(job)
                    running += 1
        for job in to_start:
            threading.Thread(target=self._run, args=(job,), name=f"job-{job.id}",
                             daemon=True).start()

    def _run(self, job: Job) -> None:
        try:
            job.result = job.work(job)
            job.state, job.message = JobState.DONE, "finished"
            job.progress = 1.0
        except JobStopped:
            job.state, job.message = JobState.STOPPED, "stopped; nothing was saved"
        except ValueError as error:
            job.state, job.error, job.message = JobState.FAILED, str(error), "failed"
        except Exception as error:  # A crashed job must not take the server down: report it.
            log.exception("job %s (%s) crashed", job.id, job.title)
            job.state, job.message = JobState.FAILED, "failed"
            job.error = f"{type(error).__name__}: {error}"
        finally:
            job.finished_at = time.time()
            self._pump()
