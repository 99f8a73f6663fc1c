"""Command line over the same functions the pages use.

    python -m core data fetch [NAME ...]
    python -m core models list
    python -m core models train NAME|all [--dataset D] [--quick]
    python -m core predict FILE ... [--model NAME]
    python -m core evaluate NAME [--dataset D] [--noise KIND:LEVEL [--denoiser NAME|best]]
    python -m core gan train NAME [--seconds N] [--dataset D] [--resume]
    python -m core gan score NAME [--dataset D] [--samples N]
    python -m core bench [--skip-browser]
    python -m core serve [--host H] [--port P]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

BAR_WIDTH = 30


def progress_line(label: str, fraction: float, detail: str = "") -> None:
    """Draw a one-line progress bar on stderr (rewritten in place)."""
    filled = int(BAR_WIDTH * max(0.0, min(1.0, fraction)))
    bar = "#" * filled + "-" * (BAR_WIDTH - filled)
    sys.stderr.write(f"\r{label:<22} [{bar}] {fraction:6.1%} {detail:<48.48}")
    sys.stderr.flush()


def cmd_data_fetch(args: argparse.Namespace) -> int:
    from core.data import datasets

    names = args.names or ["mnist", "fashion_mnist"]
    failed = False
    for name in names:
        try:
            path = datasets.fetch(name, lambda stage, f, n=name: progress_line(n, f, stage))
            sys.stderr.write("\n")
            print(f"{name}: {path}")
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


def cmd_models_train(args: argparse.Namespace) -> int:
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
        try:
            while not job.state.finished:
                eta = job.eta()
                detail = job.message + (f", ETA {eta:4.0f} s" if eta is not None else "")
                progress_line(name, job.progress, detail)
                time.sleep(0.5)
        except KeyboardInterrupt:
            job.stop()
            manager.wait(job)
            sys.stderr.write("\n")
            print("stopped; the store is unchanged", file=sys.stderr)
            return 130
        progress_line(name, job.progress, job.message)
        sys.stderr.write("\n")
        if job.state is JobState.DONE:
            card = job.result
            print(f"{name}: {denoise.headline(card)} after {card.epochs} epochs "
                  f"in {card.train_seconds:.0f} s")
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
    images, labels = loaded.images("test"), loaded.labels("test")
    record: dict = {"model": args.name, "dataset": args.dataset}
    started = time.perf_counter()
    if args.noise is None:
        if args.denoiser:
            raise ValueError("--denoiser needs --noise KIND:LEVEL.")
        accuracy = classifier.accuracy(images, labels)
    else:
        kind, level = parse_noise(args.noise)
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
    """Read 'gaussian:0.6' as ('gaussian', 0.6), or say what a noise looks like."""
    from core.data import noise

    kind, _, level = text.partition(":")
    try:
        value = float(level)
    except ValueError:
        value = -1.0
    if kind not in noise.NOISES or not 0.0 <= value <= 1.0:
        raise ValueError(f"--noise takes KIND:LEVEL with KIND one of {', '.join(noise.NOISES)} "
                         f"and LEVEL between 0 and 1, e.g. gaussian:0.6; not {text!r}.")
    return kind, value


def cmd_gan_train(args: argparse.Namespace) -> int:
    from core.models import generative
    from core.training import studio
    from core.training.jobs import JobManager, JobState

    generative.spec(args.name)  # fail early on a wrong name
    manager = JobManager(max_concurrent=1)
    job = studio.submit(manager, args.name, args.dataset, minutes=args.seconds / 60.0,
                        resume=args.resume)
    try:
        while not job.state.finished:
            progress_line(args.name, job.progress, job.message)
            time.sleep(0.5)
    except KeyboardInterrupt:  # stop early: the run still saves what it has learnt
        job.stop()
        manager.wait(job)
    progress_line(args.name, job.progress, job.message)
    sys.stderr.write("\n")
    if job.state is not JobState.DONE:
        print(f"{args.name}: {job.state.value}: {job.error or job.message}", file=sys.stderr)
        return 1
    run = job.result
    print(json.dumps({"model": args.name, "dataset": args.dataset, "generator_steps": run.g_steps,
                      "train_seconds": round(run.seconds, 1),
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
                     **({"epochs": args.epochs} if args.epochs else {}))
    manager = JobManager(max_concurrent=1)
    job = lab.submit(manager, config)
    run: lab.LabRun = job.live[0]
    try:
        while not job.state.finished:
            progress_line(f"lab run {run.id}", job.progress, job.message)
            if args.seconds and run.train_seconds >= args.seconds:
                job.stop()  # ends the run early; what it learnt is measured and kept
            time.sleep(0.2)
    except KeyboardInterrupt:
        job.stop()
        manager.wait(job)
    sys.stderr.write("\n")
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
    app = str(Path(__file__).resolve().parents[1] / "app.py")
    command = [sys.executable, "-m", "streamlit", "run", app, "--server.address", args.host,
               "--server.port", str(args.port)]
    os.execvpe(sys.executable, command, {**os.environ, settings.INSTRUCTOR_CODE_ENV: code})
    return 0  # not reached: the server replaced this process


def _best_classifier_name(dataset: str) -> str | None:
    from core.inference import predict
    from core.models import zoo

    card = predict.best_card(dataset, zoo.CLASSIFIERS)
    return card.name if card else None


def parser() -> argparse.ArgumentParser:
    from core import settings

    root = argparse.ArgumentParser(prog="python -m core", description=__doc__,
                                   formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = root.add_subparsers(dest="command", required=True)

    data_cmd = commands.add_parser("data", help="datasets").add_subparsers(dest="action",
                                                                          required=True)
    fetch = data_cmd.add_parser("fetch", help="fetch and verify datasets into the cache")
    fetch.add_argument("names", nargs="*", help="mnist, fashion_mnist, cifar10")
    fetch.set_defaults(run=cmd_data_fetch)

    models = commands.add_parser("models", help="the model store").add_subparsers(
        dest="action", required=True)
    models.add_parser("list", help="list trained models").set_defaults(run=cmd_models_list)
    train = models.add_parser("train", help="train a model (or all) with progress")
    train.add_argument("name", help="a zoo name, or 'all'")
    train.add_argument("--dataset", default="mnist")
    train.add_argument("--quick", action="store_true", help="the short first-launch recipe")
    train.set_defaults(run=cmd_models_train)

    pred = commands.add_parser("predict", help="classify image files, one JSON line each")
    pred.add_argument("files", nargs="+")
    pred.add_argument("--model", help="a stored classifier (default: the most accurate)")
    pred.add_argument("--dataset", default="mnist")
    pred.set_defaults(run=cmd_predict)

    evaluate = commands.add_parser("evaluate", help="test accuracy of a stored model, as JSON")
    evaluate.add_argument("name")
    evaluate.add_argument("--dataset", default="mnist")
    evaluate.add_argument("--noise", metavar="KIND:LEVEL",
                          help="test on noisy images, e.g. gaussian:0.6 or salt_pepper:0.4")
    evaluate.add_argument("--denoiser", metavar="NAME",
                          help="clean the noisy images with this stored denoiser first "
                               "('best': the store's best for that noise)")
    evaluate.set_defaults(run=cmd_evaluate)

    gan = commands.add_parser("gan", help="generative models").add_subparsers(
        dest="action", required=True)
    gan_train = gan.add_parser("train", help="train a GAN or the VAE headless into the store")
    gan_train.add_argument("name", help="dcgan_fast, cgan, gan_mlp, dcgan or vae")
    gan_train.add_argument("--seconds", type=float, default=180.0, help="of training time")
    gan_train.add_argument("--dataset", default="mnist")
    gan_train.add_argument("--resume", action="store_true", help="continue the saved run")
    gan_train.set_defaults(run=cmd_gan_train)
    gan_score = gan.add_parser("score", help="judge fresh samples of a stored generator, as JSON")
    gan_score.add_argument("name")
    gan_score.add_argument("--dataset", default="mnist")
    gan_score.add_argument("--samples", type=int, default=1000)
    gan_score.set_defaults(run=cmd_gan_score)

    lab_cmd = commands.add_parser("lab", help="the training lab").add_subparsers(
        dest="action", required=True)
    lab_train = lab_cmd.add_parser("train", help="train a lab preset into the store as lab_N")
    lab_train.add_argument("--preset", default="small",
                           help="small, fast (MNIST to 99 %% fast), best or report_sgd")
    lab_train.add_argument("--dataset", default="mnist")
    lab_train.add_argument("--epochs", type=int, help="instead of the preset's")
    lab_train.add_argument("--seconds", type=float, help="stop after this much training")
    lab_train.set_defaults(run=cmd_lab_train)

    bench = commands.add_parser("bench", help="run the benchmarks into bench/results/")
    bench.add_argument("--skip-browser", action="store_true",
                       help="leave out the first-launch browser benchmark")
    bench.set_defaults(run=cmd_bench)

    serve = commands.add_parser("serve", help="run the app, printing its URLs and the "
                                              "instructor code")
    serve.add_argument("--host", default=os.environ.get(settings.HOST_ENV, "localhost"),
                       help="localhost (default) or 0.0.0.0 to share on the network")
    serve.add_argument("--port", type=int, default=8501)
    serve.set_defaults(run=cmd_serve)
    return root


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except ValueError as error:  # core's actionable errors: print them, not a traceback
        print(f"error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
