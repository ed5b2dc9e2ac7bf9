"""A bank match suggests an assessment: shown to analysts, never a decision, never a referral.

End to end: evidence attached at intake is hashed and matched by the job queue after commit
(the real task, run synchronously), then the API shows the item with its suggestion.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image
from sqlalchemy import func, select

from takedown.config import Settings
from takedown.interop.hashlists import HashRecord
from takedown.interop.tabular import Row
from takedown.jobs.queue import Jobs
from takedown.media.hashing import hash_file
from takedown.services import operations
from takedown.services.banks import create_bank, import_entries
from takedown.services.intake import EvidencePolicy, submit_reports
from takedown.store.assessment import Assessment
from takedown.store.models import Item, Unit
from takedown.store.referrals import Delivery, Referral, RemovalOrder

from .conftest import TestClient, World

KNOWN, OTHER, BENIGN = (
    "https://t.me/lorem_chan/1",
    "https://t.me/lorem_chan/2",
    "https://t.me/lorem_chan/3",
)
INVENTED = Path(__file__).resolve().parents[1] / "data" / "taxonomy_invented.json"
LABELS = {
    "entity": "group-alpha",
    "tier": "tier-1",
    "behaviour": "recruitment",
    "source": "invented-list",
    "tags": ["synthetic"],
}


@pytest.fixture(autouse=True)
def _invented_taxonomy(monkeypatch: pytest.MonkeyPatch) -> None:
    """The app's settings read TAKEDOWN_TAXONOMY_FILE: these tests use invented group names."""
    monkeypatch.setenv("TAKEDOWN_TAXONOMY_FILE", str(INVENTED))


def _image(path: Path, seed: int) -> Path:
    pixels = (np.random.default_rng(seed).random((128, 128, 3)) * 255).astype("uint8")
    Image.fromarray(pixels).resize((512, 512)).save(path)
    return path


def _bank(world: World, name: str, pdq: str, labels: dict[str, Any], negative: bool) -> None:
    with world.db.session() as s:
        create_bank(s, name, actor="test", negative=negative)
        import_entries(
            s, name, [HashRecord("pdq", pdq, labels)], actor="test", fmt="csv", source="test"
        )


@pytest.fixture
def matched(world: World, settings: Settings, tmp_path: Path) -> dict[str, int]:
    """Three items reported by DE with evidence: one in a known-content bank, one matching
    nothing, one in that bank *and* in a negative (known false positive) bank."""
    files = {url: _image(tmp_path / f"{n}.png", n) for n, url in enumerate((KNOWN, OTHER, BENIGN))}
    known_pdq = hash_file(files[KNOWN])["pdq"]
    benign_pdq = hash_file(files[BENIGN])["pdq"]
    _bank(world, "known-content", known_pdq, LABELS, negative=False)
    with world.db.session() as s:  # the benign picture is in the positive bank too
        import_entries(
            s,
            "known-content",
            [HashRecord("pdq", benign_pdq, {"entity": "group-beta"})],
            actor="test",
            fmt="csv",
            source="test",
        )
    _bank(world, "false-positives", benign_pdq, {"source": "review"}, negative=True)

    jobs = Jobs(settings, world.db, immediate=True)  # matching runs in the commit hook
    jobs.install()
    try:
        with world.db.session() as s:
            operation = operations.get_operation(s, "OP1")
            unit = s.get(Unit, world.unit_ids["DE-IRU"])
        rows = [
            Row(n, {"url": url, "evidence_path": path.name, "notes": "DE only"})
            for n, (url, path) in enumerate(files.items(), start=1)
        ]
        policy = EvidencePolicy(tmp_path, settings.evidence_dir, 10**8)
        result = submit_reports(
            world.db, operation, unit, rows, actor="test", source="api", evidence=policy
        )
    finally:
        jobs.uninstall()
        jobs.close()
    assert result.rejected == 0
    with world.db.session() as s:
        return {item.url: item.id for item in s.scalars(select(Item))}


def _get(client: TestClient, world: World, caller: str, path: str) -> Any:
    response = client.get(f"/api/v1{path}", headers=world.bearer(caller))
    return response


