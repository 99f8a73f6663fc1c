"""Run every benchmark and write bench/results/summary.md beside the JSON results."""

from __future__ import annotations

from bench import accuracy, first_launch, latency, robustness
from bench.common import RESULTS


def summary(results: dict) -> str:
    lines = ["| figure | measured | goal / published |", "|---|---|---|"]
    for key, model in results["accuracy"]["models"].items():
        reference = model["goal"] or model["published"]
        target = f"{'≥ ' if model['goal'] else ''}{reference:.1%}" if reference else ""
        lines.append(f"| {key} test accuracy ({model['epochs']} epochs, "
                     f"{model['train_seconds']:.0f} s) | {model['test_accuracy']:.2%} | "
                     f"{target} |")
    for name, timing in results["latency"]["models"].items():
        lines.append(f"| {name}: drawing to prediction p50 | {timing['prediction']['p50_ms']} ms "
                     f"| ≤ 15 ms |")
        lines.append(f"| {name}: with saliency p50 | {timing['with_saliency']['p50_ms']} ms "
                     f"| ≤ 40 ms |")
    robust = results["robustness"]
    lines.append(f"| {robust['model']}: canvas-path accuracy (drawn-like digits) | "
                 f"{robust['canvas_path_accuracy']:.2%} (clean {robust['clean_accuracy']:.2%}, "
                 f"drop {robust['drop_points']} points) | drop ≤ 1 point |")
    launch = results.get("first_launch", {})
    if "first_prediction_s" in launch:
        lines.append(f"| first launch to first prediction (quick MLP) | "
                     f"{launch['first_prediction_s']} s | ≤ 60 s |")
        lines.append(f"| first launch to first CNN prediction | "
                     f"{launch['first_cnn_prediction_s']} s | |")
    return "\n".join(lines) + "\n"


def main(skip_browser: bool = False) -> int:
    results = {"accuracy": accuracy.main(), "latency": latency.main(),
               "robustness": robustness.main()}
    if not skip_browser:
        results["first_launch"] = first_launch.main()
    table = summary(results)
    (RESULTS / "summary.md").write_text(table)
    print(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
