"""The platform registry: rule files discovered in ``takedown.urls.platforms``, indexed by host."""

from __future__ import annotations

import importlib
import pkgutil
import re
from dataclasses import dataclass
from functools import lru_cache

from takedown.urls import platforms as _platforms_pkg
from takedown.urls.rules import CompiledRules, Platform, Wrapper, compile_rules

FOLDED_PREFIXES = ("www.", "m.", "mobile.")
CACHE_SIZE = 65536
_NAMED = re.compile(r"\(\?P<\w+>")


@dataclass(frozen=True, slots=True)
class HostInfo:
    """What a canonical host means: its platform (None for the open web) and how to read it.

    ``wrapped`` matches the paths of all the host's ``redirects`` at once, so that the many URLs
    that are not wrappers cost one regex call. ``mirror`` says the host is someone else's
    front-end to ``platform`` (see ``Platform.mirrors``).
    """

    platform: Platform | None
    host: str
    canonical_host: str
    sub: str
    shortener_of: str | None
    redirects: tuple[Wrapper, ...]
    rules: CompiledRules | None
    wrapped: re.Pattern[str] | None
    mirror: bool = False


class Registry:
    def __init__(self, platforms: list[Platform]) -> None:
        self.platforms = {p.name: p for p in platforms}
        self.exact: dict[str, Platform] = {}
        self.wildcard: dict[str, Platform] = {}
        self.shorteners: dict[str, str] = {}
        self.redirects: dict[str, list[Wrapper]] = {}
        self.wild_redirects: dict[str, list[Wrapper]] = {}
        self.mirrors: dict[str, Platform] = {}
        self.mirror_wildcard: dict[str, Platform] = {}
        self.mirror_labels: dict[str, Platform] = {}
        self._cache: dict[str, HostInfo] = {}
        for platform in platforms:
            for host in platform.hosts:
                if host.startswith("*."):
                    self._put(self.wildcard, host[2:], platform)
                self._put(self.exact, host.removeprefix("*."), platform)
            for host in platform.shorteners:
                self.shorteners[host] = platform.name
            for wrapper in platform.redirects:
                for host in wrapper.hosts:
                    if host.startswith("*."):
                        self.wild_redirects.setdefault(host[2:], []).append(wrapper)
                    else:
                        self.redirects.setdefault(host, []).append(wrapper)
            for host in platform.mirrors:
                if host.startswith("*."):
                    self._put(self.mirror_wildcard, host[2:], platform)
                self._put(self.mirrors, host.removeprefix("*."), platform)
            for label in platform.mirror_labels:
                self._put(self.mirror_labels, label, platform)
        for host in (*self.mirrors, *self.mirror_wildcard):
            if host in self.exact or host in self.wildcard:
                raise ValueError(f"host {host!r} is both a platform's and a mirror")

    @staticmethod
    def _put(index: dict[str, Platform], host: str, platform: Platform) -> None:
        if host in index and index[host] is not platform:
            raise ValueError(f"host {host!r} claimed by {index[host].name} and {platform.name}")
        index[host] = platform

    def _find(self, host: str) -> tuple[Platform | None, str]:
        platform = self.exact.get(host)
        if platform is not None:
            return platform, ""
        labels = host.split(".")
        for i in range(1, len(labels) - 1):
            platform = self.wildcard.get(".".join(labels[i:]))
            if platform is not None:
                return platform, ".".join(labels[:i])
        return None, ""

    def _mirror(self, host: str) -> Platform | None:
        """The platform that ``host`` is a front-end of: listed, or named by its first label."""
        platform = self.mirrors.get(host)
        if platform is not None:
            return platform
        labels = host.split(".")
        for i in range(1, len(labels) - 1):
            platform = self.mirror_wildcard.get(".".join(labels[i:]))
            if platform is not None:
                return platform
        if len(labels) > 1:
            return self.mirror_labels.get(labels[0].split("-", 1)[0])
        return None

    def _wild_redirects(self, host: str) -> tuple[Wrapper, ...]:
        labels = host.split(".")
        for i in range(1, len(labels) - 1):
            found = self.wild_redirects.get(".".join(labels[i:]))
            if found:
                return tuple(found)
        return ()

    def lookup(self, host: str) -> HostInfo:
        """What ``host`` (canonical) means; remembered for the most recent hosts."""
        info = self._cache.get(host)
        if info is None:
            if len(self._cache) >= CACHE_SIZE:
                self._cache.clear()
            info = self._cache[host] = self._lookup(host)
        return info

    def _lookup(self, host: str) -> HostInfo:
        redirects = tuple(self.redirects.get(host, ()))
        shortener = self.shorteners.get(host)
        folded = host
        while True:  # "www.m.example.com" folds twice, so its canonical URL reads the same
            prefix = next((p for p in FOLDED_PREFIXES if folded.startswith(p)), "")
            if not prefix or "." not in folded[len(prefix) :]:
                break
            folded = folded[len(prefix) :]
        redirects = redirects or tuple(self.redirects.get(folded, ()))
        redirects = redirects or self._wild_redirects(folded)
        shortener = shortener or self.shorteners.get(folded)
        wrapped = _any_path(redirects)
        platform, sub = self._find(folded)
        if platform is None:
            front = self._mirror(folded)
            if front is not None:
                rules = compile_rules(front, folded)
                return HostInfo(
                    front, folded, front.canonical_host, "", shortener, redirects, rules, wrapped,
                    mirror=True,
                )  # fmt: skip
        if platform is None or platform.name == "web":
            return HostInfo(None, folded, folded, "", shortener, redirects, None, wrapped)
        canonical = folded if sub and platform.keep_subdomain else platform.canonical_host
        rules = compile_rules(platform, folded)
        return HostInfo(platform, folded, canonical, sub, shortener, redirects, rules, wrapped)


def _any_path(wrappers: tuple[Wrapper, ...]) -> re.Pattern[str] | None:
    """One regex that matches where any of ``wrappers``' paths does (group names removed)."""
    if not wrappers:
        return None
    return re.compile("|".join(_NAMED.sub("(?:", f"(?:{w.path})") for w in wrappers))


def _discover() -> list[Platform]:
    found: list[Platform] = []
    for info in sorted(pkgutil.iter_modules(_platforms_pkg.__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{_platforms_pkg.__name__}.{info.name}")
        platform = getattr(module, "PLATFORM", None)
        if not isinstance(platform, Platform):
            raise TypeError(f"{module.__name__} must define PLATFORM = Platform(...)")
        found.append(platform)
    return found


@lru_cache(maxsize=1)
def registry() -> Registry:
    """The registry of every platform file, built once on first use."""
    return Registry(_discover())


def platform_names() -> list[str]:
    return sorted(registry().platforms)
