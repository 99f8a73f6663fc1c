"""The commands of `python -m core` (core.cli wires them to their arguments): each takes
the parsed arguments and returns the exit status; core's actionable errors (ValueError)
are printed by `core.cli.main`, not raised as tracebacks."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported where each command runs, so `--help` starts at once
    from core.training.jobs import Job, JobManager

BAR_WIDTH = 30


def progress_line(label: str, fraction: float, detail: str = "") -> None:
    """Draw a one-line progress bar on stderr (rewritten in place)."""
    filled = int(BAR_WIDTH * max(0.0, min(1.0, fraction)))
    bar = "#" * filled + "-" * (BAR_WIDTH - filled)
    sys.stderr.write(f"\r{label:<22} [{bar}] {fraction:6.1%} {detail:<48.48}")
    sys.stderr.flush()


def follow(job: Job, manager: JobManager, label: str,
           detail: Callable[[Job], str] = lambda job: job.message, tick: float = 0.5,
           check: Callable[[], None] = lambda: None) -> bool:
    """Draw a job's progress until it ends; Ctrl-C stops it and returns False. `check` runs
    at every tick."""
    try:
        while not job.state.finished:
            progress_line(label, job.progress, detail(job))
            check()
            time.sleep(tick)
    except KeyboardInterrupt:
        job.stop()
        manager.wait(job)
        sys.stderr.write("\n")
        return False
    progress_line(label, job.progress, detail(job))
    sys.stderr.write("\n")
    return True


def eta_detail(job: Job) -> str:
    eta = job.eta()
    return job.message + (f", ETA {eta:4.0f} s" if eta is not None else "")


def cmd_data_fetch(args: argparse.Namespace) -> int:
    from core.data import datasets, detector_images

    names = args.names or ["mnist", "fashion_mnist"]
    failed = False
    for name in names:
        try:
            path = datasets.fetch(name, lambda stage, f, n=name: progress_line(n, f, stage))
            sys.stderr.write("\n")
            print(f"{name}: {path}")
            if name in detector_images.DATASETS:  # ahead of first launch, which needs them
                detector_images.fitting_images(name)
        except ValueError as error:
            sys.stderr.write("\n")
            print(f"error: {error}", file=sys.stderr)
            failed = True
    return 1 if failed else 0


def cmd_models_list(args: argparse.Namespace) -> int:
    from core import store
    from core.inference import denoise

    cards = store.cards()
    if not cards:
        print("The model store is empty: run `python -m core models train all`.")
    for card in sorted(cards, key=lambda c: (c.dataset, c.name)):
        trained = time.strftime("%Y-%m-%d %H:%M", time.localtime(card.trained_at))
        recipe = " (quick recipe)" if card.quick else ""
        print(f"{card.dataset:<14} {card.name:<11} {denoise.headline(card):<34}  "
              f"{card.epochs:>2} epochs  {card.train_seconds:6.0f} s  {trained}{recipe}")
    return 0


def cmd_models_versions(args: argparse.Namespace) -> int:
    from core import store
    from core.inference import denoise

    in_use = store.read_card(args.name, args.dataset)
    if in_use is None:
        print(f"No {args.name} model is stored for {args.dataset}.", file=sys.stderr)
        return 1
    for card in store.versions(args.name, args.dataset):  # * marks the one in use
        trained = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(card.trained_at))
        print(f"{'*' if card.file == in_use.file else ' '} {card.version}  {trained}  "
              f"{denoise.headline(card):<34}  {card.train_seconds:6.0f} s"
              f"{' (quick recipe)' if card.quick else ''}")
    return 0


def cmd_models_use(args: argparse.Namespace) -> int:
    from core import store

    card = store.use(args.name, args.dataset, args.version)
    print(f"{card.name} on {card.dataset}: version {card.version} is in use")
    return 0


def cmd_models_train(args: argparse.Namespace) -> int:
    from core import store
    from core.inference import denoise
    from core.models import zoo
    from core.training import fit
    from core.training.jobs import JobManager, JobState

    names = list(zoo.CLASSIFIERS + zoo.DENOISERS) if args.name == "all" else [args.name]
    for name in names:
        zoo.spec(name)  # fail early on a wrong name
    manager = JobManager(max_concurrent=1)
    failed = False
    for name in names:
        job = fit.submit_training(manager, name, args.dataset, quick=args.quick)
        if not follow(job, manager, name, eta_detail):
            print("stopped; the store is unchanged", file=sys.stderr)
            return 130
        if job.state is JobState.DONE:
            card, in_use = job.result, store.read_card(name, args.dataset)
            print(f"{name}: {denoise.headline(card)} after {denoise.trained_for(card)} "
                  f"in {card.train_seconds:.0f} s")
            if in_use is not None and in_use.file != card.file:
                print(f"{name}: kept as version {card.version}, not put in use: the one in use "
                      f"measures better ({denoise.headline(in_use)}); `python -m core models "
                      f"use {name} {card.version}` puts it in use")
        else:
            print(f"{name}: {job.state.value}: {job.error or job.message}", file=sys.stderr)
            failed = True
    return 1 if failed else 0


def cmd_predict(args: argparse.Namespace) -> int:
    from core.data import preprocess
    from core.inference import predict

    name = args.model or _best_classifier_name(args.dataset)
    if name is None:
        print("error: no trained classifier: run `python -m core models train cnn_best`",
              file=sys.stderr)
        return 1
    classifier = predict.load_classifier(name, args.dataset)
    failed = False
    for path in args.files:
        record: dict = {"file": path, "model": name}
        try:
            image = preprocess.from_upload(Path(path).read_bytes())
            result = classifier.predict(image, saliency=False)
            record |= {"digit": result.digit,
                       "probabilities": [round(float(p), 6) for p in result.probabilities]}
        except (OSError, ValueError) as error:
            record["error"] = str(error)
            failed = True
        print(json.dumps(record))
    return 1 if failed else 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    from core.data import datasets
    from core.inference import denoise, predict

    classifier = predict.load_classifier(args.name, args.dataset)
    loaded = datasets.load(args.dataset)
    images, labels = (part[:args.samples] for part in (loaded.images("test"),
                                                       loaded.labels("test")))
    record: dict = {"model": args.name, "dataset": args.dataset}
    started = time.perf_counter()
    if args.noise is None:
        if args.denoiser:
            raise ValueError("--denoiser needs --noise KIND:LEVEL.")
        accuracy = classifier.accuracy(images, labels)
    else:
        kind, level = args.noise
        denoiser = None
        if args.denoiser:
            name = args.denoiser
            if name == "best":
                best = denoise.best_denoiser(args.dataset, kind)
                if best is None:
                    raise ValueError(f"No denoiser is trained on {args.dataset}: run "
                                     "`python -m core models train ae_unet`.")
                name = best.name
            denoiser = denoise.load_denoiser(name, args.dataset)
            record["denoiser"] = name
        record |= {"noise": kind, "level": level}
        accuracy = denoise.accuracy_under_noise(classifier, images, labels, kind, level,
                                                denoiser)
    print(json.dumps(record | {"test_accuracy": round(accuracy, 6), "test_images": len(labels),
                               "seconds": round(time.perf_counter() - started, 2)}))
    return 0


def parse_noise(text: str) -> tuple[str, float]:
    """Read 'gaussian:0.6' as ('gaussian', 0.6), or say what a noise looks like. An argument
    type: a mistyped noise is answered at once, before TensorFlow loads."""
    from core.data import noise

    kind, _, level = text.partition(":")
    try:
        value = float(level)
    except ValueError:
        value = -1.0
    if kind not in noise.NOISES or not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(
            f"takes KIND:LEVEL with KIND one of {', '.join(noise.NOISES)} and LEVEL between 0 "
            f"and 1, e.g. gaussian:0.6; not {text!r}")
    return kind, value


def cmd_gan_train(args: argparse.Namespace) -> int:
    from core import store
    from core.models import generative
    from core.training import studio
    from core.training.jobs import JobManager, JobState

    generative.spec(args.name)  # fail early on a wrong name
    manager = JobManager(max_concurrent=1)
    job = studio.submit(manager, args.name, args.dataset, minutes=args.seconds / 60.0,
                        resume=args.resume, steps=args.steps)
    follow(job, manager, args.name)  # stopped early, the run still saves what it learnt
    if job.state is not JobState.DONE:
        print(f"{args.name}: {job.state.value}: {job.error or job.message}", file=sys.stderr)
        return 1
    run, in_use = job.result, store.read_card(args.name, args.dataset)
    print(json.dumps({"model": args.name, "dataset": args.dataset, "generator_steps": run.g_steps,
                      "train_seconds": round(run.seconds, 1), "version": run.stored.version,
                      "in_use": in_use is not None and in_use.file == run.stored.file,
                      "quality": run.quality[-1] if run.quality else None}))
    return 0


def cmd_lab_train(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from core.models import lab_builder
    from core.training import lab
    from core.training.jobs import JobManager

    if args.preset not in lab_builder.PRESETS:
        raise ValueError(f"Unknown preset {args.preset!r}; choose one of "
                         f"{', '.join(lab_builder.PRESETS)}.")
    config = replace(lab_builder.PRESETS[args.preset][1], dataset=args.dataset,
                     **({"epochs": args.epochs} if args.epochs else {}),
                     **({"train_samples": args.samples} if args.samples else {}))
    manager = JobManager(max_concurrent=1)
    job = lab.submit(manager, config)
    run: lab.LabRun = job.live[0]

    def stop_in_time() -> None:  # ends the run early; what it learnt is measured and kept
        if args.seconds and run.train_seconds >= args.seconds:
            job.stop()

    follow(job, manager, f"lab run {run.id}", tick=0.2, check=stop_in_time)
    if job.error:
        print(f"lab run {run.id} failed: {job.error}", file=sys.stderr)
        return 1
    steps = round(run.batches[-1][0] * run.steps_per_epoch) if run.batches else 0
    reached = run.seconds_to(0.99)
    print(json.dumps({
        "run": run.id, "model": run.name, "dataset": args.dataset, "config": config.describe(),
        "network": config.title, "state": run.state, "test_accuracy": run.test_accuracy,
        "train_seconds": round(run.train_seconds, 2), "steps": steps,
        "steps_per_s": round(steps / max(run.train_seconds, 1e-9), 2),
        "seconds_to_99": None if reached is None else round(reached, 2),
        "epochs": [{k: round(v, 4) for k, v in row.items()} for row in run.epochs]}))
    return 0


def cmd_gan_score(args: argparse.Namespace) -> int:
    from core.training import studio

    print(json.dumps(studio.score(args.name, args.dataset, args.samples)))
    return 0


def cmd_probe_attack(args: argparse.Namespace) -> int:
    from core import store
    from core.data import datasets
    from core.inference import attacks, predict

    if not 0 < args.epsilon <= 1:
        raise ValueError("--epsilon is a pixel change between 0 and 1, e.g. 0.1.")
    if args.samples < 1:
        raise ValueError("--samples must be at least 1.")
    classifier = predict.Classifier(store.load(args.name, args.dataset))
    loaded = datasets.load(args.dataset)
    images = loaded.images("test")[: args.samples, :, :, 0]
    labels = loaded.labels("test")[: args.samples]
    found = attacks.robustness(attacks.attacker(classifier), images, labels, args.epsilon)
    print(json.dumps({"model": args.name, "dataset": args.dataset, "attack": "pgd",
                      "norm": "linf", **found.as_dict()}))
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    from bench import run_all

    return run_all.main(skip_browser=args.skip_browser)


def cmd_serve(args: argparse.Namespace) -> int:
    """Print where the app can be reached and the instructor code, then become the server."""
    from core import classroom, settings

    code = os.environ.get(settings.INSTRUCTOR_CODE_ENV) or classroom.new_code()
    print(f"Neural Canvas: http://localhost:{args.port}")
    urls = classroom.share_urls(args.host, args.port)
    if urls:
        print(f"Shared on the network: {' '.join(urls)}. Anyone who can reach this machine "
              "can open it; they see and draw, the instructor trains.")
    print(f"Instructor code: {code} (type it in the sidebar to control training from "
          "another machine)", flush=True)
    app = str(Path(__file__).resolve().parents[2] / "app.py")
    command = [sys.executable, "-m", "streamlit", "run", app, "--server.address", args.host,
               "--server.port", str(args.port)]
    os.execvpe(sys.executable, command, {**os.environ, settings.INSTRUCTOR_CODE_ENV: code})
    return 0  # not reached: the server replaced this process


def _best_classifier_name(dataset: str) -> str | None:
    from core.inference import predict
    from core.models import zoo

    card = predict.best_card(dataset, zoo.CLASSIFIERS)
    return card.name if card else None
