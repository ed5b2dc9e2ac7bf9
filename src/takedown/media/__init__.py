"""Media signals: hashers (sha256, md5, PDQ, vPDQ), signal types and the exact PDQ index.

This package imports no framework; the store, services and CLI build on it.
"""

from __future__ import annotations

from takedown.media.batch import hash_files
from takedown.media.hashing import MediaError, hash_file
from takedown.media.index import PDQIndex
from takedown.media.limits import MediaLimits
from takedown.media.signals import SIGNAL_TYPES, SignalType, signal_type

__all__ = [
    "SIGNAL_TYPES",
    "MediaError",
    "MediaLimits",
    "PDQIndex",
    "SignalType",
    "hash_file",
    "hash_files",
    "signal_type",
]
