"""Platform rules are data (rules.json): walls, status codes, redirect targets, page markers.

Order of decision, cheapest and surest first:

1. a **wall** met on the way (``Wall``, found by ``RuleBook.wall_for`` while the fetch
   follows redirects): a redirect to a platform's login page is ``restricted``, "login
   wall", decided from the redirect target without following it; a consent interstitial
   that remains after the consent cookie was sent is ``restricted``, "consent wall";
2. **redirect rules** (YouTube sending a channel to its home page) and **status rules**
   (404/410 removed, 451/401 restricted, 403 unknown); a status or redirect that would mean
   ``removed`` or ``unknown`` is taken only after the generic markers (block pages,
   challenges) found nothing, so a block page served as a 404 is never counted as removed.
   Any other status that is not 2xx is ``unknown``. None of this parses the page unless a
   generic marker has to be read;
3. the page, parsed: the generic markers, then the platform's markers in the order the data
   gives (look-alikes that are NOT removal sit before the removal phrases they resemble),
   then its live markers, else ``unknown`` ("page not recognised"). A site with no platform
   rules is ``online`` on a 2xx that no generic marker claims.

Markers are typed (``markers``): visible text, CSS selectors, JSON embedded in scripts.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from takedown.checker.markers import Condition, Markers, RuleError, condition, marker, sources
from takedown.checker.model import Verdict
from takedown.checker.page import JsonSource, Page

__all__ = ["Decision", "PlatformRules", "RuleBook", "RuleError", "Wall", "default_rules"]


@lru_cache(maxsize=4096)
def _host(url: str) -> str:
    """The host of a URL, lower case, no trailing dot; a check asks for the same few URLs."""
    try:
        return (urlsplit(url).hostname or "").rstrip(".").lower()
    except ValueError:
        return ""


@dataclass(frozen=True)
class RedirectRule:
    id: str
    verdict: Verdict
    reason: str
    path: re.Pattern[str]


@dataclass(frozen=True)
class Wall:
    """A login or consent interstitial, known from a redirect's target alone.

    A consent wall carries the cookies that answer it (``domain``: where they are set); the
    fetch sends them once and asks again, and only a wall that remains is a verdict.
    """

    kind: str  # "login" or "consent"
    rule: str
    cookies: tuple[tuple[str, str], ...] = ()
    domain: str = ""

    @property
    def reason(self) -> str:
        return f"{self.kind} wall"


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
    live: Condition | None = None
    markers: Markers = field(default_factory=Markers)
    redirects: tuple[RedirectRule, ...] = ()
    status: dict[int, tuple[Verdict, str]] = field(default_factory=dict)
    login: tuple[re.Pattern[str], ...] = ()
    sources: tuple[JsonSource, ...] = ()  # every JSON source its rules read
    rendered: tuple[JsonSource, ...] = ()  # JSON strings the platform shows as text

    def page(self, body: str) -> Page:
        return Page(body, self.sources, self.rendered)


def _redirect(raw: dict[str, Any]) -> RedirectRule:
    return RedirectRule(raw["id"], Verdict(raw["verdict"]), raw["reason"], re.compile(raw["path"]))


_PLATFORM_KEYS = {"hosts", "live", "markers", "redirects", "status", "login", "fields", "rendered"}


def _platform(name: str, raw: dict[str, Any]) -> PlatformRules:
    unknown = set(raw) - _PLATFORM_KEYS
    if unknown:
        raise RuleError(f"platform {name!r}: unknown key(s) {sorted(unknown)}")
    fields = {k: sources(v, f"{name} field {k!r}") for k, v in raw.get("fields", {}).items()}
    live = condition(raw["live"], f"{name} live", fields) if "live" in raw else None
    markers = Markers(marker(m, fields) for m in raw.get("markers", ()))
    rendered = sources(raw["rendered"], f"{name} rendered") if "rendered" in raw else ()
    used = [*rendered, *(s for m in markers for s in m.when.sources)]
    used += [s for m in markers if m.unless for s in m.unless.sources]
    used += live.sources if live else ()
    return PlatformRules(
        name=name,
        hosts=tuple(raw.get("hosts", ())),
        live=live,
        markers=markers,
        redirects=tuple(_redirect(r) for r in raw.get("redirects", ())),
        status={int(k): (Verdict(v[0]), v[1]) for k, v in raw.get("status", {}).items()},
        login=tuple(re.compile(p) for p in raw.get("login", ())),
        sources=tuple(dict.fromkeys(used)),
        rendered=rendered,
    )


def _consent(raw: list[dict[str, Any]]) -> dict[str, Wall]:
    walls = {}
    for entry in raw:
        wall = Wall(
            "consent",
            entry["id"],
            tuple((str(k), str(v)) for k, v in entry["cookies"].items()),
            entry["domain"],
        )
        walls.update(dict.fromkeys(entry["hosts"], wall))
    return walls


@dataclass(frozen=True)
class RuleBook:
    generic: PlatformRules
    platforms: dict[str, PlatformRules]
    shorteners: frozenset[str]
    by_host: dict[str, str]
    consent: dict[str, Wall] = field(default_factory=dict)
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
            consent=_consent(data.get("consent", [])),
        )

    @classmethod
    def from_file(cls, path: Path) -> RuleBook:
        return cls.from_data(json.loads(path.read_text(encoding="utf-8")))

    def platform_for(self, url: str) -> PlatformRules | None:
        return self.platform_for_host(_host(url))

    def platform_for_host(self, host: str) -> PlatformRules | None:
        """The platform of a host as ``_host`` gives it (lower case, no trailing dot)."""
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

    def wall_for(self, url: str) -> Wall | None:
        """The wall a redirect to ``url`` leads to: a consent host, or a login page (the
        platform's own login paths; on a site without them, the generic ones)."""
        wall = self.consent.get(_host(url))
        if wall is not None:
            return wall
        platform = self.platform_for(url)
        if platform is not None and platform.login:
            patterns, rule = platform.login, f"{platform.name}.login_wall"
        else:
            patterns, rule = self.generic.login, "login_wall"
        try:
            path = urlsplit(url).path or "/"
        except ValueError:
            return None
        for pattern in patterns:
            if pattern.search(path):
                return Wall("login", rule)
        return None

    def decide(
        self,
        first_url: str,
        final_url: str,
        status: int,
        body: str,
        wall: Wall | None = None,
        *,
        host: str | None = None,
    ) -> Decision:
        """The verdict for a final response (not 429/5xx: the caller handles those).
        ``host``: ``final_url``'s host, when the caller has it already (see ``_host``)."""
        if wall is not None:
            return Decision(Verdict.RESTRICTED, wall.reason, wall.rule, final_url)
        platform = self.platform_for_host(_host(final_url) if host is None else host)
        settled = self._by_redirect(platform, first_url, final_url) or self._by_status(
            platform, status
        )
        if settled is not None and settled.verdict is Verdict.RESTRICTED:
            return settled
        if settled is None and not 200 <= status < 300:
            return Decision(Verdict.UNKNOWN, f"unexpected HTTP status {status}", "status.other")
        page = (platform or self.generic).page(body)
        found = self.generic.markers.first_found(page)
        if found is not None:
            return Decision(found[0].verdict, found[0].reason, found[0].id, found[1])
        if settled is not None:
            return settled
        if platform is None:
            return Decision(Verdict.ONLINE, f"HTTP {status} with content", "status.2xx")
        found = platform.markers.first_found(page)
        if found is not None:
            return Decision(found[0].verdict, found[0].reason, found[0].id, found[1])
        if platform.live is not None:
            hit = platform.live.find(page)
            if hit:
                return Decision(
                    Verdict.ONLINE, "content page is live", f"{platform.name}.live", hit
                )
        return Decision(
            Verdict.UNKNOWN, "page not recognised: no removal and no live marker", "unrecognised"
        )

    def _by_redirect(
        self, platform: PlatformRules | None, first_url: str, final_url: str
    ) -> Decision | None:
        if final_url == first_url:
            return None
        path = urlsplit(final_url).path or "/"
        first_path = urlsplit(first_url).path or "/"
        for rule in (*(platform.redirects if platform else ()), *self.generic.redirects):
            if rule.path.search(path) and not rule.path.search(first_path):
                return Decision(rule.verdict, rule.reason, rule.id, final_url)
        return None

    def _by_status(self, platform: PlatformRules | None, status: int) -> Decision | None:
        if platform and status in platform.status:
            verdict, reason = platform.status[status]
            return Decision(verdict, reason, f"{platform.name}.status.{status}")
        if status in self.generic.status:
            verdict, reason = self.generic.status[status]
            return Decision(verdict, reason, f"status.{status}")
        return None


@lru_cache(maxsize=1)
def default_rules() -> RuleBook:
    text = resources.files("takedown.checker").joinpath("rules.json").read_text(encoding="utf-8")
    return RuleBook.from_data(json.loads(text))
