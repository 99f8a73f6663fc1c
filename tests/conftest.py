"""Shared fixtures: a private NEURAL_CANVAS_HOME per test, with the real datasets linked in."""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# Tests decide themselves what trains; the app must not start jobs behind their back.
os.environ["NEURAL_CANVAS_AUTOTRAIN"] = "0"
if os.environ.get("PYTEST_XDIST_WORKER_COUNT"):
    # Workers share the cores: each gets its share of compute threads (and so does the app it
    # starts), or their thread pools spin against each other.
    _threads = max(1, (os.cpu_count() or 1) // int(os.environ["PYTEST_XDIST_WORKER_COUNT"]))
    os.environ.setdefault("TF_NUM_INTRAOP_THREADS", str(_threads))
    os.environ.setdefault("OMP_NUM_THREADS", str(_threads))

import contextlib  # noqa: E402
import shutil  # noqa: E402
from collections.abc import Callable, Iterator  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from core import settings, store  # noqa: E402
from core.file_lock import locked  # noqa: E402
from core.inference import denoise, novelty, sample_quality  # noqa: E402
from core.models.zoo import TrainConfig  # noqa: E402
from core.training import fit, gan_run, line_autoencoder  # noqa: E402

# Brief recipes for the session's store: enough to be real, seconds not minutes.
# Small batches: 2,000 digits in 62 steps of 32 restored as well as 6,000 in 47 steps of 128
# (PSNR +3.1 / +6.9 dB at Gaussian 0.3 / 0.6 against +2.6 / +6.7; cnn_report reads 84 % of
# Gaussian 0.6 digits restored, as before) in 17 s instead of 26 s at one thread; 4,000 in
# 31 steps of 128 gained only 0.5 dB at 0.3.
BRIEF_DENOISER = TrainConfig(epochs=1, train_samples=2000, batch_size=32,
                             loss="binary_crossentropy", noisy_inputs=True, level_skew=2.0,
                             guide="cnn_report", guide_weight=0.3)
BRIEF_ANOMALY = TrainConfig(learning_rate=0.01, batch_size=100, epochs=15, loss="mse")
BRIEF_GENERATORS = ("dcgan_fast", "cgan", "vae")
BRIEF_CNN_BEST = TrainConfig(epochs=1, train_samples=6000, batch_size=64)
BRIEF_GENERATOR_SECONDS = 3.0
# dcgan_fast trains longer: its saved run is the "good" one that tests of a worse fresh run
# compare against (stopped after two steps, blobs measure worse than 20 s of training even
# on a slow host under load; after 10 steps they once measured better).
GOOD_GAN_SECONDS = 20.0

REAL_DATA_DIR = settings.data_dir()


def link_home(home: Path) -> Path:
    """Make `home` a Neural Canvas home whose data folder is the real, verified cache."""
    home.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):  # two workers building parts of one home
        (home / "data").symlink_to(REAL_DATA_DIR, target_is_directory=True)
    return home


@contextlib.contextmanager
def as_home(home: Path) -> Iterator[Path]:
    """Make `home` this process's Neural Canvas home for a while (session fixtures cannot
    use the per-test monkeypatch)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(settings.HOME_ENV, str(home))
        yield home


@contextlib.contextmanager
def measured_as_quick() -> Iterator[None]:
    """Measure the brief models' cards as first launch measures its quick models': a
    denoiser on fewer images per level (a classifier's detector reads a quarter of its
    fitting images in every test: see `detectors_read_a_quarter`). Measuring them in full
    took longer than their brief training. Their live validation reads 500 test images, not
    2,000 (the brief denoiser took 10 s of one core for a pass over 2,000)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(denoise, "QUALITY_SAMPLES", denoise.QUICK_QUALITY_SAMPLES)
        patch.setattr(fit, "LIVE_VALIDATION_SAMPLES", 500)
        yield


