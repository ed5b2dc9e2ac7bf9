"""Hash list formats: ThreatExchange local_file, TCAP JSON and CSV, round trips and bad lines."""

from __future__ import annotations

import json

from takedown.interop.hashlists import HashRecord, Rejected, parse, render

PDQ = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"
MD5 = "d41d8cd98f00b204e9800998ecf8427e"


def test_threatexchange_local_file() -> None:
    text = f"# a comment\npdq {PDQ}\nvideo_md5 {MD5}\n\ntmk abc\nnonsense\n"
    out = list(parse("te", text))
    records = [r for r in out if isinstance(r, HashRecord)]
    assert [(r.signal_type, r.value) for r in records] == [("pdq", PDQ), ("md5", MD5)]
    assert [r.where for r in out if isinstance(r, Rejected)] == ["line 5", "line 6"]
    rendered, skipped = render("te", [*records, HashRecord("vpdq", "0,100,x,0")])
    assert rendered == f"pdq {PDQ}\nvideo_md5 {MD5}\n" and skipped == 1


def test_tcap_json_both_shapes() -> None:
    doc = {
        "count": 2,
        "checkpoint": "2026-11-01T00:00:00Z,42",
        "results": [
            {"hash_type": "PDQ", "hash_value": PDQ, "group_name": "Invented Group",
             "ideology": "far-right", "file_type": "image", "content_id": 7},
            {"md5": MD5, "sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
            "not an object",
        ],
    }  # fmt: skip
    out = list(parse("tcap", json.dumps(doc)))
    records = [r for r in out if isinstance(r, HashRecord)]
    assert [r.signal_type for r in records] == ["pdq", "md5", "sha256"]
    first = records[0]
    assert first.labels == {
        "source": "tcap",
        "entity": "Invented Group",
        "tags": ["ideology:far-right"],
    }
    assert first.provenance["tcap"] == {"file_type": "image", "content_id": 7}
    assert [r.where for r in out if isinstance(r, Rejected)] == ["record 3"]
    text, _ = render("tcap", records)
    again = [r for r in parse("tcap", text) if isinstance(r, HashRecord)]
    assert [(r.signal_type, r.value, r.labels.get("entity")) for r in again] == [
        (r.signal_type, r.value, r.labels.get("entity")) for r in records
    ]
    assert isinstance(next(parse("tcap", "{not json")), Rejected)


def test_csv_round_trip_and_formula_cells() -> None:
    text = f"Signal_Type,Hash,Entity,Tags,External_ID\npdq,{PDQ},=cmd(),a;b,x-1\n,,,,\n"
    out = list(parse("csv", text))
    [rec] = [r for r in out if isinstance(r, HashRecord)]
    assert rec.labels == {"entity": "=cmd()", "tags": ["a", "b"]}
    assert rec.provenance == {"line": 2, "external_id": "x-1"}
    assert [r.where for r in out if isinstance(r, Rejected)] == ["line 3"]
    rendered, _ = render("csv", [rec])
    assert "'=cmd()" in rendered and "a;b" in rendered
    assert isinstance(next(parse("csv", "a,b\n1,2\n")), Rejected)
