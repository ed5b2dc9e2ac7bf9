"""Every platform rule, tested against simulator pages, with both kinds of apostrophe."""

from __future__ import annotations

import asyncio
import html
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from takedown.checker import Verdict, default_rules
from takedown.checker.rules import normalise
from takedown.sim import HOSTS, State, World

from .helpers import PHRASES, sim_and_checker

RULES = default_rules()
_RAW = json.loads(
    __import__("importlib.resources")
    .resources.files("takedown.checker")
    .joinpath("rules.json")
    .read_text(encoding="utf-8")
)
# (platform, marker id, phrase as written in rules.json)
CASES = [
    (platform, marker["id"], phrase)
    for platform, rules in _RAW["platforms"].items()
    for marker in rules["markers"]
    for phrase in marker.get("any", [])
]
PHRASES_PLATFORM = {"x_twitter": "x"}


def _serve(cases: list[tuple[str, str]]) -> list[tuple[str, str, str | None]]:
    """Serve each (platform, notice) as a simulator page; return (verdict, rule, reason)."""

    async def scenario() -> list[tuple[str, str, str | None]]:
        world = World()
        items = [world.new(p, state=State.NOTICE, notice=n) for p, n in cases]
        async with sim_and_checker(world, confirm_removed=False) as (_, checker):
            results = await checker.check_many([i.url for i in items])
        return [(str(r.verdict), r.evidence.rule or "", r.reason) for r in results]

    return asyncio.run(scenario())


def _variants(phrase: str) -> list[str]:
    curly = phrase.replace("'", "\u2019")
    straight = phrase.replace("\u2019", "'")
    return list(dict.fromkeys([phrase, curly, straight]))


def test_every_marker_phrase_fires_its_rule_on_a_simulator_page() -> None:
    cases = [(p, mid, v) for p, mid, ph in CASES for v in _variants(ph)]
    served = _serve([(p, f"Lorem. {v} Ipsum.") for p, _, v in cases])
    wrong = []
    for (platform, mid, text), (verdict, rule, _) in zip(cases, served, strict=True):
        expected = next(m for m in RULES.platforms[platform].markers if m.id == mid).verdict
        # an earlier rule in the list may claim a phrase first; it must agree on the verdict
        if verdict != expected or not rule.startswith(platform):
            wrong.append((platform, mid, text, verdict, rule))
    assert not wrong


def test_regex_rule_telegram_contact_page() -> None:
    served = _serve([("telegram", "If you have Telegram, you can contact @lorem_chan right away.")])
    assert served[0][:2] == ("removed", "telegram.contact_page")


def test_every_public_phrase_is_recognised_and_never_online() -> None:
    data = json.loads(PHRASES.read_text(encoding="utf-8"))
    cases = []
    for name, phrases in data["phrases_by_platform"].items():
        platform = PHRASES_PLATFORM.get(name, name)
        if platform == "network_level_blocks_not_removal":
            platform = "youtube"
        assert platform in HOSTS, name
        for phrase in phrases:
            text = phrase.replace("<username>", "lorem_chan").replace("<title>", "Lorem", 1)
            if name == "network_level_blocks_not_removal":
                text = phrase
            cases += [(platform, v) for v in _variants(text)]
    served = _serve(cases)
    bad = [
        (c, s)
        for c, s in zip(cases, served, strict=True)
        if s[0] == "online" or s[1] == "unrecognised"
    ]
    assert not bad


@pytest.mark.parametrize(
    ("platform", "text", "verdict"),
    [
        ("youtube", "This content isn’t available, try again later", Verdict.UNKNOWN),
        (
            "youtube",
            "Video unavailable. The uploader has not made this video available in your country",
            Verdict.RESTRICTED,
        ),
        ("youtube", "Video unavailable. Sign in to confirm your age", Verdict.RESTRICTED),
        ("youtube", "Video unavailable. This video is private", Verdict.RESTRICTED),
        (
            "telegram",
            "This channel can’t be displayed because it violated local laws.",
            Verdict.RESTRICTED,
        ),
        (
            "telegram",
            "This post isn’t available in your country due to copyright.",
            Verdict.RESTRICTED,
        ),
        (
            "x",
            "You’re unable to view this Post because this account owner limits who can view their Posts.",
            Verdict.RESTRICTED,
        ),
        ("instagram", "This account is private", Verdict.RESTRICTED),
        ("facebook", "<title>The URL you requested has been blocked</title>", Verdict.RESTRICTED),
        ("vk", "<title>Access to this site is blocked</title>", Verdict.RESTRICTED),
    ],
)
def test_look_alikes_are_not_removal(platform: str, text: str, verdict: Verdict) -> None:
    assert _serve([(platform, text)])[0][0] == verdict


def test_live_pages_of_every_platform_are_online() -> None:
    async def scenario() -> list[str]:
        world = World()
        items = [world.new(p) for p in HOSTS if p != "shortener"]
        async with sim_and_checker(world) as (_, checker):
            return [str(r.verdict) for r in await checker.check_many([i.url for i in items])]

    assert set(asyncio.run(scenario())) == {"online"}


@pytest.mark.parametrize("state", [State.REMOVED, State.SUSPENDED])
def test_removed_and_suspended_items_of_every_platform_are_removed(state: State) -> None:
    async def scenario() -> list[tuple[str, str]]:
        world = World()
        items = [world.new(p, state=state) for p in HOSTS if p not in ("shortener",)]
        async with sim_and_checker(world) as (_, checker):
            results = await checker.check_many([i.url for i in items])
        return [(r.url, str(r.verdict)) for r in results]

    assert {v for _, v in asyncio.run(scenario())} == {"removed"}


def test_normalise_folds_entities_apostrophes_space_and_case() -> None:
    assert normalise("Can&#39;t\n  SEE it’s") == "can't see it's"


@given(st.text(alphabet=st.sampled_from(list("aZ ß\t\n&#;x27’‘ʼ′'\u2028İ")) | st.characters()))
def test_normalise_is_its_plain_definition(text: str) -> None:
    apostrophes = str.maketrans(dict.fromkeys("\u2019\u2018\u02bc\u2032", "'"))
    assert (
        normalise(text) == " ".join(html.unescape(text).translate(apostrophes).split()).casefold()
    )


def test_youtube_channel_redirected_home_is_removed() -> None:
    decision = RULES.decide(
        "https://www.youtube.com/@lorem", "https://www.youtube.com/", 200, "<html></html>"
    )
    assert (decision.verdict, decision.rule) == (Verdict.REMOVED, "youtube.redirect_home")
