"""Run every benchmark and write bench/results/summary.md beside the JSON results."""

from __future__ import annotations

from bench import (
    accuracy,
    denoise,
    draw_page,
    first_launch,
    gan,
    inside,
    lab,
    latency,
    noise_ceiling,
    probe,
    robustness,
    sessions,
    speed,
    stopped_fit,
    store,
    teach,
    teach_hall,
)
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
        lines.append(f"| {name}: with saliency and the not-a-digit score p50 | "
                     f"{timing['with_saliency']['p50_ms']} ms | ≤ 40 ms |")
    page = results.get("draw_page", {"skipped": "no browser"})
    if "skipped" not in page:
        lines.append(f"| the Draw page, server CPU per answer (both networks, real server and "
                     f"Chromium; per Clear {page['server_cpu_ms_per_clear']:.0f} ms) | "
                     f"{page['server_cpu_ms_per_answer']:.0f} ms | ≤ "
                     f"{page['goal_cpu_ms_per_answer']:.0f} ms |")
    lines += robustness_lines(results["robustness"])
    lines += inside_lines(results["inside"])
    lines += denoise_lines(results["denoise"])
    lines += ceiling_lines(results["noise_ceiling"])
    lines += gan_lines(results["gan"])
    lines += speed_lines(results["speed"])
    lines += lab_lines(results["lab"])
    lines += teach_lines(results["teach"])
    lines += probe_lines(results["probe"])
    lines += hall_lines(results.get("sessions", {}), results.get("soak", {}))
    lines += teach_hall_lines(results.get("teach_hall", {}))
    stopped = results["stopped_fit"]
    lines.append(f"| a garbage collection after a fit its time budget stopped mid-epoch "
                 f"(quick CNN, slowest of {len(stopped['runs'])}) | "
                 f"{stopped['slowest_collect_s']:.2f} s | under 1 s (was about 9 s) |")
    saving = results["store"]
    lines.append(f"| saving a model with versions against before them (p50 "
                 f"{saving['save_with_versions']['p50_ms']:.0f} / "
                 f"{saving['save_before_versions']['p50_ms']:.0f} ms) | "
                 f"{saving['ratio_p50']:.2f}x | ≤ {saving['goal_ratio']:.2f}x |")
    launch = results.get("first_launch", {})
    if "first_prediction_s" in launch:
        lines.append(f"| first launch to first prediction | "
                     f"{launch['first_prediction_s']} s | ≤ 60 s |")
        lines.append(f"| first launch to first CNN prediction (both networks: "
                     f"{launch['both_networks_s']} s) | {launch['first_cnn_prediction_s']} s "
                     f"| ≤ 25 s |")
        lines.append(f"| first launch: the Denoising lab's first denoised grid, after the "
                     f"first CNN prediction | {launch['denoised_grid_after_first_cnn_s']} s | "
                     f"≤ {launch['denoiser_goal_s']:.0f} s |")
    return "\n".join(lines) + "\n"


def robustness_lines(result: dict) -> list[str]:
    lines = []
    for name, model in result["models"].items():
        canvas, moved = model["canvas_path"], model["transformations"]
        flagged, calibrated = model["not_a_digit"], model["calibration"]
        left_out = min(flagged["left_out_families"].values())
        lines += [
            f"| {name}: drawn-like digits through the canvas path | {canvas['drawn']:.2%} "
            f"(clean {canvas['clean']:.2%}) | drop ≤ 1 point |",
            f"| {name}: worst transformation at strength {result['reference_strength']} | "
            f"{moved['worst']}: {moved['worst_drop_points']} points below clean | ≤ 2 points |",
            f"| {name}: drawings that are not digits flagged (families fitted / left out) | "
            f"{flagged['non_digits_flagged']:.1%} / ≥ {left_out:.1%} (softmax ≥ 0.9 on "
            f"{flagged['non_digits_softmax_at_least_0_9']:.0%} of them) | ≥ 90 % |",
            f"| {name}: test digits / drawn digits flagged | "
            f"{flagged['test_digits_flagged_unseen_half']:.2%} / "
            f"{flagged['drawn_digits_flagged']:.2%} | ≤ 1 % / ≤ 2 % |",
            f"| {name}: calibration error before / after temperature scaling | "
            f"{calibrated['ece_before']:.2%} / {calibrated['ece_after']:.2%} | ≤ 1 % |",
        ]
    return lines


