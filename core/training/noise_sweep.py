"""Accuracy and image quality against noise level, 0 to 1 in steps of 0.1: the sweep.

Three classifiers' views of the same noisy test images: the clean-trained classifier on
the noisy images, the same classifier on the denoised images, and a classifier trained
on noisy images (`cnn_noisy`, the assignment's figure); with PSNR and SSIM before and
after denoising. It runs as a job and is cached as CSV, keyed by the exact model files
it used, so a retrained model gets a fresh sweep and an unchanged one never reruns.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import asdict, dataclass
from pathlib import Path

from core import settings, store
from core.data import datasets, noise
from core.inference import denoise, predict
from core.models import zoo
from core.training.jobs import Job, JobManager

LEVELS = tuple(round(0.1 * step, 1) for step in range(11))
COLUMNS = ("level", "accuracy_noisy", "accuracy_denoised", "accuracy_noise_trained",
           "psnr_noisy", "psnr_denoised", "ssim_noisy", "ssim_denoised")
NOISE_TRAINED = zoo.NOISE_TRAINED


@dataclass(frozen=True)
class Sweep:
    """Which models to sweep on which noise, and on how many test images."""

    dataset: str
    noise: str
    classifier: str
    denoiser: str
    samples: int = 10_000
    seed: int = 0

    def models(self) -> dict[str, str]:
        """Return {role: name} of the models this sweep reads."""
        return {"classifier": self.classifier, "denoiser": self.denoiser,
                "noise_trained": NOISE_TRAINED}

    def path(self) -> Path:
        """Return the CSV this sweep is cached in: it names the models' current files."""
        files = {role: getattr(store.read_card(name, self.dataset), "sha256", None)
                 for role, name in self.models().items()}
        digest = hashlib.sha256(json.dumps([asdict(self), files], sort_keys=True).encode())
        folder = settings.home_dir() / "sweeps"
        folder.mkdir(exist_ok=True)
        return folder / f"{self.dataset}.{self.noise}.{digest.hexdigest()[:16]}.csv"


def cached(sweep: Sweep) -> list[dict] | None:
    """Return the sweep's rows if it was run with the same model files, else None."""
    path = sweep.path()
    if not path.exists():
        return None
    try:
        return from_csv(path.read_text())
    except (OSError, ValueError, KeyError):
        return None  # a damaged cache is just a sweep to run again


def run(sweep: Sweep, job: Job | None = None) -> list[dict]:
    """Measure every level (see the module docstring); publish each row as it is done."""
    loaded = datasets.load(sweep.dataset)
    images = loaded.images("test")[: sweep.samples]
    labels = loaded.labels("test")[: sweep.samples]
    classifier = predict.load_classifier(sweep.classifier, sweep.dataset)
    denoiser = denoise.load_denoiser(sweep.denoiser, sweep.dataset)
    try:
        noise_trained = predict.load_classifier(NOISE_TRAINED, sweep.dataset)
    except store.StoreError:
        noise_trained = None  # its column stays empty until it is trained
    path = sweep.path()  # named by the model files loaded above, even if one is retrained
    rows: list[dict] = []
    for step, level in enumerate(LEVELS):
        if job is not None:
            job.check()
            job.publish(progress=step / len(LEVELS), message=f"noise level {level:.1f}")
        seen = denoise.restore(images, sweep.noise, level, denoiser, classifier, sweep.seed)
        rows.append({
            "level": level,
            "accuracy_noisy": predict.accuracy_of(seen.noisy_probabilities, labels),
            "accuracy_denoised": predict.accuracy_of(seen.denoised_probabilities, labels),
            "accuracy_noise_trained": (noise_trained.accuracy(seen.noisy, labels)
                                       if noise_trained else float("nan")),
            "psnr_noisy": float(seen.psnr_noisy.mean()),
            "psnr_denoised": float(seen.psnr_denoised.mean()),
            "ssim_noisy": float(seen.ssim_noisy.mean()),
            "ssim_denoised": float(seen.ssim_denoised.mean()),
        })
        if job is not None:
            job.publish(rows=list(rows))
    partial = path.with_suffix(".partial")
    partial.write_text(to_csv(rows))
    partial.replace(path)
    return rows


def to_csv(rows: list[dict]) -> str:
    """Return the rows as CSV text with a header (what the page's download button gives)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: f"{row[key]:.6g}" for key in COLUMNS})
    return out.getvalue()


def from_csv(text: str) -> list[dict]:
    """Read rows written by `to_csv` back as numbers."""
    rows = [{key: float(row[key]) for key in COLUMNS} for row in csv.DictReader(io.StringIO(text))]
    if [row["level"] for row in rows] != list(LEVELS):
        raise ValueError("The sweep file does not cover every level.")
    return rows


def job_key(sweep: Sweep) -> str:
    return f"sweep:{sweep.path().name}"


def submit(manager: JobManager, sweep: Sweep) -> Job:
    """Queue a sweep as a job (the same sweep twice is one job)."""
    return manager.submit(f"Noise sweep: {sweep.classifier} + {sweep.denoiser} on "
                          f"{noise.NOISES[sweep.noise].lower()} noise",
                          lambda job: run(sweep, job), key=job_key(sweep))
