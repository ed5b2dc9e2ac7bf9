"""Typed markers: what a rule looks for on a page, each part with its type.

A marker (rules.json) fires when any of its parts is found on the page, and its ``unless``
(the same kinds of parts) is not:

* ``"text"``: phrases of the visible text, and ``"text_regex"``: patterns over it (both
  compared folded, ``page.fold``: white space in a pattern is ignored, as in ``re.VERBOSE``);
* ``"select"``: CSS selectors; an element found is enough, or, written
  ``{"css": "title", "text": "…"}``, an element whose own text holds the phrase;
* ``"json"``: ``{"field": [values]}``, a value the platform's ``fields`` read from JSON in
  the page's scripts equals one of the values (``true``: the field is there at all).

The loader refuses a part it does not know, so no rule keeps reading bytes unnoticed.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any

from selectolax.lexbor import LexborHTMLParser

from takedown.checker.model import Verdict
from takedown.checker.page import JsonSource, Page, fold, needles

PARTS = ("text", "text_regex", "select", "json")
_PROBE = LexborHTMLParser("<p></p>")


class RuleError(ValueError):
    """rules.json says something the checker cannot read; the message names where."""


@dataclass(frozen=True)
class Selector:
    css: str
    text: str | None = None  # folded phrase the element's text must hold
    written: str | None = None  # the phrase as the rules write it
    needles: tuple[str, ...] = ()

    def find(self, page: Page) -> str | None:
        if not page.may_have(self.needles):
            return None
        if self.text is None:
            return self.css if page.has(self.css) else None
        phrase = self.text
        for text in page.texts(self.css):
            if phrase in text:
                return f"{self.css}: {self.written}"
        return None


@dataclass(frozen=True)
class FieldTest:
    name: str
    sources: tuple[JsonSource, ...]
    values: tuple[Any, ...] | None  # None: the field is there at all

    def find(self, page: Page) -> str | None:
        for source in self.sources:
            for value in page.values(source):
                if value is None:
                    continue
                if self.values is None:
                    return f"{self.name} present"
                for wanted in self.values:
                    if value == wanted and isinstance(value, bool) == isinstance(wanted, bool):
                        return f"{self.name} = {value}"
        return None


@dataclass(frozen=True)
class Condition:
    """Typed parts; ``find`` gives the first part found, as evidence, or None."""

    phrases: tuple[tuple[str, str], ...] = ()  # (folded, as written)
    folded: tuple[str, ...] = ()  # the phrases, folded: one pass in C finds whether any is there
    patterns: tuple[re.Pattern[str], ...] = ()
    selectors: tuple[Selector, ...] = ()
    fields: tuple[FieldTest, ...] = ()
    # a word of each selector: none of them in the source, no selector can match
    gate: tuple[str, ...] | None = None

    def find(self, page: Page) -> str | None:
        if self.phrases or self.patterns:
            text = page.text
            if any(map(text.__contains__, self.folded)):
                return next(written for folded, written in self.phrases if folded in text)
            for pattern in self.patterns:
                m = pattern.search(text)
                if m:
                    return m.group(0)
        gate = self.gate
        if self.selectors and (gate is None or any(map(page.source.__contains__, gate))):
            for selector in self.selectors:
                hit = selector.find(page)
                if hit:
                    return hit
        for test in self.fields:
            hit = test.find(page)
            if hit:
                return hit
        return None

    @property
    def sources(self) -> tuple[JsonSource, ...]:
        return tuple(s for t in self.fields for s in t.sources)


@dataclass(frozen=True)
class Marker:
    id: str
    verdict: Verdict
    reason: str
    when: Condition
    unless: Condition | None = None

    @property
    def plain(self) -> bool:
        """Phrases of the visible text and nothing else: ``first_found`` tests them inline."""
        w = self.when
        return self.unless is None and not (w.patterns or w.selectors or w.fields)

    def find(self, page: Page) -> str | None:
        """The evidence this marker found on ``page``, or None."""
        hit = self.when.find(page)
        if hit is None or (self.unless is not None and self.unless.find(page) is not None):
            return None
        return hit


class Markers:
    """Markers in the order they are tried. Most are phrases and nothing else: those are
    tested inline against the page's text (made once a page), a substring test per phrase
    instead of a few calls per marker."""

    __slots__ = ("_plan", "markers")

    def __init__(self, markers: Iterable[Marker] = ()) -> None:
        self.markers = tuple(markers)
        # per marker: its folded phrases when they are all it has, else None (ask the marker)
        self._plan = tuple(m.when.folded if m.plain else None for m in self.markers)

    def __iter__(self) -> Iterator[Marker]:
        return iter(self.markers)

    def __len__(self) -> int:
        return len(self.markers)

    def first_found(self, page: Page) -> tuple[Marker, str] | None:
        """The first marker found on ``page`` and its evidence (``Marker.find``), or None."""
        text: str | None = None
        for m, folded in zip(self.markers, self._plan, strict=True):
            if folded is None:
                hit = m.find(page)
            else:
                if text is None:
                    text = page.text
                if not any(map(text.__contains__, folded)):
                    continue
                hit = next(written for f, written in m.when.phrases if f in text)
            if hit:
                return m, hit
        return None


def _css(css: Any, where: str) -> str:
    if not isinstance(css, str) or not css.strip():
        raise RuleError(f"{where}: a selector must be a non-empty string, not {css!r}")
    try:
        _PROBE.css_first(css)
    except Exception as exc:  # selectolax raises its own error type for a bad selector
        raise RuleError(f"{where}: not a CSS selector the parser reads: {css!r}") from exc
    return css


def _selector(raw: Any, where: str) -> Selector:
    if isinstance(raw, str):
        return Selector(_css(raw, where), needles=needles(raw))
    if isinstance(raw, dict) and set(raw) == {"css", "text"} and isinstance(raw["text"], str):
        css = _css(raw["css"], where)
        words = needles(css)
        if css == "title":  # a title holds no tags: a word of the phrase is in the source
            word = max((w.strip(string.punctuation) for w in raw["text"].split()), key=len)
            words += (word.lower(),) if word.isalpha() else ()
        return Selector(css, fold(raw["text"]), raw["text"], words)
    raise RuleError(f'{where}: a selector is "css" or {{"css": …, "text": …}}, not {raw!r}')


def _field(
    name: str, values: Any, fields: Mapping[str, tuple[JsonSource, ...]], where: str
) -> FieldTest:
    if name not in fields:
        raise RuleError(f"{where}: no field {name!r} in the platform's fields")
    if values is True:
        return FieldTest(name, fields[name], None)
    if not isinstance(values, list) or not values:
        raise RuleError(f"{where}: field {name!r} wants a list of values or true")
    return FieldTest(name, fields[name], tuple(values))


def condition(
    raw: Mapping[str, Any], where: str, fields: Mapping[str, tuple[JsonSource, ...]]
) -> Condition:
    """A condition from its parts in rules.json (``where`` names it in errors)."""
    unknown = set(raw) - set(PARTS)
    if unknown:
        raise RuleError(f"{where}: unknown part(s) {sorted(unknown)}; a part is one of {PARTS}")
    phrases = tuple((fold(p), p) for p in raw.get("text", ()))
    cond = Condition(
        phrases=phrases,
        folded=tuple(f for f, _ in phrases),
        patterns=tuple(
            re.compile(p, re.VERBOSE | re.IGNORECASE) for p in raw.get("text_regex", ())
        ),
        selectors=tuple(_selector(s, where) for s in raw.get("select", ())),
        fields=tuple(_field(k, v, fields, where) for k, v in raw.get("json", {}).items()),
    )
    if not (cond.phrases or cond.patterns or cond.selectors or cond.fields):
        raise RuleError(f"{where}: no part to look for; give one of {PARTS}")
    if cond.selectors and all(s.needles for s in cond.selectors):
        # the rarest word of each: an id, a class or a value before a tag name
        words = sorted(
            {max(s.needles, key=lambda w: (w[0] != "<", len(w))) for s in cond.selectors}
        )
        cond = replace(cond, gate=tuple(words))
    return cond


def marker(raw: Mapping[str, Any], fields: Mapping[str, tuple[JsonSource, ...]]) -> Marker:
    where = f"marker {raw.get('id')!r}"
    head = {"id", "verdict", "reason", "unless"}
    unless = raw.get("unless")
    return Marker(
        id=raw["id"],
        verdict=Verdict(raw["verdict"]),
        reason=raw["reason"],
        when=condition({k: v for k, v in raw.items() if k not in head}, where, fields),
        unless=condition(unless, f"{where} unless", fields) if unless is not None else None,
    )


def sources(raw: Any, where: str) -> tuple[JsonSource, ...]:
    """A field's JSON sources: ``[{"script": css | "var": name, "path": [...]}, ...]``."""
    if not isinstance(raw, list) or not raw:
        raise RuleError(f"{where}: a field is a list of sources")
    found = []
    for item in raw:
        if not isinstance(item, dict) or set(item) not in ({"script", "path"}, {"var", "path"}):
            raise RuleError(f'{where}: a source is {{"script" or "var": …, "path": [...]}}')
        path = item["path"]
        if not isinstance(path, list) or not all(isinstance(s, str | int) for s in path):
            raise RuleError(f"{where}: a path is a list of keys and indexes, not {path!r}")
        script = _css(item["script"], where) if "script" in item else None
        found.append(JsonSource(tuple(path), script=script, var=item.get("var")))
    return tuple(found)
