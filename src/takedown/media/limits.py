"""Limits that keep hashing safe on files that adversaries chose.

The media package reads no settings and no environment: callers pass ``MediaLimits``, and
the application builds them from its settings (``Settings.media_limits()``, the
``TAKEDOWN_MEDIA_*`` variables and the evidence size limit as ``max_bytes``).
"""

from __future__ import annotations

from dataclasses import dataclass, fields

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