def test_a_matched_item_carries_a_suggestion_from_the_entry_labels(
    world: World, client: TestClient, matched: dict[str, int]
) -> None:
    response = _get(client, world, "de_analyst", f"/items/{matched[KNOWN]}")
    assert response.status_code == 200
    view = response.json()
    suggestion = view["suggestion"]
    assert suggestion["source"] == "bank_match"
    assert "not a decision" in suggestion["note"]
    assert suggestion["verdict"] == "terrorist_content"
    # what the assessment form pre-fills: only values the taxonomy knows
    assert suggestion["labels"] == {"group": "group-alpha", "tier": "tier-1"}
    match = suggestion["match"]
    assert match["bank"] == "known-content" and match["signal_type"] == "pdq"
    assert match["distance"] == 0
    assert {k: match[k] for k in LABELS} == LABELS
    assert (suggestion["matches"], suggestion["banks"]) == (1, ["known-content"])
    assert view["known_content"] == {"matches": 1, "suppressed": 0, "false_positive_banks": []}
    assert "provenance" not in str(suggestion)
    # the same through the suggestion route
    alone = _get(client, world, "de_analyst", f"/items/{matched[KNOWN]}/suggestion").json()
    assert alone == {"suggestion": suggestion, "known_content": view["known_content"]}


def test_no_match_no_suggestion_and_a_negative_bank_suppresses_it(
    world: World, client: TestClient, matched: dict[str, int]
) -> None:
    other = _get(client, world, "de_analyst", f"/items/{matched[OTHER]}").json()
    assert other["suggestion"] is None
    assert other["known_content"] == {"matches": 0, "suppressed": 0, "false_positive_banks": []}

    benign = _get(client, world, "de_analyst", f"/items/{matched[BENIGN]}").json()
    assert benign["suggestion"] is None
    assert benign["known_content"] == {
        "matches": 0,
        "suppressed": 1,
        "false_positive_banks": ["false-positives"],
    }

    # the triage queue: the match raises its item to the top and carries the suggestion; the
    # known false positive gains no priority (its negative-bank hit is not a match that counts)
    queue = _get(client, world, "de_analyst", "/operations/OP1/queue").json()["items"]
    by_id = {row["item_id"]: row for row in queue}
    assert queue[0]["item_id"] == matched[KNOWN]
    assert queue[0]["known_content_matches"] == 1
    assert queue[0]["suggestion"]["labels"] == {"group": "group-alpha", "tier": "tier-1"}
    assert by_id[matched[BENIGN]]["known_content_matches"] == 0
    assert by_id[matched[BENIGN]]["suggestion"] is None
    assert by_id[matched[BENIGN]]["priority"] == by_id[matched[OTHER]]["priority"]


def test_a_suggestion_decides_nothing_and_refers_nothing(
    world: World, client: TestClient, matched: dict[str, int]
) -> None:
    for url in (KNOWN, OTHER, BENIGN):
        _get(client, world, "de_analyst", f"/items/{matched[url]}")
    _get(client, world, "de_analyst", "/operations/OP1/queue")
    with world.db.session() as s:
        for table in (Assessment, Referral, RemovalOrder, Delivery):
            assert s.scalar(select(func.count()).select_from(table)) == 0, table
        assert set(s.scalars(select(Item.state))) == {"new"}
    # nothing is ready, so a referral finds nothing to send
    response = client.post(
        "/api/v1/operations/OP1/referrals",
        json={"platform": "telegram"},
        headers=world.bearer("de_analyst"),
    )
    assert (response.json()["referral_id"], response.json()["items"]) == (None, 0)

    # the analyst decides: the pre-filled labels are accepted by the assessment as they are
    suggestion = _get(client, world, "de_analyst", f"/items/{matched[KNOWN]}").json()["suggestion"]
    response = client.post(
        f"/api/v1/items/{matched[KNOWN]}/assessments",
        json={"verdict": "terrorist_content", "legal_ground": "c", "labels": suggestion["labels"]},
        headers=world.bearer("de_analyst"),
    )
    assert response.status_code == 201, response.text
    with world.db.session() as s:
        [stored] = s.scalars(select(Assessment))
        assert (stored.assessor, stored.labels) == (
            world.who["de_analyst"].identity,
            {"group": "group-alpha", "tier": "tier-1"},
        )


def test_who_sees_the_suggestion(world: World, client: TestClient, matched: dict[str, int]) -> None:
    item = matched[KNOWN]
    # a platform never sees items, matches or suggestions
    for path in (f"/items/{item}", f"/items/{item}/suggestion", "/operations/OP1/queue"):
        assert _get(client, world, "tg_agent", path).status_code == 403, path
    # another referral unit sees the shared banks' suggestion, but not DE's notes
    fr = _get(client, world, "fr_analyst", f"/items/{item}").json()
    assert fr["suggestion"]["match"]["entity"] == "group-alpha"
    assert [r["notes"] for r in fr["reports"]] == [None]
    # oversight reads it; nobody can assess through it
    assert _get(client, world, "auditor", f"/items/{item}/suggestion").status_code == 200
    response = client.post(
        f"/api/v1/items/{item}/assessments",
        json={"verdict": "terrorist_content", "legal_ground": "a"},
        headers=world.bearer("auditor"),
    )
    assert response.status_code == 403
    assert _get(client, world, "de_analyst", "/items/999999/suggestion").status_code == 404
