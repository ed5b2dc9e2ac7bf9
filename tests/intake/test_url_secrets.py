"""A URL's secret (a file host's decryption key) is kept with the report, never in a URL.

``mega.nz/file/<id>#<key>``: the key opens the file. Platforms, referrals and other units get
the URL without it; the reporting unit and oversight auditors see it with the report.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from takedown.services import units
from takedown.services.intake import import_file
from takedown.services.items import get_item, item_view
from takedown.services.units import Principal
from takedown.store.audit_verify import verify_rows
from takedown.store.db import Database
from takedown.store.models import Item, Operation, Report, Unit

KEY = "Zq3-kLm_9xYwVb7TqPz0aBcD1eF2gH3iJ4kL5mN6oP7"
SHAPES = [
    (f"https://mega.nz/file/AbCd1234#{KEY}", "https://mega.nz/file/AbCd1234"),
    (f"https://mega.nz/#!AbCd1234!{KEY}", "https://mega.nz/#!AbCd1234"),
    (f"https://mega.nz/folder/XyZ98765#{KEY}", "https://mega.nz/folder/XyZ98765"),
]


def _who(unit: Unit, role: str = "analyst") -> Principal:
    return Principal(unit.id, unit.name, unit.kind, role)


def _everything_stored(db: Database) -> str:
    """Every URL-bearing column of every item and report, as one text."""
    with db.session() as s:
        items = s.execute(select(Item.url, Item.canonical_url, Item.key, Item.parents)).all()
        reports = s.scalars(select(Report.url)).all()
    return repr(items) + repr(reports)


@pytest.mark.parametrize(("url", "shown"), SHAPES)
def test_the_key_is_kept_with_the_report_and_out_of_every_url(
    db: Database, submit, unit: Unit, url: str, shown: str
) -> None:
    result = submit({"url": url})
    assert result.accepted == 1
    assert KEY not in _everything_stored(db)
    with db.session() as s:
        report = s.scalars(select(Report)).one()
        item = s.get(Item, report.item_id)
        assert item is not None
        assert (report.url, report.url_secret) == (shown, KEY)
        assert item.url == shown  # what a referral sends the platform
        assert KEY not in item.canonical_url


def test_only_the_reporting_unit_and_oversight_auditors_see_the_key(
    db: Database, submit, unit: Unit, other_unit: Unit
) -> None:
    submit({"url": SHAPES[0][0]})
    submit({"url": SHAPES[0][1], "notes": "seen again"}, by=other_unit)
    with db.session() as s:
        oversight = units.create_unit(s, "EU-OVERSIGHT", "oversight", actor="test")
        item_id = s.scalars(select(Item.id)).one()
        item = get_item(s, item_id)
        mine = item_view(s, item, _who(unit))
        theirs = item_view(s, item, _who(other_unit))
        audited = item_view(s, item, _who(oversight, "auditor"))
    assert [r["url_secret"] for r in mine["reports"]] == [KEY, None]
    assert [r["url_secret"] for r in theirs["reports"]] == [None, None]
    assert KEY not in repr(theirs)
    assert [r["url_secret"] for r in audited["reports"]] == [KEY, None]


def test_a_url_without_a_secret_is_stored_as_reported(db: Database, submit) -> None:
    submit({"url": "https://EXAMPLE.org/page/1#top"})
    with db.session() as s:
        report = s.scalars(select(Report)).one()
    assert (report.url, report.url_secret) == ("https://EXAMPLE.org/page/1#top", None)


def test_a_file_import_keeps_the_key_apart_and_the_audit_rows_verify(
    db: Database, op: Operation, unit: Unit, tmp_path: Path
) -> None:
    lines = ["url,title"] + [f"{url},file {n}" for n, (url, _) in enumerate(SHAPES)]
    path = tmp_path / "reports.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    outcome = import_file(
        db,
        op.name,
        unit.name,
        path,
        actor="test",
        max_bytes=10**6,
        batch_size=2,
        evidence_root=tmp_path / "stored",
        evidence_max_bytes=10**6,
    )
    assert outcome.result.accepted == len(SHAPES)
    assert KEY not in _everything_stored(db)
    with db.session() as s:
        assert set(s.scalars(select(Report.url_secret))) == {KEY}
        assert verify_rows(s).ok