def hall_lines(crowd: dict, soak: dict) -> list[str]:
    lines = []
    if "round_trip" in crowd:
        lines.append(f"| {crowd['sessions']} browser sessions drawing while a lab run trains: "
                     f"drawing to answer p50 / p95 | {crowd['round_trip']['p50_ms'] / 1000:.1f} s "
                     f"/ {crowd['round_trip']['p95_ms'] / 1000:.1f} s, {len(crowd['errors'])} "
                     f"errors in {crowd['predictions']} | no errors |")
        lines.append(f"| ... the run's test accuracy with them / alone | "
                     f"{crowd['test_accuracy_with_sessions']:.2%} / "
                     f"{crowd['test_accuracy_alone']:.2%} | the same |")
    if "growth" in soak:
        lines.append(f"| {soak['seconds'] / 60:.0f}-minute soak: server memory at the end against "
                     f"after the first minute | {soak['growth']:+.1%} "
                     f"({soak['rss_mib_after_first_minute']:.0f} → {soak['rss_mib_at_end']:.0f} "
                     f"MiB) | within ±20 % |")
    return lines


def teach_hall_lines(hall: dict) -> list[str]:
    if "acknowledged" not in hall:
        return []
    return [f"| teach: {hall['students']} students in browsers sending {hall['sends_each']} "
            f"drawings each: errors / taken / in the pool | {len(hall['errors'])} / "
            f"{hall['acknowledged']} / {hall['in_the_pool']} | 0 / all / as many as taken |"]


def inside_lines(result: dict) -> list[str]:
    trained = [value for model in result["trained"].values()
               for value in model["layers_max_abs_difference"].values()]
    relative = [value for model in result["trained"].values()
                for value in model["layers_relative_difference"].values()]
    lines = [f"| NumPy ops vs Keras layers on random inputs, largest difference | "
             f"{max(result['random_inputs_max_abs_difference'].values()):.1e} | ≤ 1e-5 |",
             f"| NumPy layers vs Keras with trained weights on real activations: largest "
             f"difference (relative to the layer's largest output) | {max(trained):.2e} "
             f"({max(relative):.1e}) | ≤ 1e-5 |"]
    for name, model in result["trained"].items():
        lines.append(f"| {name}: NumPy forward pass, same class as Keras | "
                     f"{model['same_predicted_class']:,} / {model['test_images']:,} | all |")
    for name, timing in result["feature_maps_ms"].items():
        lines.append(f"| {name}: feature maps for one image, with figures, p50 | "
                     f"{timing['p50_ms']} ms | ≤ 100 ms |")
    scratch = result["numpy_cnn"]
    lines.append(f"| NumPy CNN: gradients vs finite differences, largest relative error | "
                 f"{max(scratch['gradient_relative_errors'].values()):.1e} | < 1e-4 |")
    lines.append(f"| NumPy CNN: test accuracy after {scratch['cycles']} cycles "
                 f"({scratch['train_seconds']:.0f} s; 95% after "
                 f"{scratch['seconds_to_95_percent']} s) | {scratch['test_accuracy']:.2%} | "
                 f"≥ 95% within 180 s |")
    return lines


def denoise_lines(result: dict) -> list[str]:
    lines = []
    for kind, found in result["accuracy"].items():
        for level, row in found["levels"].items():
            goal = f"≥ {row['goal']:.1%}" if row["goal"] else ""
            report = f" (report {row['report']:.2%})" if row["report"] else ""
            lines.append(f"| {result['classifier']} on {kind} noise {level}, denoised by "
                         f"{found['denoiser']} (noisy: {row['noisy']:.2%}) | "
                         f"{row['denoised']:.2%} | {goal}{report} |")
            if row["independent"]:
                worst = row["independent"]["worst"]
                lines.append(f"| ... the most any CNN that never met it in training loses beyond "
                             f"{result['classifier']} ({worst}) | "
                             f"{row['independent']['extra_loss'][worst]:+.2%} | "
                             f"≤ {found['independent_extra_loss_goal']:.1%} |")
    glow = result["background_glow"]
    lines.append(f"| Denoiser's own marks: brightest background position over "
                 f"{glow['images']:,} digits, every level of both noises (worst at "
                 f"{glow['worst_at']}, row {glow['worst']['row']}, column "
                 f"{glow['worst']['col']}) | {glow['worst']['brightness']:.3f} | "
                 f"≤ {glow['goal_max']} |")
    slider = result["slider"]
    lines.append(f"| Denoising slider: noise + denoise + classify + metrics, {slider['images']} "
                 f"images, p50 | {slider['p50_ms']} ms | ≤ {slider['goal_p50_ms']:.0f} ms |")
    return lines


