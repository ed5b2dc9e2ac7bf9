"""TCAP hash-list JSON as its API returns it (hash-list v2), in and out of a bank.

The fixture follows the documented shape of ``GET /hash-list/v2/all`` (see the docstring of
``takedown.interop.hashlists``); every hash value here is invented.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from takedown.interop.hashlists import HashRecord, Rejected, parse, render

from .conftest import picture
from .test_cli import lines

PDQ = "a" * 16 + "5" * 16 + "c3" * 16
MD5 = "0123456789abcdef" * 2
SHA256 = "fe" * 32
SHA512 = "ab" * 64
RESULT_FIELDS = {"id", "hash_digest", "algorithm", "ideology", "file_type", "deleted", "updated_on"}


def _result(id_: int, digest: str, algorithm: str, **over: Any) -> dict[str, Any]:
    return {
        "hash_digest": digest,
        "algorithm": algorithm,
        "ideology": "Islamist",
        "file_type": "mp4",
        "deleted": False,
        "updated_on": 1704901040.25 + id_,
        "id": id_,
    } | over


def page(*results: dict[str, Any]) -> dict[str, Any]:
    return {
        "count": len(results),
        "next": "https://app.example/hash-list/v2/all?limit=1000&offset=1000&order=asc",
        "previous": None,
        "checkpoint": "1724856487.709035,10594",
        "results": list(results),
    }


def test_a_v2_page_is_read_with_its_labels_and_provenance() -> None:
    doc = page(
        _result(11, MD5, "MD5", ideology="Far-Right"),
        _result(12, SHA256, "SHA256"),
        _result(13, PDQ, "PDQ", file_type="png"),
        _result(14, SHA512, "SHA512"),
        _result(15, MD5[::-1], "MD5", deleted=True),
        _result(16, "", "PDQ"),
        {"algorithm": "TMK", "hash_digest": "dG1r", "id": 17},
    )
    out = list(parse("tcap", json.dumps(doc)))
    records = [r for r in out if isinstance(r, HashRecord)]
    assert [(r.signal_type, r.value) for r in records] == [
        ("md5", MD5),
        ("sha256", SHA256),
        ("pdq", PDQ),
    ]
    md5, _, pdq = records
    assert md5.labels == {"source": "tcap", "tags": ["ideology:Far-Right"]}
    assert md5.provenance == {
        "record": 1,
        "external_id": "11",
        "tcap": {"file_type": "mp4", "updated_on": 1704901040.25 + 11},
    }
    assert pdq.provenance["tcap"]["file_type"] == "png"
    rejected = {r.where: r.error for r in out if isinstance(r, Rejected)}
    assert list(rejected) == ["record 4", "record 5", "record 6", "record 7"]
    assert "'SHA512'" in rejected["record 4"]
    assert rejected["record 5"] == "deleted in TCAP (id 15); not imported"
    assert "'TMK'" in rejected["record 7"]


def test_the_export_is_a_v2_page_and_reads_back() -> None:
    records = [
        HashRecord(
            "pdq",
            PDQ,
            {"entity": "Invented Group", "tier": "tier-2", "tags": ["ideology:Islamist", "x"]},
            {"external_id": "2821", "tcap": {"file_type": "png", "updated_on": 1704901040.5}},
        ),
        HashRecord("md5", MD5, {"behaviour": "recruitment"}, {"external_id": "csv-7"}),
        HashRecord("sha256", SHA256),
        HashRecord("vpdq", "0,100,x,0"),
    ]
    text, skipped = render("tcap", records)
    doc = json.loads(text)
    assert skipped == 1
    assert set(doc) == {"count", "next", "previous", "checkpoint", "results"}
    assert (doc["count"], doc["next"], doc["checkpoint"]) == (3, None, None)
    first, second, third = doc["results"]
    assert all(set(r) >= RESULT_FIELDS for r in doc["results"])
    assert {k: first[k] for k in RESULT_FIELDS} == {
        "id": 2821,
        "hash_digest": PDQ,
        "algorithm": "PDQ",
        "ideology": "Islamist",
        "file_type": "png",
        "deleted": False,
        "updated_on": 1704901040.5,
    }
    assert first["takedown_labels"] == {
        "entity": "Invented Group",
        "tier": "tier-2",
        "tags": ["x"],
    }
    assert (second["algorithm"], second["id"], third["algorithm"], third["id"]) == (
        "MD5",
        "csv-7",
        "SHA256",
        None,
    )
    assert "takedown_labels" not in third

    again = [r for r in parse("tcap", text) if isinstance(r, HashRecord)]
    assert [(r.signal_type, r.value) for r in again] == [
        (r.signal_type, r.value) for r in records[:3]
    ]
    assert again[0].labels == {
        "source": "tcap",
        "entity": "Invented Group",
        "tier": "tier-2",
        "tags": ["ideology:Islamist", "x"],
    }
    assert again[0].provenance["external_id"] == "2821"
    assert again[1].labels == {"source": "tcap", "behaviour": "recruitment"}


def test_the_older_shapes_are_still_read() -> None:
    doc = [
        {"hash_type": "PDQ", "hash_value": PDQ, "group_name": "Invented Group", "tier": "tier-1"},
        {"md5": MD5, "sha256": SHA256},
    ]
    records = [r for r in parse("tcap", json.dumps({"data": doc})) if isinstance(r, HashRecord)]
    assert [(r.signal_type, r.value) for r in records] == [
        ("pdq", PDQ),
        ("md5", MD5),
        ("sha256", SHA256),
    ]
    assert records[0].labels == {"source": "tcap", "entity": "Invented Group", "tier": "tier-1"}


def test_a_tcap_page_goes_into_a_bank_and_matches(cli, tmp_path: Path) -> None:
    """`takedown bank import --format tcap` with a v2 page, then match and export."""
    assert cli("init")[0] == 0
    picture(51).save(tmp_path / "known.png")
    pdq = lines(cli("hash", tmp_path / "known.png", "--json")[1])[0]["pdq"]
    doc = page(_result(2821, pdq, "PDQ", file_type="png"), _result(2822, SHA512, "SHA512"))
    (tmp_path / "tcap.json").write_text(json.dumps(doc))
    cli("bank", "create", "tcap")
    code, out, _ = cli(
        "bank", "import", "tcap", tmp_path / "tcap.json", "--format", "tcap", "--json"
    )
    summary = lines(out)[0]
    assert code == 0 and (summary["added"], summary["rejected"]) == (1, 1)

    [row] = lines(cli("match", tmp_path / "known.png", "--json")[1])
    [match] = row["matches"]
    assert (match["bank"], match["distance"]) == ("tcap", 0)
    assert match["labels"] == {"source": "tcap", "tags": ["ideology:Islamist"]}

    code, out, _ = cli("bank", "export", "tcap", "--format", "tcap")
    [result] = json.loads(out)["results"]
    assert (result["id"], result["hash_digest"], result["algorithm"]) == (2821, pdq, "PDQ")
    assert (result["ideology"], result["file_type"], result["deleted"]) == (
        "Islamist",
        "png",
        False,
    )