@pytest.fixture(scope="session", autouse=True)
def detectors_read_a_quarter() -> Iterator[None]:
    """Every not-a-digit detector fitted in this process reads a quarter of its fitting images,
    as first launch's quick models do: all 27,500 through each network a test trains or
    operates on was minutes of the suite, and what tests ask of a detector does not need
    them."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(novelty, "EVERY", novelty.QUICK_EVERY)
        yield


def train_report_cnn() -> None:
    # On 45,000 digits it read 98.3 % of the test set and was sure (p >= 0.9) of 31 % of
    # generated non-digits, as on all 60,000; on 30,000, 97.3 % and 17 % (test_novelty
    # expects over 20 %).
    fit.train_model("cnn_report", config=TrainConfig(epochs=1, train_samples=45_000))


def train_mlp_and_line() -> None:
    fit.train_model("mlp", config=TrainConfig(optimizer="rmsprop", epochs=2))
    line_autoencoder.train(BRIEF_ANOMALY)


def train_denoiser() -> None:
    fit.train_model("ae_unet", config=BRIEF_DENOISER)


def train_generators() -> None:
    judge = sample_quality.load_judge("mnist")
    for name in BRIEF_GENERATORS:
        run = gan_run.Run(name)
        good = name == "dcgan_fast"
        run.train(seconds=GOOD_GAN_SECONDS if good else BRIEF_GENERATOR_SECONDS, judge=judge)
        run.to_store()
        if good:  # beside the home, not in it: the studio finds no saved run there
            run.save(good_gan_run(settings.home_dir()))


def good_gan_run(home: Path) -> Path:
    return home.parent / "dcgan_fast.good-run.npz"


def train_teach_base() -> None:
    fit.train_model("cnn_best", config=BRIEF_CNN_BEST)


@dataclass(frozen=True)
class Part:
    """Some of a shared home's models, and the parts whose models they need first."""

    home: str
    name: str
    train: Callable[[], None]
    after: tuple[str, ...] = ()


# The homes trained once per run, in parts, so that pytest-xdist's workers build them side by
# side: the trained home (a real MLP, CNN, denoiser, line autoencoder and three generators;
# the CNN guides the denoiser, the better classifier judges the generators) and the teach
# home (a briefly trained cnn_best, the Teach page's base). In the order workers take them:
# one trains the CNN and then the denoiser it guides, the longest chain (66 and 64 s, each
# alone on one core of a slow host), while the other trains the MLP, the teach home and the
# generators (14, 42 and 38 s), which wait for the CNN.
PARTS = {part.name: part for part in (
    Part("trained", "report_cnn", train_report_cnn),
    Part("trained", "mlp_and_line", train_mlp_and_line),
    Part("teach", "teach_base", train_teach_base),
    Part("trained", "generators", train_generators, after=("report_cnn", "mlp_and_line")),
    Part("trained", "denoiser", train_denoiser, after=("report_cnn",)),
)}


def trained_once(factory: pytest.TempPathFactory, home: str) -> Path:
    """A home whose PARTS were trained once for the whole run, however many workers share
    it; each worker gets a copy of its own to write into."""
    for part in PARTS.values():
        if part.home == home:
            with locked(part_lock(factory, part)):
                build(factory, part)
    copy = factory.mktemp(home) / "home"
    shutil.copytree(built_home(factory, home), copy, symlinks=True)
    return copy


def build(factory: pytest.TempPathFactory, part: Part) -> None:
    """Train a part into its home unless a worker did already (its lock held)."""
    built = built_home(factory, part.home)
    done = built.parent / f"{part.name}.done"
    if done.exists():
        return
    for needed in part.after:
        with locked(part_lock(factory, PARTS[needed])):
            build(factory, PARTS[needed])
    with as_home(link_home(built)), measured_as_quick():
        part.train()
    done.touch()


def part_lock(factory: pytest.TempPathFactory, part: Part) -> Path:
    return built_home(factory, part.home).parent.parent / f"{part.name}.lock"


def built_home(factory: pytest.TempPathFactory, name: str) -> Path:
    """Where `trained_once` builds a home, as it was built: no test writes into it."""
    base = factory.getbasetemp()
    shared = base.parent if base.name.startswith("popen-gw") else base  # what all workers share
    return shared / f"{name}-built" / "home"


