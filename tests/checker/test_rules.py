"""Every platform rule against simulator pages, both apostrophes; the loader and the order."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from takedown.checker import RuleBook, Verdict, default_rules
from takedown.checker import page as page_module
from takedown.checker.page import fold
from takedown.checker.rules import RuleError
from takedown.sim import HOSTS, State, World

from .helpers import PHRASES, Answer, Route, page_server_and_checker, sim_and_checker

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
    for phrase in marker.get("text", [])
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
        if name == "network_level_blocks_not_removal":
            continue  # whole pages, not phrases: test_public_block_pages_are_restricted
        platform = PHRASES_PLATFORM.get(name, name)
        assert platform in HOSTS, name
        for phrase in phrases:
            text = phrase.replace("<username>", "lorem_chan").replace("<title>", "Lorem", 1)
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
        ("facebook", "Доступ к ресурсу ограничен", Verdict.RESTRICTED),
    ],
)
def test_look_alikes_are_not_removal(platform: str, text: str, verdict: Verdict) -> None:
    assert _serve([(platform, text)])[0][0] == verdict


def test_public_block_pages_are_restricted_on_every_platform() -> None:
    """The block pages of the public list, as pages: the title is the page's title."""
    data = json.loads(PHRASES.read_text(encoding="utf-8"))
    pages = []
    for entry in data["phrases_by_platform"]["network_level_blocks_not_removal"]:
        title = entry.split("<title>")[1].split("</title>")[0]
        link = '<a href="http://blocklist.rkn.gov.ru/">реестр</a>' if "rkn" in entry else ""
        pages.append(
            f"<html><head><title>{title}</title></head><body><p>Lorem.</p>{link}</body></html>"
        )
    routes: dict[tuple[str, str], Route] = {}
    for i, body in enumerate(pages):
        for host in HOSTS.values():
            routes[(host, f"/blocked/{i}")] = Answer(200, body.encode())

    async def scenario() -> list[str]:
        async with page_server_and_checker(routes) as (_, checker):
            results = await checker.check_many([f"http://{h}{t}" for h, t in routes])
        return [str(r.verdict) for r in results]

    assert set(asyncio.run(scenario())) == {"restricted"}


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


def test_fold_makes_apostrophes_one_and_leaves_out_case_and_white_space() -> None:
    assert fold("Can't\n  SEE\u00a0it\u2019s\u200b") == "can'tseeit's"


@given(
    st.text(alphabet=st.sampled_from(list("aZ ß\t\n’‘ʼ′'\u2028İ\u00a0\u200b")) | st.characters())
)
def test_fold_is_its_plain_definition(text: str) -> None:
    apostrophes = str.maketrans(dict.fromkeys("\u2019\u2018\u02bc\u2032", "'"))
    invisible = str.maketrans(dict.fromkeys("\u200b\u200c\u200d\u2060\ufeff\u00ad"))
    assert (
        fold(text) == "".join(text.translate(apostrophes).translate(invisible).split()).casefold()
    )


def test_youtube_channel_redirected_home_is_removed() -> None:
    decision = RULES.decide(
        "https://www.youtube.com/@lorem", "https://www.youtube.com/", 200, "<html></html>"
    )
    assert (decision.verdict, decision.rule) == (Verdict.REMOVED, "youtube.redirect_home")


def _book(markers: list[dict[str, Any]], **platform: Any) -> RuleBook:
    return RuleBook.from_data(
        {
            "generic": {},
            "platforms": {"lorem": {"hosts": ["lorem.example"], "markers": markers, **platform}},
        }
    )


@pytest.mark.parametrize(
    ("marker", "says"),
    [
        ({"any": ["Post not found"]}, "unknown part(s) ['any']"),
        ({"regex": ["post"]}, "unknown part(s) ['regex']"),
        ({}, "no part to look for"),
        ({"select": ["div["]}, "not a CSS selector"),
        ({"select": [{"css": "p"}]}, "a selector is"),
        ({"json": {"status": [1]}}, "no field 'status'"),
    ],
)
def test_the_loader_refuses_a_marker_it_cannot_type(marker: dict[str, Any], says: str) -> None:
    with pytest.raises(RuleError, match=r"marker 'lorem\.x'") as raised:
        _book([{"id": "lorem.x", "verdict": "removed", "reason": "r", **marker}])
    assert says in str(raised.value)


def test_the_shipped_rules_are_all_typed() -> None:
    raw = json.dumps(_RAW)
    assert '"any"' not in raw and '"regex"' not in raw
    for platform in RULES.platforms.values():
        assert platform.live is not None, platform.name


def test_embedded_json_is_read_by_path_in_every_shape_a_script_assigns_it() -> None:
    book = _book(
        [
            {
                "id": "lorem.gone",
                "verdict": "removed",
                "reason": "gone",
                "json": {"state": ["GONE"]},
            },
            {"id": "lorem.deep", "verdict": "restricted", "reason": "r", "json": {"deep": True}},
        ],
        fields={
            "state": [{"var": "loremData", "path": ["item", "state"]}],
            "deep": [{"script": "script#data", "path": ["**", "hidden"]}],
        },
        live={"text": ["Lorem"]},
    )

    def decide(body: str) -> tuple[str, str]:
        d = book.decide("http://lorem.example/1", "http://lorem.example/1", 200, body)
        return str(d.verdict), d.rule

    assert decide('<script>var loremData = {"item": {"state": "GONE"}};</script>') == (
        "removed",
        "lorem.gone",
    )
    assert (
        decide('<script>window["loremData"]={"item":{"state":"GONE"}}</script>')[1] == "lorem.gone"
    )
    assert decide("<script>loremData = {'item': broken</script><p>Lorem</p>")[1] == "lorem.live"
    # the phrase in a script is no text of the page; in a paragraph it is
    assert decide('<script>var s = "Lorem";</script>')[1] == "unrecognised"
    deep = '<script id="data" type="application/json">{"a": [{"b": {"hidden": 1}}]}</script>'
    assert decide(deep)[1] == "lorem.deep"


def _parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    parsed: list[str] = []
    real = page_module.LexborHTMLParser

    def counting(html: str) -> Any:
        parsed.append(html)
        return real(html)

    monkeypatch.setattr(page_module, "LexborHTMLParser", counting)
    return parsed


@pytest.mark.parametrize("status", [451, 401, 400, 418])
def test_a_status_that_decides_is_not_parsed(monkeypatch: pytest.MonkeyPatch, status: int) -> None:
    parsed = _parses(monkeypatch)
    url = "http://t.me/lorem"
    decision = RULES.decide(url, url, status, "<p>This channel can't be displayed</p>")
    assert decision.verdict in (Verdict.RESTRICTED, Verdict.UNKNOWN)
    assert parsed == []


def test_a_block_page_served_as_404_is_not_removed(monkeypatch: pytest.MonkeyPatch) -> None:
    parsed = _parses(monkeypatch)
    url = "http://vk.com/video-1_2"
    block = "<html><head><title>Access to this site is blocked</title></head></html>"
    decision = RULES.decide(url, url, 404, block)
    assert (decision.verdict, decision.rule) == (Verdict.RESTRICTED, "network_block.websense")
    assert RULES.decide(url, url, 404, "<h1>Not Found</h1>").verdict is Verdict.REMOVED
    assert len(parsed) == 2  # a removal by status looks for a block page first
