"""Signal types, shaped like python-threatexchange's: a stable ``name``, a validator, a naive
reference ``compare``, ``examples()`` and an index class.

Exact types (sha256, md5) match on equality; PDQ matches within a Hamming distance; vPDQ
compares two videos frame by frame. Every index answers ``query(values, threshold)`` with,
for each query, the matching entry ids and distances.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections import defaultdict
from collections.abc import Sequence
from typing import ClassVar, Protocol

from takedown.media import pdq
from takedown.media.index import MAX_EXACT, PDQIndex
from takedown.media.video import from_vpdq_text

Hit = tuple[int, int]  # (entry id, distance)


class SignalIndex(Protocol):
    def add(self, values: list[str], ids: list[int]) -> None: ...
    def query(self, values: list[str], threshold: int) -> list[list[Hit]]: ...


class ExactIndex:
    """A dict from value to entry ids: distance is always 0."""

    def __init__(self) -> None:
        self._ids: dict[str, list[int]] = defaultdict(list)

    def add(self, values: list[str], ids: list[int]) -> None:
        for value, id_ in zip(values, ids, strict=True):
            self._ids[value].append(id_)

    def query(self, values: list[str], threshold: int = 0) -> list[list[Hit]]:
        return [[(i, 0) for i in self._ids.get(v, ())] for v in values]


class PdqSignalIndex:
    """Hex strings in and out, over the numpy ``PDQIndex``."""

    def __init__(self) -> None:
        self._index = PDQIndex()

    def add(self, values: list[str], ids: list[int]) -> None:
        self._index.add(values, ids)

    def query(self, values: list[str], threshold: int = MAX_EXACT) -> list[list[Hit]]:
        return self._index.query(values, threshold)


class VpdqSignalIndex:
    """Frames of every stored video in one PDQ index; a video matches when enough of the
    query's frames and of its own frames find a partner (both above ``match_percent``)."""

    def __init__(self, match_percent: float = 80.0) -> None:
        self._index = PDQIndex()
        self._frames: dict[int, int] = {}
        self._owner: list[int] = []
        self.match_percent = match_percent

    def add(self, values: list[str], ids: list[int]) -> None:
        hexes: list[str] = []
        for value, id_ in zip(values, ids, strict=True):
            frames = {f.pdq for f in from_vpdq_text(value)}
            self._frames[id_] = len(frames)
            hexes.extend(frames)
            self._owner.extend([id_] * len(frames))
        start = len(self._index)
        self._index.add(hexes, range(start, start + len(hexes)))

    def query(self, values: list[str], threshold: int = MAX_EXACT) -> list[list[Hit]]:
        out = []
        for value in values:
            frames = sorted({f.pdq for f in from_vpdq_text(value)})
            hits = self._index.query(frames, threshold)
            query_hit: dict[int, int] = defaultdict(int)
            target_hit: dict[int, set[int]] = defaultdict(set)
            for found in hits:
                owners = {self._owner[i] for i, _ in found}
                for owner in owners:
                    query_hit[owner] += 1
                for i, _ in found:
                    target_hit[self._owner[i]].add(i)
            matched = []
            for owner, n in query_hit.items():
                q_pct = 100.0 * n / len(frames)
                t_pct = 100.0 * len(target_hit[owner]) / self._frames[owner]
                if min(q_pct, t_pct) >= self.match_percent:
                    matched.append((owner, round(100 - min(q_pct, t_pct))))
            out.append(sorted(matched, key=lambda h: h[1]))
        return out


class SignalType(ABC):
    name: ClassVar[str]
    #: Default match threshold (a Hamming distance, or for vPDQ a frame distance).
    threshold: ClassVar[int] = 0
    max_threshold: ClassVar[int] = 0

    @classmethod
    @abstractmethod
    def validate(cls, value: str) -> str:
        """The value in canonical form; raises ValueError naming what is wrong."""

    @classmethod
    def compare(cls, a: str, b: str) -> int:
        """Naive reference distance, for tests and for the index to be checked against."""
        return 0 if cls.validate(a) == cls.validate(b) else 1 << 16

    @classmethod
    @abstractmethod
    def examples(cls) -> list[str]:
        """Valid values, for tests and documentation."""

    @classmethod
    def index(cls) -> SignalIndex:
        return ExactIndex()


