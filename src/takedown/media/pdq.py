"""PDQ hashes: from pixels to 256 bits, exactly as Meta's reference bindings compute them.

Pixels are handed to ``pdqhash`` (the PyPI binding of Meta's C++ PDQ) the way
python-threatexchange's ``pdq_hasher`` does, so that hashes interoperate with shared lists:

- no EXIF transposition: the stored pixels are hashed as they are;
- ``LA`` and ``I;16`` images are converted to RGB; other modes go to numpy as stored,
  2-D arrays (``L``, ``P``, ``1``, ``I;16``…) are stacked to three equal channels, and from
  four-channel arrays (``RGBA``, ``CMYK``) ``pdqhash`` reads the first three channels only;
- modes that python-threatexchange cannot hash at all (``I``, ``F`` and other non-8-bit
  modes) are converted to RGB by Pillow, the nearest sensible reading.

Hex strings are 64 lower-case digits, most significant bit first, as in ThreatExchange.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pdqhash
from numpy.typing import NDArray
from PIL import Image

HEX_RE = re.compile(r"^[0-9a-f]{64}$")
# pdqhash.compute_dihedral's order, named the way the reference names them.
DIHEDRAL_NAMES = (
    "original",
    "rotate90",
    "rotate180",
    "rotate270",
    "flip_x",
    "flip_y",
    "flip_plus1",
    "flip_minus1",
)
_CONVERT_TO_RGB = {"LA", "I;16"}


def pixels_for_pdq(image: Image.Image) -> NDArray[Any]:
    """The array python-threatexchange would hand to ``pdqhash`` for this image."""
    if image.mode in _CONVERT_TO_RGB:
        image = image.convert("RGB")
    array = np.asarray(image)
    if array.dtype not in (np.uint8, np.bool_):
        array = np.asarray(image.convert("RGB"))
    if array.ndim == 2:
        array = np.concatenate([array[..., np.newaxis]] * 3, axis=2)
    return array


def bits_to_hex(bits: NDArray[Any]) -> str:
    """A 256-element 0/1 vector (most significant first) as 64 hex digits."""
    packed = np.packbits(np.asarray(bits, dtype=np.uint8))
    return packed.tobytes().hex()


def hash_pixels(array: NDArray[Any]) -> tuple[str, int]:
    """PDQ hash (hex) and quality (0–100) of an array from ``pixels_for_pdq``."""
    bits, quality = pdqhash.compute(array)
    return bits_to_hex(bits), int(quality)


def hash_pixels_dihedral(array: NDArray[Any]) -> tuple[dict[str, str], int]:
    """The eight dihedral PDQ hashes (rotations and flips) in one pass, and the quality."""
    vectors, quality = pdqhash.compute_dihedral(array)
    return {name: bits_to_hex(v) for name, v in zip(DIHEDRAL_NAMES, vectors, strict=True)}, int(
        quality
    )


def hash_image(image: Image.Image) -> tuple[str, int]:
    return hash_pixels(pixels_for_pdq(image))


def validate_hex(value: str) -> str:
    """Normalise a PDQ hash string; ``ValueError`` names the bad value."""
    text = value.strip().lower()
    if not HEX_RE.match(text):
        raise ValueError(f"invalid PDQ hash {value!r}: expected 64 hexadecimal digits")
    return text


def hex_to_words(hashes: list[str] | tuple[str, ...]) -> NDArray[np.uint64]:
    """Hex strings as an (n, 4) uint64 array, 32 bytes per hash (big-endian words)."""
    if not hashes:
        return np.zeros((0, 4), dtype=np.uint64)
    raw = bytes.fromhex("".join(hashes))
    if len(raw) != 32 * len(hashes):
        raise ValueError("every PDQ hash must be 64 hexadecimal digits")
    return np.frombuffer(raw, dtype=">u8").astype(np.uint64).reshape(-1, 4)


def words_to_hex(words: NDArray[np.uint64]) -> list[str]:
    raw = np.ascontiguousarray(words, dtype=np.uint64).astype(">u8").tobytes()
    return [raw[i : i + 32].hex() for i in range(0, len(raw), 32)]


def distance(a: str, b: str) -> int:
    """Hamming distance of two PDQ hashes: the naive reference comparison."""
    return (int(a, 16) ^ int(b, 16)).bit_count()
