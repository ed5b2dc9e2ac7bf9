"""Auto-matching of evidence: signals and matches stored, audited, never a referral."""

from __future__ import annotations

from pathlib import Path

from PIL import ImageOps
from sqlalchemy import func, select

from takedown.interop.hashlists import HashRecord
from takedown.media import pdq
from takedown.services import banks
from takedown.services.matching import item_match_summary, match_evidence
from takedown.services.operations import create_operation
from takedown.store import audit
from takedown.store.banks import Match
from takedown.store.db import Database
from takedown.store.models import AuditEvent, Evidence, Item, Signal

from .conftest import picture, write_video


def evidence_for(db: Database, path: Path) -> int:
    with db.session() as s:
        op = create_operation(s, "action-day", actor="test")
        item = Item(
            operation_id=op.id,
            key="example:post:1",
            url="https://example.org/p/1",
            canonical_url="https://example.org/p/1",
            platform="example",
            kind="post",
        )
        s.add(item)
        s.flush()
        ev = Evidence(
            item_id=item.id, sha256="0" * 64, size=path.stat().st_size, filename=path.name
        )
        s.add(ev)
        s.flush()
        audit.record(
            s, actor="test", action="test.setup", object_type="item", object_id=item.id, change={}
        )
        return ev.id


def bank_with(db: Database, name: str, values: list[tuple[str, str]], **flags: object) -> None:
    with db.session() as s:
        banks.create_bank(s, name, actor="test", **flags)  # type: ignore[arg-type]
        records = [HashRecord(k, v, {"entity": "Invented Group"}) for k, v in values]
        banks.import_entries(s, name, records, actor="test", fmt="test", source="test")


def test_evidence_matches_are_stored_with_distance_and_bank(db: Database, tmp_path: Path) -> None:
    known = picture(51)
    known_hash = pdq.hash_image(known)[0]
    bank_with(db, "propaganda", [("pdq", known_hash)], dihedral=True)
    bank_with(db, "off", [("pdq", known_hash)])
    with db.session() as s:
        banks.set_enabled(s, "off", False, actor="test")
    upload = tmp_path / "upload.jpg"
    ImageOps.flip(known).save(upload, quality=80)
    ev_id = evidence_for(db, upload)
    with db.session() as s:
        matches = match_evidence(s, ev_id, upload, actor="job:test")
        assert len(matches) == 1
        [m] = matches
        assert m.distance <= 31 and not m.suppressed and m.extra["variant"] != "original"
        summary = item_match_summary(s, m.item_id)
        assert summary["banks"] == ["propaganda"] and summary["entities"] == ["Invented Group"]
        types = sorted(s.scalars(select(Signal.signal_type).where(Signal.evidence_id == ev_id)))
        assert types == ["md5", "pdq", "sha256"]
        assert m.signal_id is not None and s.get(Signal, m.signal_id).signal_type == "pdq"
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Match)) == 1
        actions = s.scalars(select(AuditEvent.action)).all()
        assert "evidence.match" in actions
        assert not any(a.startswith(("referral", "order")) for a in actions)
        assert audit.verify_chain(s).ok


def test_negative_bank_suppresses_and_exact_signals_match(db: Database, tmp_path: Path) -> None:
    upload = tmp_path / "upload.png"
    picture(52).save(upload)
    import hashlib

    md5 = hashlib.md5(upload.read_bytes()).hexdigest()
    bank_with(db, "known", [("md5", md5)])
    bank_with(db, "benign", [("pdq", pdq.hash_image(picture(52))[0])], negative=True)
    ev_id = evidence_for(db, upload)
    with db.session() as s:
        matches = match_evidence(s, ev_id, upload, actor="job:test")
        by_type = {m.signal_type: m for m in matches}
        assert by_type["md5"].suppressed and by_type["md5"].distance == 0
        assert not by_type["pdq"].suppressed  # the negative bank's own hit
        summary = item_match_summary(s, matches[0].item_id)
        assert summary == {"matches": 0, "best_distance": None, "banks": [], "entities": []}


def test_bad_media_is_audited_not_raised(db: Database, tmp_path: Path) -> None:
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    ev_id = evidence_for(db, broken)
    with db.session() as s:
        assert match_evidence(s, ev_id, broken, actor="job:test") == []
        # sha256 and md5 are still kept: they match exact lists
        assert len(s.scalars(select(Signal).where(Signal.evidence_id == ev_id)).all()) == 2


def test_video_frames_match_a_pdq_bank(db: Database, tmp_path: Path) -> None:
    clip = write_video(tmp_path / "clip.mp4", seed=53)
    from takedown.media.hashing import hash_file

    frame = hash_file(clip)["frames"][1]
    bank_with(db, "stills", [("pdq", frame["pdq"])])
    ev_id = evidence_for(db, clip)
    with db.session() as s:
        [m] = [
            m for m in match_evidence(s, ev_id, clip, actor="job:test") if m.signal_type == "pdq"
        ]
        assert m.distance == 0 and m.extra["t"] == 1.0
