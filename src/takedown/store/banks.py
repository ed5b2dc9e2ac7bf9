"""Banks of known content, their entries, and the matches found against them.

A bank is a named collection of signals (sha256, md5, pdq, vpdq). Each entry carries labels
(entity, tier, behaviour, source, tags) and provenance (where and when it came in). A
*negative* bank holds known false positives: its matches suppress the others. A match links
a signal of some evidence to a bank entry, with the distance, so that triage can derive an
item's priority from its unsuppressed matches.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from takedown.store.models import Base, Id, utcnow


def value_digest(value: str) -> str:
    """Entries are unique on (bank, type, sha256 of the value): vPDQ values can be long."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


class Bank(Base):
    __tablename__ = "banks"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    negative: Mapped[bool] = mapped_column(Boolean, default=False)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    dihedral: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Distance threshold for PDQ and vPDQ frames; None means the signal type's default (31).
    threshold: Mapped[int | None] = mapped_column(Integer)
    #: Bumped on every change of entries, so cached match indexes know to rebuild.
    version: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class BankEntry(Base):
    __tablename__ = "bank_entries"
    __table_args__ = (
        UniqueConstraint("bank_id", "signal_type", "digest"),
        Index("ix_bank_entries_signal_type_digest", "signal_type", "digest"),
    )
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    bank_id: Mapped[int] = mapped_column(ForeignKey("banks.id"))
    signal_type: Mapped[str] = mapped_column(String(32))
    value: Mapped[str] = mapped_column(Text)
    digest: Mapped[str] = mapped_column(String(64))
    #: entity (group), tier, behaviour, source, tags (a list of free strings)
    labels: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: where the entry came from: format, file, line, external id, importing actor, time
    provenance: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Match(Base):
    __tablename__ = "matches"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("items.id"), index=True)
    evidence_id: Mapped[int | None] = mapped_column(ForeignKey("evidence.id"), index=True)
    signal_id: Mapped[int | None] = mapped_column(ForeignKey("signals.id"))
    bank_id: Mapped[int] = mapped_column(ForeignKey("banks.id"), index=True)
    bank_entry_id: Mapped[int] = mapped_column(ForeignKey("bank_entries.id"))
    signal_type: Mapped[str] = mapped_column(String(32))
    distance: Mapped[int] = mapped_column(Integer)
    #: True when a negative bank also matched this signal: kept for the record, never counted.
    suppressed: Mapped[bool] = mapped_column(Boolean, default=False)
    #: e.g. the dihedral variant or the video frame that matched
    extra: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
