"""Platform rules are data (rules.json): status codes, redirect targets and page markers.

Pages are compared after one normalisation: HTML entities decoded, both apostrophes (' and
’) made one, whitespace collapsed, case folded. Markers are tried in the order the data
gives, so look-alikes that are NOT removal (rate limits, geo-blocks, private, sign-in gates)
are listed before the removal phrases they resemble.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from takedown.checker.model import Verdict

_APOSTROPHES = ("\u2019", "\u2018", "\u02bc", "\u2032")


def normalise(text: str) -> str:
    """Entities decoded, apostrophes made one, whitespace runs one space (ends trimmed)."""
    if "&" in text:
        text = html.unescape(text)
    for apostrophe in _APOSTROPHES:  # str.replace: translate is slow past ASCII
        if apostrophe in text:
            text = text.replace(apostrophe, "'")
    return " ".join(text.split()).casefold()


@lru_cache(maxsize=4096)
def _host(url: str) -> str:
    """The host of a URL, lower case, no trailing dot; a check asks for the same few URLs."""
    try:
        return (urlsplit(url).hostname or "").rstrip(".").lower()
    except ValueError:
        return ""


@dataclass(frozen=True)
class Marker:
    id: str
    verdict: Verdict
    reason: str
    phrases: tuple[str, ...] = ()
    patterns: tuple[re.Pattern[str], ...] = ()
    unless: tuple[str, ...] = ()

    def find(self, page: str) -> str | None:
        """The phrase that matched in a normalised page, or None."""
        for unless in self.unless:
            if unless in page:
                return None
        for phrase in self.phrases:
            if phrase in page:
                return phrase
        for pattern in self.patterns:
            m = pattern.search(page)
            if m:
                return m.group(0)
        return None


@dataclass(frozen=True)
class RedirectRule:
    id: str
    verdict: Verdict
    reason: str
    path: re.Pattern[str]


@dataclass(frozen=True)
class Decision:
    verdict: Verdict
    reason: str
    rule: str
    matched: str | None = None


@dataclass(frozen=True)
class PlatformRules:
    name: str
    hosts: tuple[str, ...] = ()
    live: tuple[str, ...] = ()
    markers: tuple[Marker, ...] = ()
    redirects: tuple[RedirectRule, ...] = ()
    status: dict[int, tuple[Verdict, str]] = field(default_factory=dict)


def _marker(raw: dict[str, Any]) -> Marker:
    return Marker(
        id=raw["id"],
        verdict=Verdict(raw["verdict"]),
        reason=raw["reason"],
        phrases=tuple(normalise(p) for p in raw.get("any", ())),
        patterns=tuple(re.compile(p) for p in raw.get("regex", ())),
        unless=tuple(normalise(p) for p in raw.get("unless", ())),
    )


def _redirect(raw: dict[str, Any]) -> RedirectRule:
    return RedirectRule(raw["id"], Verdict(raw["verdict"]), raw["reason"], re.compile(raw["path"]))


def _platform(name: str, raw: dict[str, Any]) -> PlatformRules:
    return PlatformRules(
        name=name,
        hosts=tuple(raw.get("hosts", ())),
        live=tuple(normalise(p) for p in raw.get("live", ())),
        markers=tuple(_marker(m) for m in raw.get("markers", ())),
        redirects=tuple(_redirect(r) for r in raw.get("redirects", ())),
        status={int(k): (Verdict(v[0]), v[1]) for k, v in raw.get("status", {}).items()},
    )


@dataclass(frozen=True)
class RuleBook:
    generic: PlatformRules
    platforms: dict[str, PlatformRules]
    shorteners: frozenset[str]
    by_host: dict[str, str]
    _for_host: dict[str, PlatformRules | None] = field(
        default_factory=dict, compare=False, repr=False
    )

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> RuleBook:
        platforms = {k: _platform(k, v) for k, v in data["platforms"].items()}
        by_host = {h: p.name for p in platforms.values() for h in p.hosts}
        return cls(
            generic=_platform("web", data["generic"]),
            platforms=platforms,
            shorteners=frozenset(data.get("shorteners", ())),
            by_host=by_host,
        )

    @classmethod
    def from_file(cls, path: Path) -> RuleBook:
        return cls.from_data(json.loads(path.read_text(encoding="utf-8")))

    def platform_for(self, url: str) -> PlatformRules | None:
        host = _host(url)
        try:
            return self._for_host[host]
        except KeyError:
            pass
        found: PlatformRules | None = None
        name = host
        while name:
            if name in self.by_host:
                found = self.platforms[self.by_host[name]]
                break
            if "." not in name:
                break
            name = name.split(".", 1)[1]
        if len(self._for_host) < 10_000:
            self._for_host[host] = found
        return found

    def is_shortener(self, url: str) -> bool:
        return _host(url).removeprefix("www.") in self.shorteners

    def decide(self, first_url: str, final_url: str, status: int, body: str) -> Decision:
        """The verdict for a final response (not 429/5xx: the caller handles those)."""
        platform = self.platform_for(final_url)
        page = normalise(body)
        for marker in self.generic.markers:
            hit = marker.find(page)
            if hit:
                return Decision(marker.verdict, marker.reason, marker.id, hit)
        if final_url != first_url:
            path = urlsplit(final_url).path or "/"
            first_path = urlsplit(first_url).path or "/"
            rules = (*(platform.redirects if platform else ()), *self.generic.redirects)
            for rule in rules:
                if rule.path.search(path) and not rule.path.search(first_path):
                    return Decision(rule.verdict, rule.reason, rule.id, final_url)
        if platform and status in platform.status:
            verdict, reason = platform.status[status]
            return Decision(verdict, reason, f"{platform.name}.status.{status}")
        if status in self.generic.status:
            verdict, reason = self.generic.status[status]
            return Decision(verdict, reason, f"status.{status}")
        if not 200 <= status < 300:
            return Decision(Verdict.UNKNOWN, f"unexpected HTTP status {status}", "status.other")
        if platform is None:
            return Decision(Verdict.ONLINE, f"HTTP {status} with content", "status.2xx")
        for marker in platform.markers:
            hit = marker.find(page)
            if hit:
                return Decision(marker.verdict, marker.reason, marker.id, hit)
        for live in platform.live:
            if live in page:
                return Decision(
                    Verdict.ONLINE, "content page is live", f"{platform.name}.live", live
                )
        return Decision(
            Verdict.UNKNOWN, "page not recognised: no removal and no live marker", "unrecognised"
        )


@lru_cache(maxsize=1)
def default_rules() -> RuleBook:
    text = resources.files("takedown.checker").joinpath("rules.json").read_text(encoding="utf-8")
    return RuleBook.from_data(json.loads(text))
