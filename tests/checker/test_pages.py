"""Every rule, on stand-in pages in its platform's public shape, and on variants of each page.

``pages/pages.json`` lists the pages (invented content, the platforms' markup), each with the
URL and status it is served with, and the verdict and rule it must get. Each page is served
on loopback as it is and re-written in ways a browser shows the same (``variants``): inline
tags inside sentences, other quotes, other attribute orders, entities, line breaks, the other
apostrophe, embedded JSON spaced out. Every variant must get the page's verdict by the same
rule: rules read pages, not bytes.
"""

from __future__ import annotations

import asyncio
import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from takedown.checker import default_rules

from .helpers import Answer, Route, page_server_and_checker
from .variants import variants

PAGES = Path(__file__).parent / "pages"
MANIFEST: list[dict[str, Any]] = json.loads((PAGES / "pages.json").read_text("utf-8"))["pages"]
RULES = default_rules()


def _url(entry: dict[str, Any], n: int) -> str:
    """The page's URL, told apart from the other pages' and variants' by a parameter."""
    return f"{entry['url']}{'&' if '?' in entry['url'] else '?'}page={MANIFEST.index(entry)}.{n}"


def _target(url: str) -> tuple[str, str]:
    rest = url.split("://", 1)[1]
    host, _, path = rest.partition("/")
    return host, "/" + path


@cache
def _checked() -> dict[tuple[str, str], tuple[str, str | None, str]]:
    """(page, variant name) → (verdict, rule, reason), all pages checked in one batch."""
    routes: dict[tuple[str, str], Route] = {}
    cases: list[tuple[str, str, str]] = []
    for entry in MANIFEST:
        page = (PAGES / entry["page"]).read_text("utf-8")
        for n, (name, html) in enumerate(variants(page).items()):
            url = _url(entry, n)
            routes[_target(url)] = Answer(entry["status"], html.encode())
            cases.append((entry["page"], name, url))

    async def scenario() -> list[tuple[str, str | None, str]]:
        async with page_server_and_checker(routes, confirm_removed=False) as (_, checker):
            results = await checker.check_many([url for *_, url in cases])
        return [(str(r.verdict), r.evidence.rule, r.reason) for r in results]

    return {(p, n): got for (p, n, _), got in zip(cases, asyncio.run(scenario()), strict=True)}


@pytest.mark.parametrize("entry", MANIFEST, ids=[e["page"] for e in MANIFEST])
def test_each_page_and_its_variants_get_its_verdict_by_its_rule(entry: dict[str, Any]) -> None:
    checked = _checked()
    wrong = {
        name: got
        for (page, name), got in checked.items()
        if page == entry["page"] and got[:2] != (entry["verdict"], entry["rule"])
    }
    assert not wrong, f"expected {entry['verdict']} by {entry['rule']}"


def test_every_rule_has_a_page() -> None:
    rules = {m.id for m in RULES.generic.markers}
    for name, platform in RULES.platforms.items():
        rules |= {m.id for m in platform.markers}
        if platform.live is not None:
            rules.add(f"{name}.live")
    assert rules - {e["rule"] for e in MANIFEST} == set()


def test_no_page_is_called_removed_unless_it_says_so() -> None:
    """The look-alikes among the pages (rate limits, geo-blocks, private, sign-in gates, login
    forms, block pages, challenges) are never removed, in any variant."""
    checked = _checked()
    expected = {e["page"]: e["verdict"] for e in MANIFEST}
    wrongly_removed = {
        key: got
        for key, got in checked.items()
        if got[0] == "removed" and expected[key[0]] != "removed"
    }
    assert not wrongly_removed