# The slowest test files (a clean run's --durations=0 on a 2-core host, session 19), collected
# first: `make test` tells pytest-xdist to hand the files out in collection order
# (--no-loadscope-reorder). By default it sorts them by their number of tests, which put the
# long files of one to three tests last, one worker running them while the other idled.
SLOWEST_FIRST = (
    "tests/e2e/test_denoise_in_browser.py", "tests/unit/test_cli.py", "tests/unit/test_probe.py",
    "tests/unit/test_cluster.py", "tests/e2e/test_teach_in_browser.py", "tests/app/test_lab.py",
    "tests/app/test_gan.py", "tests/unit/test_generative.py", "tests/unit/test_lab.py",
    "tests/e2e/test_classroom_in_browser.py", "tests/e2e/test_gan_in_browser.py",
    "tests/e2e/test_model_versions_in_browser.py", "tests/app/test_probe.py",
    "tests/e2e/test_lab_in_browser.py", "tests/unit/test_training.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the slowest files first (a stable sort: each file's tests keep their order)."""
    rank = {path: index for index, path in enumerate(SLOWEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::")[0], len(rank)))


@pytest.fixture(scope="session", autouse=True)
def homes_built_side_by_side(request, tmp_path_factory) -> None:
    """Under pytest-xdist, each worker first builds the parts of the shared homes that this
    run needs and no other worker is building: they train side by side, instead of one
    worker idling on a lock while another trains them one after the other."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return
    needed = {fixture for item in request.session.items for fixture in item.fixturenames}
    for part in PARTS.values():
        if f"{part.home}_home" not in needed:
            continue
        with contextlib.suppress(BlockingIOError):  # another worker is building it
            with locked(part_lock(tmp_path_factory, part), wait=False):
                build(tmp_path_factory, part)


@pytest.fixture
def nc_home(tmp_path, monkeypatch) -> Path:
    """An empty model store, the real datasets."""
    home = link_home(tmp_path / "home")
    monkeypatch.setenv(settings.HOME_ENV, str(home))
    return home


@pytest.fixture(scope="session")
def trained_home(tmp_path_factory) -> Path:
    """A home with a real MLP, CNN, denoiser, line autoencoder and three generators, trained
    once per run."""
    return trained_once(tmp_path_factory, "trained")


@pytest.fixture(scope="session")
def teach_home(tmp_path_factory) -> Path:
    """A home with a briefly trained cnn_best, the network the Teach page transfers from."""
    return trained_once(tmp_path_factory, "teach")


def fresh_copy(name: str, factory: pytest.TempPathFactory, tmp_path: Path,
               monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of a shared home as it was built, this test's home: it meets nothing another
    test wrote, whichever worker runs them, in any order."""
    home = tmp_path / "home"
    shutil.copytree(built_home(factory, name), home, symlinks=True)
    monkeypatch.setenv(settings.HOME_ENV, str(home))
    return home


@pytest.fixture
def use_teach_home(teach_home, tmp_path_factory, tmp_path, monkeypatch) -> Path:
    """The teach home, fresh: the browser test's classes ("+, −, =") failed the page test that
    expects the default ones when it ran first."""
    return fresh_copy("teach", tmp_path_factory, tmp_path, monkeypatch)


@pytest.fixture
def own_trained(trained_home, tmp_path_factory, tmp_path, monkeypatch) -> Path:
    """The trained home, fresh, for a test that writes to it (a saved GAN run, a kept model)
    or lists what it holds (other tests' lab runs landed in the shared one)."""
    return fresh_copy("trained", tmp_path_factory, tmp_path, monkeypatch)


@pytest.fixture
def good_gan_saved(own_trained, tmp_path_factory) -> store.Card:
    """The trained home's 20-second dcgan_fast run, saved in this test's own home (to
    continue or start afresh over) and its generator in use."""
    path = good_gan_run(built_home(tmp_path_factory, "trained"))
    card = gan_run.Run.resume("dcgan_fast", path=path).checkpoint()
    store.use("dcgan_fast", "mnist", card.version)
    return card


@pytest.fixture
def use_trained(trained_home, monkeypatch) -> Path:
    monkeypatch.setenv(settings.HOME_ENV, str(trained_home))
    return trained_home

