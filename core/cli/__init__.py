"""The command line, `python -m core`, over the same functions the pages use.

    python -m core data fetch [NAME ...]
    python -m core models list
    python -m core models train NAME|all [--dataset D] [--quick] [--workers N]
    python -m core models versions NAME [--dataset D]
    python -m core models use NAME VERSION [--dataset D]
    python -m core predict FILE ... [--model NAME]
    python -m core evaluate NAME [--dataset D] [--noise KIND:LEVEL [--denoiser NAME|best]]
                             [--samples N]
    python -m core gan train NAME [--seconds N | --steps N] [--dataset D] [--resume]
    python -m core gan score NAME [--dataset D] [--samples N]
    python -m core probe attack NAME [--epsilon E] [--samples N] [--dataset D]
    python -m core lab train [--preset P] [--dataset D] [--epochs N] [--seconds S]
                             [--samples N] [--workers N]
    python -m core bench [--skip-browser]
    python -m core serve [--host H] [--port P]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys

# Before anything imports TensorFlow: its informational lines and, on a machine without a
# GPU, its "failed call to cuInit" error are not for a terminal.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
# The commands that run a network; the others (data, serve) never load TensorFlow here.
USES_TENSORFLOW = {"models", "predict", "evaluate", "gan", "lab", "probe", "bench"}

from core.cli.commands import (  # noqa: E402
    cmd_bench,
    cmd_data_fetch,
    cmd_evaluate,
    cmd_gan_score,
    cmd_gan_train,
    cmd_lab_train,
    cmd_models_list,
    cmd_models_train,
    cmd_models_use,
    cmd_models_versions,
    cmd_predict,
    cmd_probe_attack,
    cmd_serve,
    parse_noise,
)
from core.training import cluster  # noqa: E402


def positive_int(text: str) -> int:
    """An argument type: a whole number of 1 or more."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"takes a whole number of 1 or more, not {text!r}")
    return value


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
    add_workers(train)
    train.set_defaults(run=cmd_models_train)
    for action, helped in (("versions", "list a model's versions (* in use)"),
                           ("use", "put a version of a model in use")):
        sub = models.add_parser(action, help=helped)
        sub.add_argument("name")
        if action == "use":
            sub.add_argument("version", help="as `models versions NAME` lists it")
        sub.add_argument("--dataset", default="mnist")
        sub.set_defaults(run=cmd_models_versions if action == "versions" else cmd_models_use)

    pred = commands.add_parser("predict", help="classify image files, one JSON line each")
    pred.add_argument("files", nargs="+")
    pred.add_argument("--model", help="a stored classifier (default: the most accurate)")
    pred.add_argument("--dataset", default="mnist")
    pred.set_defaults(run=cmd_predict)

    evaluate = commands.add_parser("evaluate", help="test accuracy of a stored model, as JSON")
    evaluate.add_argument("name")
    evaluate.add_argument("--dataset", default="mnist")
    evaluate.add_argument("--noise", metavar="KIND:LEVEL", type=parse_noise,
                          help="test on noisy images, e.g. gaussian:0.6 or salt_pepper:0.4")
    evaluate.add_argument("--denoiser", metavar="NAME",
                          help="clean the noisy images with this stored denoiser first "
                               "('best': the store's best for that noise)")
    evaluate.add_argument("--samples", type=positive_int,
                          help="the first N test images (default: all of them)")
    evaluate.set_defaults(run=cmd_evaluate)

    gan = commands.add_parser("gan", help="generative models").add_subparsers(
        dest="action", required=True)
    gan_train = gan.add_parser("train", help="train a GAN or the VAE headless into the store")
    gan_train.add_argument("name", help="dcgan_fast, cgan, gan_mlp, dcgan or vae")
    length = gan_train.add_mutually_exclusive_group()
    length.add_argument("--seconds", type=float, default=180.0,
                        help="of training time (default 180)")
    length.add_argument("--steps", type=positive_int,
                        help="generator steps instead: the same learning on any host")
    gan_train.add_argument("--dataset", default="mnist")
    gan_train.add_argument("--resume", action="store_true", help="continue the saved run")
    gan_train.set_defaults(run=cmd_gan_train)
    gan_score = gan.add_parser("score", help="judge fresh samples of a stored generator, as JSON")
    gan_score.add_argument("name")
    gan_score.add_argument("--dataset", default="mnist")
    gan_score.add_argument("--samples", type=int, default=1000)
    gan_score.set_defaults(run=cmd_gan_score)

    probe = commands.add_parser("probe", help="probe a classifier").add_subparsers(
        dest="action", required=True)
    attack = probe.add_parser("attack", help="PGD (L-infinity, 20 steps) on the first test "
                              "digits: clean accuracy and attack success, as JSON")
    attack.add_argument("name", help="a stored classifier, e.g. cnn_best or cnn_robust")
    attack.add_argument("--epsilon", type=float, default=0.1, help="in pixel units (0 to 1)")
    attack.add_argument("--samples", type=int, default=1000)
    attack.add_argument("--dataset", default="mnist")
    attack.set_defaults(run=cmd_probe_attack)

    lab_cmd = commands.add_parser("lab", help="the training lab").add_subparsers(
        dest="action", required=True)
    lab_train = lab_cmd.add_parser("train", help="train a lab preset into the store as lab_N")
    lab_train.add_argument("--preset", default="small",
                           help="small, fast (MNIST to 99 %% fast), best or report_sgd")
    lab_train.add_argument("--dataset", default="mnist")
    lab_train.add_argument("--epochs", type=int, help="instead of the preset's")
    lab_train.add_argument("--seconds", type=float, help="stop after this much training")
    lab_train.add_argument("--samples", type=int, help="train on the first N training images")
    add_workers(lab_train)
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


def add_workers(command: argparse.ArgumentParser) -> None:
    command.add_argument("--workers", type=int, default=1,
                         help="train as N workers of one cluster on this machine (TensorFlow's "
                              "MultiWorkerMirroredStrategy; on several machines set TF_CONFIG "
                              "instead, see the README)")


@contextlib.contextmanager
def native_stderr_silenced():
    """Send what C++ code writes to standard error to /dev/null for a while. TensorFlow's
    start-up lines (oneDNN, "Could not find cuda drivers") are written before its logging
    is set up, so no environment variable reaches them; Python's own errors still show,
    since the exception is printed after the block."""
    sys.stderr.flush()
    saved, null = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(null)


def load_tensorflow_quietly() -> None:
    """Import TensorFlow and find its devices (its second burst of lines) in silence; in a
    cluster's worker, join the cluster first, as TensorFlow asks."""
    with native_stderr_silenced():
        import tensorflow as tf

        if cluster.in_cluster():
            cluster.strategy()
        tf.config.list_physical_devices()


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = parser().parse_args(argv)
    workers, seconds = getattr(args, "workers", 1), getattr(args, "seconds", None)
    if problem := cluster.problem(workers, seconds):
        print(f"error: {problem}", file=sys.stderr)
        return 2
    if workers > 1:
        return cluster.run_local(workers, cluster.without_workers(argv))
    if args.command in USES_TENSORFLOW:
        load_tensorflow_quietly()
    try:
        return args.run(args)
    except ValueError as error:  # core's actionable errors: print them, not a traceback
        print(f"error: {error}", file=sys.stderr)
        return 1
