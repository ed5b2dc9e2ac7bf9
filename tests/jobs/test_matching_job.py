"""Evidence attached at intake is hashed and matched by the job queue, after commit."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image
from sqlalchemy import select

from takedown.config import Settings
from takedown.interop import hashlists
from takedown.interop.tabular import Row
from takedown.jobs.queue import Jobs
from takedown.media.hashing import hash_file
from takedown.services.assessment import triage_queue
from takedown.services.banks import create_bank, import_entries
from takedown.services.intake import EvidencePolicy, submit_reports
from takedown.services.operations import create_operation
from takedown.services.units import create_unit, principal_for
from takedown.store.banks import Match
from takedown.store.db import Database
from takedown.store.models import Signal


def _image(path: Path, seed: int) -> Path:
    pixels = (np.random.default_rng(seed).random((128, 128, 3)) * 255).astype("uint8")
    Image.fromarray(pixels).resize((512, 512)).save(path)
    return path


def test_evidence_is_matched_after_commit_and_raises_priority(db: Database, tmp_path: Path) -> None:
    known = _image(tmp_path / "known.png", 1)
    other = _image(tmp_path / "other.png", 2)
    pdq = hash_file(known)["pdq"]
    settings = Settings(data_dir=tmp_path / "var", database_url=db.url)
    with db.session() as s:
        op = create_operation(s, "op", actor="test")
        unit = create_unit(s, "IRU", "referral_unit", actor="test")
        create_bank(s, "known-content", actor="test")
        import_entries(
            s,
            "known-content",
            hashlists.parse("te", f"pdq {pdq}\n"),
            actor="test",
            fmt="te",
            source="test",
        )
    jobs = Jobs(settings, db, immediate=True)  # tasks run in the commit hook, synchronously
    jobs.install()
    try:
        rows = [
            Row(1, {"url": "https://t.me/chan_alpha1/1", "evidence_path": known.name}),
            Row(2, {"url": "https://t.me/chan_alpha1/2", "evidence_path": other.name}),
        ]
        policy = EvidencePolicy(tmp_path, settings.evidence_dir, 10**8)
        submit_reports(db, op, unit, rows, actor="test", source="test", evidence=policy)
    finally:
        jobs.uninstall()
        jobs.close()
    with db.session() as s:
        kinds = sorted(s.scalars(select(Signal.signal_type)))
        matches = list(s.scalars(select(Match)))
        queue = triage_queue(s, principal_for(unit, "analyst"), op)
    assert kinds == ["md5", "md5", "pdq", "pdq", "sha256", "sha256"]
    assert len(matches) >= 1 and {m.distance for m in matches} == {0}
    matched_item = matches[0].item_id
    # the known-content match puts its item at the head of the triage queue
    assert queue[0].item.id == matched_item
    assert queue[0].matches >= 1 and queue[1].matches == 0
