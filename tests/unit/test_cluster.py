"""Training on several workers: two worker processes on this machine train what one process
trains, to the same accuracy; the command line refuses what a cluster cannot do."""

from __future__ import annotations

import json

from core.training import cluster
from tests.unit.test_cli import run_cli, run_here

# The report's CNN (no batch norm, whose statistics each worker would keep over its half of
# a batch) on 12,000 digits for 2 epochs: about 10 s of training.
RUN = ("lab", "train", "--preset", "report_sgd", "--samples", "12000", "--epochs", "2")


def test_two_local_workers_reach_the_accuracy_of_one_process(nc_home, capsys):
    one = run_here(capsys, *RUN)  # one process: this one
    two = run_cli(*RUN, "--workers", "2")
    assert one.returncode == 0 and two.returncode == 0, two.stderr[-2000:]
    alone, together = (json.loads(done.stdout.splitlines()[-1]) for done in (one, two))
    assert together["steps"] == alone["steps"]  # the same batches, each split in two
    assert abs(together["test_accuracy"] - alone["test_accuracy"]) <= 0.003
    assert alone["test_accuracy"] > 0.85
    # The chief wrote into this home; the other worker's home has gone.
    assert {run["model"] for run in (alone, together)} == {"lab_1", "lab_2"}
    assert sorted(p.name for p in (nc_home / "models" / "mnist").glob("lab_*.json")) == [
        "lab_1.json", "lab_2.json"]


def test_what_several_workers_cannot_do_is_refused():
    assert "--seconds" in run_cli("lab", "train", "--workers", "2", "--seconds", "5").stderr
    assert cluster.problem(0, None) == "--workers takes 1 or more"
    assert cluster.problem(1, 5.0) is None and cluster.problem(2, None) is None


def test_each_worker_runs_the_command_without_workers():
    assert cluster.without_workers(["lab", "train", "--workers", "2", "--epochs", "1"]) == [
        "lab", "train", "--epochs", "1"]
    assert cluster.without_workers(["models", "train", "mlp", "--workers=3"]) == [
        "models", "train", "mlp"]
