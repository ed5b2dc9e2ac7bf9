"""Synthetic media for the media tests: shapes and noise drawn with numpy and Pillow.

No real media of any kind: every picture here is generated from a fixed seed.
"""

from __future__ import annotations

import os
import struct
import zlib
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image, ImageDraw
from sqlalchemy import text

from takedown.store.db import Database

# Public test vectors kept in the repository; origin and licence in tests/data/SOURCES.md.
TESTDATA = Path(__file__).resolve().parents[1] / "data"


def picture(seed: int, size: tuple[int, int] = (320, 240)) -> Image.Image:
    """A structured synthetic picture: smooth gradients, a few shapes, a little noise."""
    rng = np.random.default_rng(seed)
    w, h = size
    y, x = np.mgrid[0:h, 0:w] / max(w, h)
    channels = [
        np.sin(rng.uniform(2, 9) * x + rng.uniform(0, 6)) * np.cos(rng.uniform(2, 9) * y)
        for _ in range(3)
    ]
    arr = ((np.stack(channels, axis=2) + 1) * 127.5).astype(np.uint8)
    image = Image.fromarray(arr, "RGB")
    draw = ImageDraw.Draw(image)
    for _ in range(6):
        x0, y0 = int(rng.integers(0, w - 40)), int(rng.integers(0, h - 40))
        x1, y1 = x0 + int(rng.integers(20, w // 2)), y0 + int(rng.integers(20, h // 2))
        fill = tuple(int(v) for v in rng.integers(0, 256, 3))
        if rng.random() < 0.5:
            draw.ellipse((x0, y0, x1, y1), fill=fill)
        else:
            draw.rectangle((x0, y0, x1, y1), fill=fill)
    noise = rng.normal(0, 4, (h, w, 3))
    return Image.fromarray(np.clip(np.asarray(image) + noise, 0, 255).astype(np.uint8), "RGB")


def png_with_header(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims width x height pixels: a decompression bomb."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )


def write_video(path: Path, seed: int, seconds: int = 3, fps: int = 10) -> Path:
    """An MPEG-4 clip of a synthetic picture drifting sideways."""
    base = np.asarray(picture(seed, (96, 64)))
    with av.open(str(path), "w") as container:
        stream = container.add_stream("mpeg4", rate=fps)
        stream.width, stream.height, stream.pix_fmt = 96, 64, "yuv420p"
        for i in range(seconds * fps):
            frame = av.VideoFrame.from_ndarray(np.roll(base, i, axis=1).copy(), format="rgb24")
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def zero_mdat(path: Path) -> Path:
    """Keep the MP4 structure but wipe the coded frames: a video with nothing to decode."""
    data = bytearray(path.read_bytes())
    at = data.find(b"mdat")
    size = struct.unpack(">I", data[at - 4 : at])[0]
    data[at + 4 : at - 4 + size] = b"\0" * (size - 8)
    path.write_bytes(bytes(data))
    return path


@pytest.fixture
def media_dir(tmp_path: Path) -> Path:
    d = tmp_path / "media"
    d.mkdir()
    picture(1).save(d / "one.png")
    picture(1).save(d / "one.jpg", quality=90)
    picture(2).save(d / "two.png")
    (d / "empty.jpg").write_bytes(b"")
    (d / "notes.txt").write_text("lorem ipsum dolor sit amet\n" * 40)
    data = (d / "one.jpg").read_bytes()
    (d / "truncated.jpg").write_bytes(data[: len(data) // 2])
    (d / "bomb.png").write_bytes(png_with_header(100_000, 100_000))
    write_video(d / "clip.mp4", seed=3)
    zero_mdat(write_video(d / "broken.mp4", seed=4))
    return d


@pytest.fixture
def cli(settings_env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch):
    """`takedown ARGS` through the real entry point in this process: (exit code, out, err)."""
    import sys

    from takedown.cli import main
    from takedown.config import get_settings

    def run(*args: object) -> tuple[int, str, str]:
        monkeypatch.setattr(sys, "argv", ["takedown", *map(str, args)])
        get_settings.cache_clear()
        capsys.readouterr()
        try:
            main()
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        out, err = capsys.readouterr()
        return code, out, err

    return run


# Workaround, as in tests/store/conftest.py: tests/conftest.py's `_template` checkpoints the
# WAL inside the transaction that Database's `BEGIN IMMEDIATE` hook opened, and SQLite
# answers "database table is locked". Remove once tests/conftest.py is fixed.
@pytest.fixture(scope="session")
def _template(tmp_path_factory: pytest.TempPathFactory) -> str:
    pg_url = os.environ.get("TAKEDOWN_TEST_DATABASE_URL")
    if pg_url:
        db = Database(pg_url)
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        db.migrate()
        db.dispose()
        return pg_url
    path = tmp_path_factory.mktemp("template") / "takedown.db"
    db = Database(f"sqlite:///{path}")
    db.migrate()
    db.dispose()
    return str(path)