def ceiling_lines(result: dict) -> list[str]:
    lines = []
    for level, row in result["gaussian"].items():
        glow = row["bayes_denoiser_glow"]
        lines += [f"| What Gaussian noise {level} leaves to read: Bayes reader knowing the "
                  f"training digits / also given the true digit (images a rival digit explains "
                  f"better: {row['outshone']:.2%}) | {row['bayes']:.2%} / {row['oracle']:.2%} | |",
                  f"| Gaussian {level}: the Bayes denoiser's brightest background (row "
                  f"{glow['row']}, column {glow['col']}) | {glow['brightness']:.2f} | |"]
    return lines


def gan_lines(result: dict) -> list[str]:
    fast, conditional, goals = result["dcgan_fast"], result["cgan"], result["goals"]
    minutes = f"{result['train_s'] / 60:g} min"
    lines = [
        f"| dcgan_fast after {minutes}: samples read with confidence ≥ 0.9 | "
        f"{fast['confident']:.1%} | ≥ {goals['confident']:.0%} |",
        f"| dcgan_fast: rarest class | {fast['min_class_share']:.1%} | "
        f"≥ {goals['min_class_share']:.0%} |",
        f"| dcgan_fast: Inception Score (FID {fast['frechet_distance']:.1f}) | "
        f"{fast['inception_score']:.2f} | ≥ {goals['inception_score']:.1f} |",
        f"| cgan after {minutes}: samples read as the digit asked for | "
        f"{conditional['asked_accuracy']:.1%} | ≥ {goals['asked_accuracy']:.0%} |",
    ]
    return lines + page_lines("GAN training", result)


def lab_lines(result: dict) -> list[str]:
    goals, fast, best = result["goals"], result["mnist_fast"], result["mnist_best"]
    fashion, lstm = result["fashion_best"], result["lstm"]
    lines = [
        f"| lab, MNIST ({fast['network']}): training time to 99 % test accuracy | "
        f"{fast['seconds_to_99']} s (final {fast['test_accuracy']:.2%}) | "
        f"≤ {goals['mnist_seconds_to_99']:.0f} s |",
        f"| lab, MNIST best ({best['network']}) | {best['test_accuracy']:.2%} | "
        f"≥ {goals['mnist_best_accuracy']:.1%} |",
        f"| lab, Fashion-MNIST best ({fashion['network']}; `evaluate {fashion['model']}`) | "
        f"{fashion['evaluate']['test_accuracy']:.2%} | ≥ {goals['fashion_accuracy']:.1%} "
        "(report 91.07 %) |",
        f"| lab, airline LSTM test RMSE (train) | {lstm['test_rmse']} ({lstm['train_rmse']}) | "
        f"< {goals['lstm_test_rmse_below']} (lecture, stateful) |",
    ]
    return lines + page_lines("lab training", result)


def probe_lines(result: dict) -> list[str]:
    hot = " / ".join(f"{result[key]['p50_ms']:.0f}" for key in (
        "fgsm", "pgd", "smallest_epsilon", "grad_cam_and_occlusion", "nearest",
        "switch_off_8_filters", "prune_30_percent"))
    maps = result["points_map"]
    lines = [
        "| probe p50 ms: FGSM / PGD-20 / smallest epsilon / Grad-CAM+occlusion / nearest / "
        f"switch off 8 filters / prune 30 % | {hot} | "
        "≤ 30 / 300 / 1000 / 300 / 100 / 500 / 500 |",
        f"| probe map of 2,000 digits from {maps['layer']}: PCA / t-SNE / UMAP, first time "
        f"(s) | {maps['PCA_first_s']} / {maps['t-SNE_first_s']} / {maps['UMAP_first_s']} | "
        "≤ 1 / 30 / 30 |",
        f"| probe PCA map from any other layer, the slowest ({maps['PCA_slowest_other_layer']}, "
        f"s) | {maps['PCA_slowest_other_layer_s']} | ≤ 1 |",
    ]
    for name, found in result["robustness"].items():
        lines.append(f"| probe {name}: test accuracy; PGD-20 attack success at 0.1 / 0.2 "
                     f"(1,000 digits) | {found['test_accuracy']:.2%}; "
                     f"{found['eps_0.1']['attack_success']:.1%} / "
                     f"{found['eps_0.2']['attack_success']:.1%} | |")
    return lines + page_lines("lab training", result, "the Probe page")


