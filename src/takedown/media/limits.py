"""Limits that keep hashing safe on files that adversaries chose.

Defaults live here; ``from_env`` reads overrides from ``TAKEDOWN_MEDIA_*`` variables (the
media package reads no settings framework). Callers that know the evidence size limit pass
it as ``max_bytes``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace

DEFAULT_MAX_BYTES = 200 * 1024**2


@dataclass(frozen=True)
class MediaLimits:
    #: Largest file hashed at all, in bytes (the evidence limit, 200 MiB by default).
    max_bytes: int = DEFAULT_MAX_BYTES
    #: Most pixels an image header (or a video frame) may claim: more is a decompression bomb.
    max_pixels: int = 100_000_000
    #: Video frames hashed per second of video (vPDQ-style sampling).
    video_fps: float = 1.0
    #: Most frames hashed per video; longer videos are hashed up to this many and flagged.
    max_video_frames: int = 3600

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if value <= 0:
                raise ValueError(f"media limit {f.name} must be positive, got {value!r}")

    @classmethod
    def from_env(cls, max_bytes: int | None = None) -> MediaLimits:
        """Defaults, overridden by TAKEDOWN_MEDIA_MAX_PIXELS, _VIDEO_FPS, _MAX_VIDEO_FRAMES."""
        limits = cls() if max_bytes is None else cls(max_bytes=max_bytes)
        changes: dict[str, float | int] = {}
        for f in fields(cls):
            raw = os.environ.get(f"TAKEDOWN_MEDIA_{f.name.upper()}")
            if raw is None or f.name == "max_bytes":
                continue
            try:
                changes[f.name] = float(raw) if f.name == "video_fps" else int(raw)
            except ValueError:
                raise ValueError(
                    f"TAKEDOWN_MEDIA_{f.name.upper()}={raw!r} is not a number"
                ) from None
        return replace(limits, **changes)  # type: ignore[arg-type]
