"""Hash one file: sha256 and md5 of the bytes, PDQ of an image, per-frame PDQ of a video.

``hash_file`` never raises for a bad file: it returns ``{"path", "ok": False, "error"}``
(with the digests when the bytes could be read), so a batch goes on past it.
"""

from __future__ import annotations

import hashlib
import warnings
from pathlib import Path
from typing import Any

from PIL import Image, UnidentifiedImageError

from takedown.media import pdq
from takedown.media.limits import MediaLimits
from takedown.media.video import VideoError, has_video_stream, hash_video, to_vpdq_text

CHUNK = 1 << 20


class MediaError(ValueError):
    """A file that cannot be hashed as media; the message says why."""


def digests(path: Path) -> tuple[str, str]:
    """sha256 and md5 of a file, read once in 1 MiB chunks."""
    sha, md5 = hashlib.sha256(), hashlib.md5(usedforsecurity=False)
    with path.open("rb") as fh:
        while block := fh.read(CHUNK):
            sha.update(block)
            md5.update(block)
    return sha.hexdigest(), md5.hexdigest()


def open_image(path: Path, limits: MediaLimits) -> Image.Image | None:
    """The decoded image, or None when Pillow does not recognise the file."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(path)
    except UnidentifiedImageError:
        return None
    except Image.DecompressionBombError as exc:
        raise MediaError(f"decompression bomb: {exc}") from None
    except (OSError, SyntaxError, ValueError) as exc:
        raise MediaError(f"corrupt image: {exc}") from None
    width, height = image.size
    if width * height > limits.max_pixels:
        image.close()
        raise MediaError(
            f"decompression bomb: the header claims {width}x{height} = {width * height:,} "
            f"pixels, over the {limits.max_pixels:,} limit"
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image.load()
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        image.close()
        raise MediaError(f"corrupt or truncated image: {exc}") from None
    return image


def hash_image(image: Image.Image, *, dihedral: bool = False) -> dict[str, Any]:
    return hash_pixels(pdq.pixels_for_pdq(image), dihedral=dihedral)


def hash_pixels(pixels: Any, *, dihedral: bool = False) -> dict[str, Any]:
    if dihedral:
        variants, quality = pdq.hash_pixels_dihedral(pixels)
        return {"pdq": variants["original"], "pdq_quality": quality, "dihedral": variants}
    value, quality = pdq.hash_pixels(pixels)
    return {"pdq": value, "pdq_quality": quality}


def hash_file(
    path: Path | str, limits: MediaLimits | None = None, *, dihedral: bool = False
) -> dict[str, Any]:
    """``{"path", "ok", "media", "size", "sha256", "md5", "pdq", "pdq_quality", "frames"?}``."""
    limits = limits or MediaLimits()
    path = Path(path)
    out: dict[str, Any] = {"path": str(path), "ok": False}
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise MediaError("not a regular file")
        if size == 0:
            raise MediaError("empty file (0 bytes)")
        if size > limits.max_bytes:
            raise MediaError(f"file of {size:,} bytes is over the {limits.max_bytes:,}-byte limit")
        out["size"] = size
        out["sha256"], out["md5"] = digests(path)
        out.update(_hash_media(path, limits, dihedral))
        out["ok"] = True
    except MediaError as exc:
        out["error"] = str(exc)
    except OSError as exc:
        out["error"] = f"cannot read file: {exc.strerror or exc}"
    return _ordered(out)


def _hash_media(path: Path, limits: MediaLimits, dihedral: bool) -> dict[str, Any]:
    image = open_image(path, limits)
    if image is not None:
        try:
            width, height = image.size
            pixels = pdq.pixels_for_pdq(image)
        finally:
            image.close()  # leaving a with block would close the file, not free the pixels
        # the decoded image is freed before PDQ allocates its buffers, which then reuse its
        # memory instead of faulting in fresh pages: about 15% faster on a 1024x768 picture
        fields = hash_pixels(pixels, dihedral=dihedral)
        return {"media": "image", "width": width, "height": height} | fields
    if not has_video_stream(path):
        raise MediaError("not an image or video that takedown can decode")
    try:
        frames, truncated = hash_video(path, limits)
    except VideoError as exc:
        raise MediaError(str(exc)) from None
    best = max(frames, key=lambda f: f.quality)
    out: dict[str, Any] = {
        "media": "video",
        "pdq": best.pdq,  # the best-quality frame stands for the video in a PDQ bank
        "pdq_quality": best.quality,
        "frames": [f.as_dict() for f in frames],
        "vpdq": to_vpdq_text(frames),
    }
    if truncated:
        out["truncated"] = True
    return out


_ORDER = ("path", "ok", "error", "media", "size", "sha256", "md5", "pdq", "pdq_quality")


def _ordered(out: dict[str, Any]) -> dict[str, Any]:
    head = {k: out[k] for k in _ORDER if k in out}
    return head | {k: v for k, v in out.items() if k not in head}