def teach_lines(result: dict) -> list[str]:
    goals, crowd = result["goals"], result["crowd"]
    flagged = result["none_of_these_flagged"]
    return [
        f"| teach, 5 operators, 10 examples each, {result['transfer_10_seconds']:g} s: "
        f"transfer / from scratch (held-out {result['held_out']}) | "
        f"{result['transfer_10']:.1%} / {result['scratch_10']:.1%} | "
        f"≥ {goals['transfer_10']:.0%} (transfer) |",
        f"| teach, 1 example each: transfer / from scratch | {result['transfer_1']:.1%} / "
        f"{result['scratch_1']:.1%} | ≥ {goals['transfer_1']:.0%} (transfer) |",
        f"| teach: Train to the first curve point / training end to a reading | "
        f"{result['first_curve_point_s']} s / {result['training_end_to_reading_s']} s | "
        f"≤ {goals['first_curve_point_s']:g} s / ≤ {goals['training_end_to_reading_s']:g} s |",
        f"| teach: \"none of these\" flags held-out symbols / digits / other drawings | "
        f"{flagged['held_out_symbols']:.1%} / {flagged['mnist_test_digits']:.1%} / "
        f"{flagged['other_drawings']:.1%} | |",
        f"| teach: {crowd['senders']} senders at once, {crowd['sent']} drawings: refused / "
        f"counted | {crowd['refused']} / {crowd['counted']} | 0 / {crowd['sent']} |",
    ]


def speed_lines(result: dict) -> list[str]:
    before, today, goals = result["cnn_best_before"], result["cnn_best_today"], result["goals"]
    gan = result["dcgan_fast"]
    return [
        f"| cnn_best's training time, today's recipe over the one before the speed work "
        f"({today['train_seconds']:.0f} s / {before['train_seconds']:.0f} s; "
        f"{before['test_accuracy']:.2%} before) | {result['cnn_best_time_ratio']:.2f}x | "
        f"≤ {goals['cnn_best_time_ratio']:.1f}x |",
        f"| cnn_best's test accuracy with today's recipe | {today['test_accuracy']:.2%} | "
        f"≥ {goals['cnn_best_accuracy']:.1%} |",
        f"| dcgan_fast after 3 minutes (bench.speed): confident / rarest class / IS | "
        f"{gan['confident']:.1%} / {gan['min_class_share']:.1%} / "
        f"{gan['inception_score']:.2f} | ≥ {goals['gan_confident']:.0%} / "
        f"≥ {goals['gan_min_class']:.0%} / ≥ {goals['gan_inception_score']:.1f} |",
    ]


def page_lines(what: str, result: dict, page_name: str = "its page") -> list[str]:
    """The throughput line of a training page, if the browser was there to measure it."""
    page = result["page"]
    if "throughput_ratio" not in page:
        return []
    pairs = ", ".join(f"{pair['throughput_ratio']:.0%}" for pair in page.get("pairs", []))
    return [f"| {what} with {page_name} open, against headless (median of {pairs}; "
            f"{page['steps_per_s']} vs {page['headless_steps_per_s']} steps/s) | "
            f"{page['throughput_ratio']:.0%} | ≥ {result['goals']['page_throughput_ratio']:.0%} |"]


def main(skip_browser: bool = False) -> int:
    results = {"accuracy": accuracy.main(), "latency": latency.main(),
               "robustness": robustness.main(), "inside": inside.main(),
               "denoise": denoise.main(), "noise_ceiling": noise_ceiling.main(),
               "gan": gan.main(), "lab": lab.main(), "teach": teach.main(),
               "probe": probe.main(), "store": store.main(), "speed": speed.main(),
               "stopped_fit": stopped_fit.main()}
    if not skip_browser:
        results["draw_page"] = draw_page.main()
        results["first_launch"] = first_launch.main()
        results["sessions"], results["soak"] = sessions.main(), sessions.soak()
        results["teach_hall"] = teach_hall.main()
    table = summary(results)
    (RESULTS / "summary.md").write_text(table)
    print(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
