"""Classroom mode: who controls training, how the class reaches the server, the class's drawings.

The person at the server's own machine (a connection from loopback) is the instructor,
and so is anyone who types the instructor code printed in the terminal. Everyone else
is a student: they see the live jobs and draw, but cannot start, steer or stop training.
The class's drawings (opt-in, each with the digit its author meant) are pooled in
`<home>/class/drawings.jsonl`: plain JSON, never pickle, bounded in size.
"""

from __future__ import annotations

import base64
import contextlib
import hmac
import json
import os
import secrets
import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core import file_lock, settings, trash

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread on a projector
CODE_LENGTH = 8  # 32^8: guessing it over a websocket is hopeless
LOOPBACK = {"localhost", "127.0.0.1", "::1", ""}
MAX_DRAWINGS = 5000
MIN_SECONDS_BETWEEN_DRAWINGS = 1.0

_code_lock = threading.Lock()
_code: str | None = None


def new_code() -> str:
    """Return a fresh instructor code such as 'K7QF-M2XD'."""
    letters = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return f"{letters[:4]}-{letters[4:]}"


def instructor_code() -> str:
    """Return this server's instructor code: the one `python -m core serve` printed (passed in
    the environment), else one made on first use."""
    global _code
    with _code_lock:
        if _code is None:
            _code = os.environ.get(settings.INSTRUCTOR_CODE_ENV) or new_code()
        return _code


def code_matches(entered: str | None) -> bool:
    """Say whether `entered` is the instructor code (case, spaces and dashes ignored)."""
    def canonical(code: str) -> str:
        return "".join(code.split()).replace("-", "").upper()

    if not entered:
        return False
    return hmac.compare_digest(canonical(entered).encode(), canonical(instructor_code()).encode())


def is_instructor(remote_ip: str | None, entered_code: str | None) -> bool:
    """The instructor: on the server's own machine (Streamlit reports loopback as no address),
    unless local trust is turned off, or holding the code."""
    local = remote_ip is None or remote_ip in LOOPBACK
    return (local and settings.trust_local()) or code_matches(entered_code)


def is_shared(server_address: str | None) -> bool:
    """Say whether the server listens beyond this machine."""
    return (server_address or "localhost") not in LOOPBACK


def lan_addresses() -> list[str]:
    """Return this machine's IPv4 addresses that other machines can reach (best effort: no
    packet is sent; an offline machine may have none)."""
    found: set[str] = set()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("10.254.254.254", 1))  # UDP connect: picks a route, sends nothing
            found.add(probe.getsockname()[0])
        except OSError:
            pass
    try:
        found.update(info[4][0] for info in socket.getaddrinfo(socket.gethostname(), None,
                                                                 socket.AF_INET))
    except OSError:
        pass
    return sorted(address for address in found if not address.startswith("127."))


def share_urls(server_address: str, port: int) -> list[str]:
    """Return the URLs students can open when the server listens on `server_address`."""
    if not is_shared(server_address):
        return []
    hosts = lan_addresses() if server_address in ("0.0.0.0", "::") else [server_address]
    return [f"http://{host}:{port}" for host in hosts or [socket.gethostname()]]


@dataclass(frozen=True)
class ClassDrawings:
    """The pooled drawings: images (n, 28, 28) float32 in [0, 1] and the digits meant."""

    images: np.ndarray
    meant: np.ndarray

    def __len__(self) -> int:
        return len(self.meant)


class TooSoon(ValueError):
    """A drawing was sent again within a second: the pool is not a place to flood."""


class PoolFull(ValueError):
    """The pool holds MAX_DRAWINGS drawings; the instructor can clear it."""


def _pool_path() -> Path:
    folder = settings.home_dir() / "class"
    folder.mkdir(exist_ok=True)
    return folder / "drawings.jsonl"


def _locked() -> contextlib.AbstractContextManager[None]:
    """The pool's file lock, so two sessions never interleave a line."""
    return file_lock.locked(_pool_path().with_suffix(".lock"))


