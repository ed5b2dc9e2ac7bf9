"""Hashing files: good media, synthetic edits, and every kind of bad input."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageOps

from takedown.media import pdq
from takedown.media.batch import hash_files
from takedown.media.hashing import hash_file
from takedown.media.limits import MediaLimits

from .conftest import picture


def test_image_digests_and_pdq(media_dir: Path) -> None:
    result = hash_file(media_dir / "one.png")
    data = (media_dir / "one.png").read_bytes()
    assert result["ok"] and result["media"] == "image"
    assert result["sha256"] == hashlib.sha256(data).hexdigest()
    assert result["md5"] == hashlib.md5(data).hexdigest()
    assert result["pdq_quality"] >= 50
    assert pdq.distance(result["pdq"], hash_file(media_dir / "one.jpg")["pdq"]) <= 16
    assert pdq.distance(result["pdq"], hash_file(media_dir / "two.png")["pdq"]) > 31


def test_video_frames_one_per_second(media_dir: Path) -> None:
    result = hash_file(media_dir / "clip.mp4")
    assert result["ok"] and result["media"] == "video"
    assert [f["t"] for f in result["frames"]] == [0.0, 1.0, 2.0]
    assert all(len(f["pdq"]) == 64 for f in result["frames"])
    assert result["vpdq"].count("\n") == 2
    faster = hash_file(media_dir / "clip.mp4", MediaLimits(video_fps=2))
    assert len(faster["frames"]) == 6
    capped = hash_file(media_dir / "clip.mp4", MediaLimits(max_video_frames=2))
    assert len(capped["frames"]) == 2 and capped["truncated"]


@pytest.mark.parametrize(
    ("name", "needle"),
    [
        ("empty.jpg", "empty file"),
        ("notes.txt", "not an image or video"),
        ("truncated.jpg", "truncated"),
        ("bomb.png", "decompression bomb"),
        ("broken.mp4", "no decodable frames"),
        ("missing.png", "cannot read file"),
    ],
)
def test_bad_input_is_an_error_object(media_dir: Path, name: str, needle: str) -> None:
    result = hash_file(media_dir / name)
    assert result["ok"] is False
    assert needle in result["error"]
    assert result["path"].endswith(name)


def test_size_limit(media_dir: Path) -> None:
    result = hash_file(media_dir / "one.png", MediaLimits(max_bytes=1000))
    assert not result["ok"] and "over the 1,000-byte limit" in result["error"]


def test_pixel_limit_catches_modest_bombs(media_dir: Path) -> None:
    result = hash_file(media_dir / "one.png", MediaLimits(max_pixels=10_000))
    assert not result["ok"] and "decompression bomb" in result["error"]


def test_batch_goes_on_past_bad_files_in_order(media_dir: Path) -> None:
    names = ["one.png", "empty.jpg", "bomb.png", "two.png", "notes.txt", "clip.mp4"]
    seen: list[str] = []
    results = list(
        hash_files(
            [media_dir / n for n in names], workers=2, on_done=lambda r: seen.append(r["path"])
        )
    )
    assert [Path(r["path"]).name for r in results] == names
    assert [r["ok"] for r in results] == [True, False, False, True, False, True]
    assert sorted(seen) == sorted(r["path"] for r in results)


def test_one_worker_in_a_pool_or_in_process_agree(media_dir: Path) -> None:
    paths = [media_dir / n for n in ["two.png", "one.png", "notes.txt", "one.png"]]
    here = list(hash_files(paths, workers=1))
    pooled = list(hash_files(paths, workers=1, pool=True))
    assert pooled == here and [r["ok"] for r in here] == [True, True, False, True]
    assert list(hash_files([], pool=True)) == []


def _edits(image: Image.Image, tmp: Path) -> dict[str, Image.Image]:
    w, h = image.size
    small = image.resize((w // 2, h // 2), Image.Resampling.BILINEAR)
    jpeg = tmp / "recompressed.jpg"
    image.save(jpeg, quality=40)
    texted = image.copy()
    ImageDraw.Draw(texted).text((10, 10), "LOREM IPSUM 2026", fill=(255, 255, 255))
    return {
        "resize": small,
        "recompress": Image.open(jpeg),
        # 1% off each side, ~4% of the area. PDQ is crop-fragile: 3% a side moves even the
        # public bridge photo by 62 bits (see docs/media.md)
        "crop": image.crop((int(w * 0.01), int(h * 0.01), int(w * 0.99), int(h * 0.99))),
        "text": texted,
    }


@pytest.mark.parametrize("seed", [11, 12, 13])
def test_synthetic_edits_stay_within_threshold(seed: int, tmp_path: Path) -> None:
    image = picture(seed)
    original = pdq.hash_image(image)[0]
    for name, edited in _edits(image, tmp_path).items():
        assert pdq.distance(original, pdq.hash_image(edited)[0]) <= 31, name
    for other in (21, 22, 23):
        assert pdq.distance(original, pdq.hash_image(picture(other))[0]) > 31


@pytest.mark.parametrize("seed", [11, 12])
def test_dihedral_variants_match_rotated_and_flipped_copies(seed: int, tmp_path: Path) -> None:
    image = picture(seed)
    path = tmp_path / "x.png"
    image.save(path)
    variants = hash_file(path, dihedral=True)["dihedral"]
    for edited in (image.rotate(90, expand=True), ImageOps.mirror(image), ImageOps.flip(image)):
        h = pdq.hash_image(edited)[0]
        assert min(pdq.distance(h, v) for v in variants.values()) <= 31
    assert pdq.distance(variants["original"], pdq.hash_image(image.rotate(90, expand=True))[0]) > 31
