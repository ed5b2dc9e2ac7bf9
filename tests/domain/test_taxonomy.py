"""The label taxonomy: the built-in snapshot's structure, and the loader's contract.

The default file carries real, public designations; this test checks its shape only (no
group's name is asserted here). Tests and the demo use invented names
(tests/data/taxonomy_invented.json).
"""

from __future__ import annotations

import json
import re
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from takedown.domain.assessment import DEFAULT_TAXONOMY_FILE, load_taxonomy

INVENTED = Path(__file__).resolve().parents[1] / "data" / "taxonomy_invented.json"
SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


@pytest.fixture(scope="module")
def default() -> dict[str, Any]:
    text = resources.files("takedown.domain").joinpath(DEFAULT_TAXONOMY_FILE).read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def test_every_group_has_a_slug_a_name_and_its_lists(default: dict[str, Any]) -> None:
    sources = {s["id"] for s in default["sources"]}
    slugs = [g["slug"] for g in default["groups"]]
    assert len(slugs) == len(set(slugs)), "slugs are unique"
    for group in default["groups"]:
        assert SLUG.match(group["slug"]), group
        assert isinstance(group["name"], str) and group["name"].strip(), group
        assert isinstance(group["lists"], list), group
        assert set(group["lists"]) <= sources, group
        if group["slug"] not in ("unaffiliated", "unknown"):
            assert group["lists"], f"{group['slug']} is on no list"
    assert {"unaffiliated", "unknown"} <= set(slugs)
    assert {s for g in default["groups"] for s in g["lists"]} == sources, "every source is used"


def test_every_source_cites_an_act_with_its_date(default: dict[str, Any]) -> None:
    assert len(default["sources"]) >= 2
    for source in default["sources"]:
        assert source["title"] and source["coverage"] and source["consult"], source["id"]
        date.fromisoformat(source["as_of"])
        assert source["acts"], source["id"]
        for act in source["acts"]:
            assert act["act"].strip(), source["id"]
            date.fromisoformat(act["date"])
    date.fromisoformat(default["snapshot_date"])
    assert isinstance(default["complete"], bool)
    assert "TAKEDOWN_TAXONOMY_FILE" in default["how_to_replace"]


def test_the_loader_gives_slugs_and_tiers(default: dict[str, Any]) -> None:
    taxonomy = load_taxonomy(None)
    assert set(taxonomy) == {"groups", "tiers"}
    assert taxonomy["groups"] == [g["slug"] for g in default["groups"]]
    assert taxonomy["tiers"] == default["tiers"] and taxonomy["tiers"]


def test_a_configured_file_replaces_the_default(tmp_path: Path) -> None:
    invented = load_taxonomy(INVENTED)
    assert invented["groups"] == [
        "group-alpha",
        "group-beta",
        "group-gamma",
        "unaffiliated",
        "unknown",
    ]
    objects = tmp_path / "objects.json"
    objects.write_text(
        json.dumps({"groups": [{"slug": "cell-x", "name": "Cell X"}, "unknown"], "tiers": ["a"]})
    )
    assert load_taxonomy(objects) == {"groups": ["cell-x", "unknown"], "tiers": ["a"]}


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ({"groups": ["a"]}, "lists 'groups' and 'tiers'"),
        ({"groups": [{"name": "no slug"}], "tiers": []}, "neither a slug"),
        ({"groups": ["a", {"slug": "a"}], "tiers": []}, "listed twice"),
        ({"groups": ["a"], "tiers": [""]}, "non-empty string"),
    ],
)
def test_a_bad_file_names_its_problem(tmp_path: Path, body: dict[str, Any], problem: str) -> None:
    path = tmp_path / "taxonomy.json"
    path.write_text(json.dumps(body))
    with pytest.raises(ValueError, match=problem):
        load_taxonomy(path)
