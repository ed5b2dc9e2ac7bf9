"""The vocabulary of platform rule files: :class:`Platform`, :class:`Rule`, :class:`Wrapper`.

A platform file in ``takedown/urls/platforms/`` declares one ``PLATFORM`` with its hosts and an
ordered table of rules. A rule is a regular expression over the canonical path (no trailing
slash), plus templates that build the key, the canonical URL, the account, the id and the
parent keys from the expression's named groups and the required query parameters. The first
rule that matches wins; a URL that no rule matches is a ``page`` of the platform.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

KINDS = ("account", "post", "invite", "collection", "file", "page", "site")
# How a URL written in capitals is matched: ASCII letters in either case, and nothing else
# folded (a Kelvin sign is no "k").
_ANY_CASE = re.IGNORECASE | re.ASCII
# A plan's query regexes (by parameter name) and fragment regex.
_Checks = tuple[tuple[tuple[str, re.Pattern[str]], ...], re.Pattern[str] | None]


@dataclass(frozen=True)
class Rule:
    """One URL shape of a platform.

    ``path`` is matched in full against the canonical path without its trailing slash, e.g.
    ``r"/s/(?P<account>\\w+)/(?P<id>\\d+)"``. ``query`` names query parameters the shape needs,
    each with the regex its value must match; the templates see the regex's named groups, or
    the value under the parameter's name when the regex has none.
    ``key`` is the part of the key after ``platform:kind:``. Groups named in ``lower`` are
    folded to lowercase (names the platform treats case-insensitively). Groups named in
    ``lowercase`` are words or ids that only come in lowercase (VK's ``wall``/``video``,
    lowercase hex): a URL written all in capitals is matched ignoring case, and these are then
    folded too, while other ids are kept as written (docs/urls.md, "URLs in capitals").
    ``hosts`` limits the rule to some of the platform's hosts (``*.example.com`` for
    subdomains; ``{sub}`` is then the subdomain). ``fragment``, when set, must match the fragment (for sites that route by
    it); its named groups join the others. Named groups in query regexes join them too.
    ``secret`` names a group (of the fragment, usually) that holds a decryption key: it goes to
    ``ContentRef.secret`` and must appear in no template. ``sub``, when set, must match the
    subdomain in full (``{sub}`` is read only when it is a valid name).
    """

    kind: str
    path: str
    key: str
    canonical: str
    account: str | None = "{account}"
    id: str | None = "{id}"
    parents: tuple[str, ...] = ()
    query: Mapping[str, str] = field(default_factory=dict)
    fragment: str | None = None
    hosts: tuple[str, ...] = ()
    lower: tuple[str, ...] = ("account",)
    lowercase: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()
    secret: str | None = None
    sub: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"rule kind {self.kind!r} is not one of {KINDS}")
        known = {"sub", *re.compile(self.path).groupindex, *self.query}
        for pattern in (*self.query.values(), self.fragment or ""):
            known.update(re.compile(pattern).groupindex)
        if self.secret is not None and self.secret not in known:
            raise ValueError(f"rule {self.path!r}: secret group {self.secret!r} is unknown")
        for group in self.lowercase:
            if group not in known:
                raise ValueError(f"rule {self.path!r}: lowercase group {group!r} is unknown")
        for template in (self.key, self.canonical, self.account, self.id, *self.parents):
            for _, name, _, _ in string.Formatter().parse(template or ""):
                if name is not None and name not in known:
                    raise ValueError(
                        f"rule {self.path!r}: template {template!r} uses unknown {name!r}"
                    )
                if name is not None and name == self.secret:
                    raise ValueError(f"rule {self.path!r}: template {template!r} uses the secret")


@dataclass(frozen=True)
class Wrapper:
    """A URL that carries another URL: a redirect (unwrapped) or an archive (kept, with parent).

    ``path`` is a regex matched in full against the canonical path. ``param`` names the query
    parameter holding the target, read with ``decode`` (percent-decoding unless given); with
    ``param=None`` the path regex has groups ``ts`` and ``target`` (archive style: the archive
    stays the item, the target becomes its parent), unless ``extract`` reads the target from
    the URL as it was given (for encodings that canonicalisation would disturb). A target that
    is a path (``/watch?v=…``, as sign-in pages carry it) is read on ``base``. ``hosts`` are
    canonical hosts; ``*.example.com`` admits every subdomain. An archive's snapshot is keyed
    ``<snapshot><timestamp>/<original key>`` and its canonical URL is
    ``https://<snapshot_host or the host given>/<snapshot><timestamp>/<original URL>``.
    """

    hosts: tuple[str, ...]
    path: str
    param: str | None = None
    decode: Callable[[str], str | None] | None = None
    extract: Callable[[str], str | None] | None = None
    base: str | None = None
    snapshot: str = "web/"
    snapshot_host: str | None = None


@dataclass(frozen=True)
class Platform:
    """A platform: its name, its hosts (canonical first) and its table of rules.

    Hosts are compared after ``www.``, ``m.`` and ``mobile.`` are removed. A host written
    ``*.example.com`` also admits every subdomain. ``shorteners`` are hosts whose links only
    say where to go after a redirect: they are flagged ``needs_resolution``. ``redirects``
    are wrappers whose target replaces them.

    ``mirrors`` are hosts of other people's front-ends to the platform (an Invidious instance
    for YouTube, a Nitter instance for X), and ``mirror_labels`` first labels that name one
    (``invidious.<anything>``): where one of the platform's rules reads the path, the URL is
    the platform's content, flagged ``mirror``; any other path there is a web page.

    ``pages_on_own_host``: the hosts are different services of one platform (signal.group,
    signal.me), not aliases, so a page that no rule reads is keyed on its own host rather than
    the canonical one. ``secret_fragments``: whatever follows ``#`` on this platform, written or
    percent-encoded into the path (``%23``), is a decryption key; where no rule reads it, it is
    still cut from the page's key and canonical URL and returned as the secret.
    """

    name: str
    hosts: tuple[str, ...]
    rules: tuple[Rule, ...] = ()
    shorteners: tuple[str, ...] = ()
    redirects: tuple[Wrapper, ...] = ()
    keep_subdomain: bool = True
    mirrors: tuple[str, ...] = ()
    mirror_labels: tuple[str, ...] = ()
    pages_on_own_host: bool = False
    secret_fragments: bool = False

    @property
    def canonical_host(self) -> str:
        return self.hosts[0].removeprefix("*.")


def _host_ok(rule: Rule, host: str, base: str) -> bool:
    if not rule.hosts:
        return True
    for pattern in rule.hosts:
        if pattern == host or (pattern.startswith("*.") and host.endswith(pattern[1:])):
            return True
        if pattern == "*" and host != base:
            return True
    return False


def _fmt(template: str) -> Callable[[Mapping[str, str]], str]:
    return template.format_map


class Plan:
    """One rule, ready for parse: its query and fragment regexes compiled, its templates as
    ``format_map`` functions of the groups (the key's with its ``platform:kind:`` prefix)."""

    __slots__ = (
        "_any_case", "account", "canonical", "checks", "flags", "fragment", "id", "index", "key", "kind",
        "lower", "lower_any_case", "parents", "queries", "secret", "sub",
    )  # fmt: skip

    def __init__(self, index: int, rule: Rule, platform: str) -> None:
        self.index = index
        self.kind = rule.kind
        self.key = _fmt(f"{platform}:{rule.kind}:{rule.key}")
        self.canonical = _fmt(rule.canonical)
        self.account = _fmt(rule.account) if rule.account else None
        self.id = _fmt(rule.id) if rule.id else None
        self.parents = tuple(_fmt(p) for p in rule.parents)
        self.lower = rule.lower
        # What a URL in capitals folds: the names the platform folds, and its lowercase words.
        self.lower_any_case = tuple(dict.fromkeys((*rule.lower, *rule.lowercase)))
        self.flags = rule.flags
        self.queries = tuple((n, re.compile(p)) for n, p in rule.query.items())
        self.fragment = re.compile(rule.fragment) if rule.fragment else None
        self.secret = rule.secret
        self.sub = re.compile(rule.sub) if rule.sub else None
        # Whether parse must look beyond the path: query, fragment or subdomain.
        self.checks = bool(self.queries) or self.fragment is not None or self.sub is not None
        self._any_case: _Checks | None = None

    def any_case(self) -> _Checks:
        """The query and fragment regexes, ignoring case: for a URL written in capitals."""
        if self._any_case is None:
            queries = tuple((n, re.compile(r.pattern, _ANY_CASE)) for n, r in self.queries)
            fragment = re.compile(self.fragment.pattern, _ANY_CASE) if self.fragment else None
            self._any_case = (queries, fragment)
        return self._any_case


class CompiledRules:
    """The rules that apply on one host, joined into one regular expression for speed."""

    __slots__ = ("_any_case", "_groups", "_regex", "_single", "plans")

    def __init__(self, rules: list[Rule], platform: str) -> None:
        self.plans = [Plan(i, rule, platform) for i, rule in enumerate(rules)]
        parts = []
        for i, rule in enumerate(rules):
            renamed = re.sub(r"\(\?P<(\w+)>", rf"(?P<r{i}_\1>", rule.path)
            parts.append(f"(?P<r{i}>{renamed})")
        self._regex = re.compile("|".join(parts)) if parts else None
        # By the number of each rule's outer group: its plan, group names and group numbers.
        self._groups: dict[int, tuple[Plan, tuple[str, ...], tuple[int, ...]]] = {}
        if self._regex is not None:
            index = self._regex.groupindex
            for i, rule in enumerate(rules):
                names = tuple(re.compile(rule.path).groupindex)
                numbers = tuple(index[f"r{i}_{name}"] for name in names)
                self._groups[index[f"r{i}"]] = (self.plans[i], names, numbers)
        self._single = [re.compile(rule.path) for rule in rules]
        self._any_case: list[re.Pattern[str]] | None = None

    def match(self, path: str, start: int = 0) -> tuple[Plan, dict[str, str]] | None:
        """The first rule from ``start`` whose path matches, with its named groups."""
        if self._regex is None:
            return None
        if start == 0:
            m = self._regex.fullmatch(path)
            if m is None or m.lastindex is None:
                return None
            plan, names, numbers = self._groups[m.lastindex]
            # Dict displays for the usual one to three groups: dict(zip()) costs several times more.
            count = len(numbers)
            if count == 1:
                return plan, {names[0]: m.group(numbers[0])}
            if count == 2:
                a, b = m.group(*numbers)
                return plan, {names[0]: a, names[1]: b}
            if count == 3:
                a, b, c = m.group(*numbers)
                return plan, {names[0]: a, names[1]: b, names[2]: c}
            return plan, dict(zip(names, m.group(*numbers), strict=True)) if count else {}
        for index in range(start, len(self.plans)):
            single = self._single[index].fullmatch(path)
            if single:
                return self.plans[index], single.groupdict()
        return None

    def match_any_case(self, path: str, start: int = 0) -> tuple[Plan, dict[str, str]] | None:
        """The first rule from ``start`` whose path matches ignoring case, with its groups: for
        a URL written in capitals (a QR code's alphanumeric mode, caps lock)."""
        if self._any_case is None:
            self._any_case = [re.compile(r.pattern, _ANY_CASE) for r in self._single]
        for index in range(start, len(self.plans)):
            found = self._any_case[index].fullmatch(path)
            if found:
                return self.plans[index], found.groupdict()
        return None


def compile_rules(platform: Platform, host: str) -> CompiledRules:
    rules = [r for r in platform.rules if _host_ok(r, host, platform.canonical_host)]
    return CompiledRules(rules, platform.name)
