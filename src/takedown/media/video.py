"""Video: vPDQ-style per-frame PDQ hashes with timestamps, decoded by PyAV.

One frame per second by default: the first frame at or after each sampling instant is
hashed, like ThreatExchange's vPDQ. The optional ``vpdq`` package is never needed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import av
import pdqhash

from takedown.media.limits import MediaLimits
from takedown.media.pdq import bits_to_hex


class VideoError(ValueError):
    """The file is not a decodable video."""


@dataclass(frozen=True)
class Frame:
    index: int  # the frame's number in decode order
    seconds: float
    pdq: str
    quality: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "frame": self.index,
            "t": round(self.seconds, 3),
            "pdq": self.pdq,
            "quality": self.quality,
        }


# Container formats accepted as video. FFmpeg also "decodes" plain text (its tty demuxer
# renders ANSI art) and other oddities; evidence videos come in these.
CONTAINERS = frozenset(
    [
        "mov",
        "mp4",
        "m4v",
        "3gp",
        "3g2",
        "mj2",
        "matroska",
        "webm",
        "avi",
        "flv",
        "mpegts",
        "mpeg",
        "ogg",
        "asf",
        "wmv",
        "h264",
        "hevc",
        "ivf",
        "nut",
        "mxf",
        "dv",
        "rm",
    ]
)


def has_video_stream(path: Path) -> bool:
    """True when FFmpeg reads the file as a known video container with a video stream."""
    try:
        with av.open(str(path)) as container:
            names = set(container.format.name.split(","))
            return bool(names & CONTAINERS) and bool(container.streams.video)
    except (av.FFmpegError, OSError, ValueError, UnicodeDecodeError):
        return False


def hash_video(path: Path, limits: MediaLimits) -> tuple[list[Frame], bool]:
    """Per-frame PDQ hashes and whether the video was cut short at ``max_video_frames``."""
    frames: list[Frame] = []
    step = 1.0 / limits.video_fps
    next_t = 0.0
    truncated = False
    try:
        with av.open(str(path)) as container:
            if not container.streams.video:
                raise VideoError("no video stream")
            stream = container.streams.video[0]
            stream.thread_type = "AUTO"
            if stream.width * stream.height > limits.max_pixels:
                raise VideoError(
                    f"video frames of {stream.width}x{stream.height} exceed "
                    f"{limits.max_pixels:,} pixels"
                )
            for number, frame in enumerate(container.decode(stream)):
                t = float(frame.time) if frame.time is not None else number * step
                if t + 1e-9 < next_t:
                    continue
                if len(frames) >= limits.max_video_frames:
                    truncated = True
                    break
                bits, quality = pdqhash.compute(frame.to_ndarray(format="rgb24"))
                frames.append(Frame(number, t, bits_to_hex(bits), int(quality)))
                next_t = (int(t / step) + 1) * step
    except VideoError:
        raise
    except (av.FFmpegError, OSError, ValueError) as exc:
        if not frames:
            raise VideoError(f"video has no decodable frames: {exc}") from None
        truncated = True  # a broken tail: keep what decoded
    if not frames:
        raise VideoError("video has no decodable frames")
    return frames, truncated


def to_vpdq_text(frames: list[Frame]) -> str:
    """The vPDQ feature text: one ``frame,quality,hash,seconds`` line per hashed frame."""
    return "\n".join(f"{f.index},{f.quality},{f.pdq},{f.seconds:.3f}" for f in frames)


def from_vpdq_text(text: str) -> list[Frame]:
    frames = []
    for lineno, line in enumerate(text.strip().splitlines(), 1):
        parts = line.strip().split(",")
        if len(parts) != 4:
            raise ValueError(f"vPDQ line {lineno}: expected frame,quality,hash,seconds: {line!r}")
        try:
            frames.append(Frame(int(parts[0]), float(parts[3]), parts[2].lower(), int(parts[1])))
        except ValueError:
            raise ValueError(f"vPDQ line {lineno}: bad number in {line!r}") from None
    if not frames:
        raise ValueError("vPDQ signal has no frames")
    return frames
