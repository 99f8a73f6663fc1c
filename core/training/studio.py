"""GAN studio jobs: a generative model trains in the background for a set time, steerable
live, then saves its run (to resume later) and lands its generator in the store."""

from __future__ import annotations

from core import store
from core.inference import sample_quality
from core.models import generative
from core.training import gan_run
from core.training.jobs import Job, JobManager


def job_key(name: str, dataset: str) -> str:
    return f"gan:{dataset}:{name}"


def submit(manager: JobManager, name: str, dataset: str = "mnist", minutes: float | None = None,
           resume: bool = False, steps: int | None = None) -> Job:
    """Queue a training run of `minutes` of training time (the spec's default if None) or,
    given `steps`, of that many generator steps instead, continuing the saved run if
    `resume`; while it runs, `job.live` is the Run."""
    spec = generative.spec(name)
    minutes = None if steps else minutes or spec.minutes
    verb = "Continue" if resume else "Train"
    length = f"{steps:,} steps" if steps else f"{minutes:g} min"

    def work(job: Job) -> gan_run.Run:
        job.publish(0.0, "loading the data" + (" and the saved run" if resume else ""))
        run = gan_run.Run.resume(name, dataset) if resume else gan_run.Run(name, dataset)
        job.live = run
        judge = None
        try:
            judge = sample_quality.load_judge(dataset)
        except store.StoreError as error:
            job.publish(message=f"training without a judge: {error}")
        run.train(job, seconds=minutes and minutes * 60.0, judge=judge, steps=steps)
        job.publish(message="saving the run and the generator")
        run.checkpoint()
        return run

    return manager.submit(f"{verb} {spec.title} on {dataset} for {length}", work,
                          key=job_key(name, dataset))


def latest_job(manager: JobManager, name: str, dataset: str) -> Job | None:
    """Return this server's newest job for a model on a dataset, running or finished."""
    return manager.find(job_key(name, dataset))


def saved_run_exists(name: str, dataset: str) -> bool:
    return gan_run.run_path(name, dataset).exists()


def score(name: str, dataset: str = "mnist", samples: int = sample_quality.SAMPLES,
          seed: int | None = None) -> dict:
    """Judge `samples` fresh samples of a stored generator (item 3's measures, as a dict)."""
    from core.inference import latent

    sampler = latent.load_sampler(name, dataset)
    judge = sample_quality.load_judge(dataset)
    digits = generative.cycling_digits(samples)
    images = sampler.draw(sampler.random_z(samples, seed), digits)
    asked = digits if sampler.spec.kind == "conditional" else None
    return {"model": name, "dataset": dataset, "samples": samples, "judge": judge.card.name,
            "generator_steps": sampler.card.metrics.get("generator_steps"),
            "train_seconds": round(sampler.card.train_seconds, 1),
            **judge.measure(images, asked).as_dict()}