class _HexDigest(SignalType):
    length: ClassVar[int]

    @classmethod
    def validate(cls, value: str) -> str:
        text = value.strip().lower()
        if not re.fullmatch(rf"[0-9a-f]{{{cls.length}}}", text):
            raise ValueError(f"invalid {cls.name} {value!r}: expected {cls.length} hex digits")
        return text


class Sha256Signal(_HexDigest):
    name = "sha256"
    length = 64

    @classmethod
    def examples(cls) -> list[str]:
        return ["e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"]


class Md5Signal(_HexDigest):
    name = "md5"
    length = 32

    @classmethod
    def examples(cls) -> list[str]:
        return ["d41d8cd98f00b204e9800998ecf8427e"]


class PdqSignal(SignalType):
    name = "pdq"
    threshold = 31
    max_threshold = MAX_EXACT
    #: Hashes below this quality are too unreliable to match on (ThreatExchange's value).
    min_quality = 50

    @classmethod
    def validate(cls, value: str) -> str:
        return pdq.validate_hex(value)

    @classmethod
    def compare(cls, a: str, b: str) -> int:
        return pdq.distance(cls.validate(a), cls.validate(b))

    @classmethod
    def examples(cls) -> list[str]:
        # ThreatExchange's pdq/data/bridge-mods examples (public test vectors)
        return [
            "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22",
            "d8f8f0cec0f4a84f0637022a278f67f0b36e2ed596621e1d33e6339c4e9c9b22",
        ]

    @classmethod
    def index(cls) -> SignalIndex:
        return PdqSignalIndex()


class VpdqSignal(SignalType):
    name = "vpdq"
    threshold = 31
    max_threshold = MAX_EXACT

    @classmethod
    def validate(cls, value: str) -> str:
        frames = from_vpdq_text(value)
        for f in frames:
            pdq.validate_hex(f.pdq)
        return "\n".join(f"{f.index},{f.quality},{f.pdq},{f.seconds:.3f}" for f in frames)

    @classmethod
    def compare(cls, a: str, b: str) -> int:
        """100 minus the smaller share of frames (in %) that find a partner within 31."""
        fa = {f.pdq for f in from_vpdq_text(a)}
        fb = {f.pdq for f in from_vpdq_text(b)}
        qa = sum(any(pdq.distance(x, y) <= MAX_EXACT for y in fb) for x in fa)
        qb = sum(any(pdq.distance(y, x) <= MAX_EXACT for x in fa) for y in fb)
        return round(100 - min(100.0 * qa / len(fa), 100.0 * qb / len(fb)))

    @classmethod
    def examples(cls) -> list[str]:
        return [f"0,100,{PdqSignal.examples()[0]},0.000\n30,100,{PdqSignal.examples()[1]},1.000"]

    @classmethod
    def index(cls) -> SignalIndex:
        return VpdqSignalIndex()


SIGNAL_TYPES: dict[str, type[SignalType]] = {
    t.name: t for t in (Sha256Signal, Md5Signal, PdqSignal, VpdqSignal)
}


def signal_type(name: str) -> type[SignalType]:
    try:
        return SIGNAL_TYPES[name.strip().lower()]
    except KeyError:
        known = ", ".join(SIGNAL_TYPES)
        raise ValueError(f"unknown signal type {name!r}: expected one of {known}") from None


def signals_of(result: dict[str, object]) -> Sequence[tuple[str, str, int | None]]:
    """The (signal type, value, quality) triples of a ``hash_file`` result."""
    out: list[tuple[str, str, int | None]] = []
    for name in ("sha256", "md5"):
        if isinstance(result.get(name), str):
            out.append((name, str(result[name]), None))
    quality = result.get("pdq_quality")
    if result.get("media") == "image" and isinstance(result.get("pdq"), str):
        out.append(("pdq", str(result["pdq"]), quality if isinstance(quality, int) else None))
    if result.get("media") == "video" and isinstance(result.get("vpdq"), str):
        out.append(("vpdq", str(result["vpdq"]), quality if isinstance(quality, int) else None))
    return out
