"""The job manager: queueing, stop, pause/resume, failures."""

from __future__ import annotations

import threading
import time

from core.training.jobs import JobManager, JobState


def counting_work(steps: int, delay: float = 0.01):
    def work(job):
        for step in range(steps):
            job.check()
            job.publish(progress=(step + 1) / steps, step=step)
            time.sleep(delay)
        return steps
    return work


def test_jobs_run_one_at_a_time_and_report_queue_positions():
    manager = JobManager(max_concurrent=1)
    first = manager.submit("first", counting_work(20))
    second = manager.submit("second", counting_work(5))
    assert second.state is JobState.QUEUED and manager.queue_position(second) == 1
    assert manager.wait(second, timeout=10)
    assert first.finished_at <= second.started_at
    assert (first.result, second.result) == (20, 5)
    assert second.progress == 1.0 and second.latest["step"] == 4


def test_a_job_with_the_same_key_is_not_queued_twice():
    manager = JobManager(max_concurrent=1)
    job = manager.submit("a", counting_work(10), key="train:x")
    assert manager.submit("a again", counting_work(10), key="train:x") is job
    manager.wait(job, timeout=10)


def test_stop_ends_a_running_job_and_cancels_a_queued_one():
    manager = JobManager(max_concurrent=1)
    running = manager.submit("long", counting_work(10_000))
    queued = manager.submit("never", counting_work(5))
    time.sleep(0.05)
    queued.stop()
    running.stop()
    assert manager.wait(running, timeout=5) and manager.wait(queued, timeout=5)
    assert running.state is JobState.STOPPED and queued.state is JobState.STOPPED
    assert queued.started_at is None


def test_pause_holds_the_job_and_resume_lets_it_finish():
    manager = JobManager(max_concurrent=1)
    job = manager.submit("pausable", counting_work(200, delay=0.005))
    time.sleep(0.05)
    job.pause()
    time.sleep(0.05)
    held = job.latest.get("step")
    time.sleep(0.2)
    assert job.state is JobState.PAUSED and job.latest.get("step") == held
    job.resume()
    assert manager.wait(job, timeout=10) and job.state is JobState.DONE
    assert job.elapsed() < time.time() - job.started_at - 0.15  # pauses are not counted


def test_a_failing_job_reports_its_error_and_the_next_job_runs():
    manager = JobManager(max_concurrent=1)

    def broken(job):
        raise ValueError("the dataset is missing")

    failed = manager.submit("broken", broken)
    after = manager.submit("after", counting_work(3))
    assert manager.wait(after, timeout=5)
    assert failed.state is JobState.FAILED and failed.error == "the dataset is missing"
    assert after.state is JobState.DONE


def test_eta_comes_from_the_pace():
    manager = JobManager(max_concurrent=2)
    gate = threading.Event()

    def half(job):
        time.sleep(0.2)
        job.publish(progress=0.5)
        gate.wait(5)

    job = manager.submit("half", half)
    time.sleep(0.35)
    assert 0.1 < job.eta() < 0.8
    gate.set()
    manager.wait(job, timeout=5)
