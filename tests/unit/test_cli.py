"""The command line prints what scripts need: JSON lines, accuracies, the store."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from core.cli import main
from tests.drawings import digit_canvas, png_bytes

ROOT = Path(__file__).resolve().parents[2]


def run_cli(*args: str) -> subprocess.CompletedProcess:
    """The command line in a fresh process, as a script calls it."""
    return subprocess.run([sys.executable, "-m", "core", *args], capture_output=True,
                          text=True, cwd=ROOT, env=os.environ.copy(), timeout=300)


def run_here(capsys: pytest.CaptureFixture, *args: str) -> subprocess.CompletedProcess:
    """The same command line's main() in this process: the answers that need no fresh
    process, without the seconds each takes to load TensorFlow again."""
    try:
        code = main(list(args))
    except SystemExit as usage_error:  # argparse's, as the arguments are read
        code = usage_error.code
    out, err = capsys.readouterr()
    return subprocess.CompletedProcess(args, code, out, err)


def test_predict_prints_one_json_line_per_file(use_trained, tmp_path):
    seven = tmp_path / "seven.png"
    seven.write_bytes(png_bytes(digit_canvas(0)))  # test image 0 is a 7
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"nope")
    done = run_cli("predict", str(seven), str(broken), "--model", "cnn_report")
    first, second = (json.loads(line) for line in done.stdout.splitlines())
    assert first["digit"] == 7 and len(first["probabilities"]) == 10
    assert abs(sum(first["probabilities"]) - 1) < 1e-3
    assert "not a picture" in second["error"] and done.returncode == 1


def test_evaluate_prints_the_full_test_accuracy(use_trained, capsys):
    done = run_here(capsys, "evaluate", "cnn_report")
    result = json.loads(done.stdout)
    assert result["test_images"] == 10000 and result["test_accuracy"] > 0.95


def test_models_list_and_friendly_errors(use_trained, capsys):
    assert "cnn_report" in run_cli("models", "list").stdout
    done = run_here(capsys, "evaluate", "cnn_best")
    assert done.returncode == 1 and "No cnn_best model" in done.stderr
    assert "Traceback" not in done.stderr


def test_evaluate_on_noisy_and_denoised_images(use_trained, capsys):
    noisy = json.loads(run_here(capsys, "evaluate", "cnn_report", "--noise", "gaussian:0.6",
                                "--samples", "2000").stdout)
    cleaned = json.loads(run_here(capsys, "evaluate", "cnn_report", "--noise", "gaussian:0.6",
                                  "--denoiser", "best", "--samples", "2000").stdout)
    assert noisy["noise"] == "gaussian" and noisy["level"] == 0.6
    assert cleaned["denoiser"] == "ae_unet" and cleaned["test_images"] == 2000
    assert cleaned["test_accuracy"] > noisy["test_accuracy"] + 0.1


def test_evaluate_explains_a_bad_noise_or_a_missing_denoiser(use_trained, capsys):
    for args in (("--denoiser", "ae_unet"), ("--noise", "gaussian:0.2", "--denoiser", "ae_conv")):
        done = run_here(capsys, "evaluate", "mlp", *args)
        assert done.returncode == 1 and "Traceback" not in done.stderr, args
    # A mistyped noise or count is a usage error, answered as the arguments are read.
    for args in (("--noise", "speckle:0.2"), ("--noise", "gaussian:2"), ("--noise", "gaussian"),
                 ("--samples", "0")):
        done = run_here(capsys, "evaluate", "mlp", *args)
        assert done.returncode == 2 and "Traceback" not in done.stderr, args
        assert ("KIND:LEVEL" if args[0] == "--noise" else "1 or more") in done.stderr, args


def test_models_versions_and_use_roll_a_model_back(nc_home, capsys):
    from core import store
    from core.models import zoo

    saved = []
    for accuracy in (0.97, 0.95):  # the second is worse: kept, not in use
        card = store.new_card("mlp", "mnist", "MLP", {}, test_accuracy=accuracy,
                              test_loss=0.1, train_seconds=5.0, epochs=1)
        saved.append(store.save(zoo.build("mlp"), card))
    lines = run_here(capsys, "models", "versions", "mlp").stdout.splitlines()  # newest first
    assert lines[0].startswith(f"  {saved[1].version}") and "95.00%" in lines[0]
    assert lines[1].startswith(f"* {saved[0].version}") and "97.00%" in lines[1]
    done = run_here(capsys, "models", "use", "mlp", saved[1].version)
    assert done.returncode == 0 and f"version {saved[1].version} is in use" in done.stdout
    assert store.read_card("mlp", "mnist").version == saved[1].version


def test_probe_attack_prints_clean_accuracy_and_attack_success(use_trained, capsys):
    done = run_here(capsys, "probe", "attack", "mlp", "--epsilon", "0.2", "--samples", "50")
    result = json.loads(done.stdout)
    assert result["samples"] == 50 and result["steps"] == 20 and result["epsilon"] == 0.2
    assert result["clean_accuracy"] > 0.9 and result["attack_success"] > 0.5
    bad = run_here(capsys, "probe", "attack", "mlp", "--epsilon", "2")
    assert bad.returncode == 1 and "between 0 and 1" in bad.stderr


def test_a_gan_trains_for_so_many_steps_on_any_host(nc_home, capsys):
    done = run_here(capsys, "gan", "train", "dcgan_fast", "--steps", "3")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.splitlines()[-1])
    assert result["generator_steps"] == 3 and result["in_use"]
    both = run_here(capsys, "gan", "train", "dcgan_fast", "--steps", "3", "--seconds", "5")
    assert both.returncode == 2 and "not allowed with argument" in both.stderr