def checked_image(image: np.ndarray) -> np.ndarray:
    """Return a drawing as (28, 28) float32, or raise ValueError for anything else."""
    image = np.asarray(image, dtype=np.float32)
    if image.shape != (28, 28) or not np.isfinite(image).all():
        raise ValueError(f"A class drawing must be a 28x28 image, not {image.shape}.")
    return image


def check_pace(last_sent: float | None, now: float) -> None:
    """Raise TooSoon when the same person's previous send (`last_sent`) was under a second ago."""
    if last_sent is not None and now - last_sent < MIN_SECONDS_BETWEEN_DRAWINGS:
        raise TooSoon("That drawing was just sent; wait a second before the next one.")


def encode_image(image: np.ndarray) -> str:
    """A 28x28 image in [0, 1] as base64 of its 784 bytes (a pool line stays small)."""
    pixels = np.clip(np.round(image * 255), 0, 255).astype(np.uint8)
    return base64.b64encode(pixels.tobytes()).decode()


def decode_image(text: str) -> np.ndarray:
    """The (28, 28) float32 image `encode_image` wrote; ValueError for a damaged one."""
    pixels = np.frombuffer(base64.b64decode(text, validate=True), np.uint8)
    if pixels.size != 784:
        raise ValueError("a damaged drawing")
    return pixels.reshape(28, 28).astype(np.float32) / 255.0


def add_drawing(image: np.ndarray, meant: int, last_sent: float | None = None) -> float:
    """Add a 28x28 drawing in [0, 1] with the digit its author meant; return when it was added.

    Raises ValueError for a wrong shape or digit, TooSoon when `last_sent` (the same
    person's previous send) was under a second ago, PoolFull when the pool is full.
    """
    image = checked_image(image)
    if not 0 <= int(meant) <= 9:
        raise ValueError(f"The digit meant must be 0-9, not {meant}.")
    now = time.time()
    check_pace(last_sent, now)
    line = json.dumps({"t": round(now, 3), "meant": int(meant), "pixels": encode_image(image)})
    with _locked():
        if drawings_count() >= MAX_DRAWINGS:
            raise PoolFull(f"The class pool is full ({MAX_DRAWINGS:,} drawings); the "
                           "instructor can clear it on the Classroom page.")
        with open(_pool_path(), "a") as pool:
            pool.write(line + "\n")
    return now


def pool_version() -> tuple[int, int]:
    """Return (size, modification time) of the pool: it changes whenever a drawing is added or
    the pool is cleared, so readers can skip re-reading an unchanged pool."""
    try:
        stat = _pool_path().stat()
    except FileNotFoundError:
        return 0, 0
    return stat.st_size, stat.st_mtime_ns


def drawings_count() -> int:
    """Return how many drawings the pool holds."""
    path = _pool_path()
    if not path.exists():
        return 0
    with open(path, "rb") as pool:
        return sum(1 for _ in pool)


def drawings() -> ClassDrawings:
    """Return every pooled drawing; a damaged line (a full disk mid-write) is skipped."""
    images, meant = [], []
    path = _pool_path()
    lines = path.read_text().splitlines() if path.exists() else []
    for line in lines:
        try:
            entry = json.loads(line)
            image, digit = decode_image(entry["pixels"]), int(entry["meant"])
            if not 0 <= digit <= 9:
                continue
        except (ValueError, KeyError, TypeError):
            continue
        images.append(image)
        meant.append(digit)
    return ClassDrawings(np.array(images, np.float32).reshape(-1, 28, 28),
                         np.array(meant, np.int64))


def clear_drawings() -> trash.Item | None:
    """Empty the pool into the trash (the instructor's button); None when it was empty."""
    with _locked():
        count = drawings_count()
        return trash.discard(f"{count:,} class drawings", [_pool_path()]) if count else None
