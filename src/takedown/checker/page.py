"""A response body read as a page: its visible text, its elements, the JSON its scripts embed.

Rules read pages, not bytes. A phrase split by inline markup (``If you have
<strong>Telegram</strong>, you can contact <a …>@name</a> right away``), an attribute
written with other quotes, an entity instead of a letter or a line break inside a sentence
make no difference to a marker:

* **visible text** is the text of the body as the parser gives it (tags gone, entities
  decoded), without scripts, styles and templates, plus the strings a platform's own script
  renders as text (``Page.rendered``: YouTube's player error screen, for one). It is
  compared *folded*: both apostrophes made one, case folded, and white space left out
  altogether, so an inline tag, a block boundary, a ``<br>``, a line break and a run of
  spaces all read the same;
* **elements** are found by CSS selectors over the parsed page (selectolax's Lexbor: an
  HTML5 parser; measured faster than lxml on the pages the checker reads, docs/checker.md);
* **embedded JSON** is found in a script, by the script's selector
  (``script#__UNIVERSAL_DATA_FOR_REHYDRATION__``) or by the variable it is assigned to
  (``var ytInitialPlayerResponse = {…};``), decoded and read by a path of keys.

Nothing is parsed until a rule asks: a page decided by its status or its redirect is never
parsed, and a page's text, elements and JSON are each made once.
"""

from __future__ import annotations

import contextlib
import html
import json
import re
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from selectolax.lexbor import LexborCSSSelector, LexborHTMLParser, LexborNode

_APOSTROPHES = ("\u2019", "\u2018", "\u02bc", "\u2032")
# no width, but not white space to str.split: a zero-width space inside a word, a soft hyphen
_INVISIBLE = ("\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad")
_NOT_TEXT = [("script", "<script"), ("style", "<style"), ("template", "<template")]
ANY_DEPTH = "**"  # a path step that matches a key at any depth below
_ENGINES = threading.local()


def _engine() -> LexborCSSSelector:
    """This thread's selector engine. Lexbor would build one for every document that is
    queried, the most expensive part of a query; one serves every page (not across
    threads: an engine is not thread-safe)."""
    engine: LexborCSSSelector | None = getattr(_ENGINES, "engine", None)
    if engine is None:
        engine = _ENGINES.engine = LexborCSSSelector()  # type: ignore[no-untyped-call]
    return engine


def fold(text: str) -> str:
    """Text as markers compare it: apostrophes made one, case folded, no white space."""
    if not text.isascii():
        for apostrophe in _APOSTROPHES:  # str.replace: translate is slow past ASCII
            if apostrophe in text:
                text = text.replace(apostrophe, "'")
        for invisible in _INVISIBLE:
            if invisible in text:
                text = text.replace(invisible, "")
        return "".join(text.split()).casefold()
    return "".join(text.split()).lower()


# what a simple selector names: a tag, an id, a class, an attribute and its value
_TAG = re.compile(r"^([A-Za-z][A-Za-z0-9-]*)")
_NAMED = re.compile(r"[#.]([A-Za-z0-9_-]+)")
_IMPLIED = {"html", "head", "body", "tbody", "colgroup"}  # made by the parser, tag or not
_TAG_ONLY = re.compile(r"[a-z][a-z0-9]*")  # a type selector and nothing else
_ATTR = re.compile(
    r"""\[\s*([A-Za-z_:][-\w:.]*)\s*(?:[~|^$*]?=\s*(?:"([^"]*)"|'([^']*)'|([^\]\s]+)))?\s*\]"""
)


@lru_cache(maxsize=1024)
def needles(css: str) -> tuple[str, ...]:
    """Words an element that ``css`` matches must have put in the page's source: its tag
    (``<meta``), id, classes, attribute names and values, lower case. The page is only
    queried when all of them are in its source, entities decoded (``Page.source``): a
    query costs microseconds, a substring test nothing. A selector with escapes, functions
    or several compounds gives none, and is always queried."""
    bare = _ATTR.sub("", css)
    if "\\" in css or any(c in bare for c in "():,>+~ *[]"):
        return ()
    found = [f"<{m.group(1)}" for m in _TAG.finditer(css) if m.group(1).lower() not in _IMPLIED]
    found += [m.group(1) for m in _NAMED.finditer(bare)]
    for m in _ATTR.finditer(css):
        value = next((v for v in m.groups()[1:] if v is not None), None)
        found.append(m.group(1) if value is None else value)
    return tuple(n.lower() for n in found if n)


@dataclass(frozen=True)
class JsonSource:
    """Where a JSON document sits in a page, and the path to the value read from it.

    ``script`` is a CSS selector for script elements whose whole text is JSON; ``var`` a
    name a script assigns a JSON object or array to (``var NAME = {…}``,
    ``window["NAME"] = {…}``). ``path`` steps through object keys and array indexes;
    ``"**"`` matches the next key at any depth.
    """

    path: tuple[str | int, ...]
    script: str | None = None
    var: str | None = None

    @property
    def needles(self) -> tuple[str, ...]:
        return needles(self.script) if self.script is not None else ((self.var or "").lower(),)

    @property
    def document(self) -> tuple[str, str]:
        return ("script", self.script) if self.script is not None else ("var", self.var or "")


@lru_cache(maxsize=256)
def _assignment(name: str) -> re.Pattern[str]:
    return re.compile(r"""(?:\b|["'])""" + re.escape(name) + r"""["']?\]?\s*=\s*(?=[\[{])""")


_DECODER = json.JSONDecoder()


def _walk(value: Any, path: Sequence[str | int]) -> Iterator[Any]:
    """Every value at ``path`` below ``value``."""
    if not path:
        yield value
        return
    step, rest = path[0], path[1:]
    if step == ANY_DEPTH:
        yield from _anywhere(value, rest)
    elif isinstance(step, int):
        if isinstance(value, list) and -len(value) <= step < len(value):
            yield from _walk(value[step], rest)
    elif isinstance(value, dict) and step in value:
        yield from _walk(value[step], rest)


def _anywhere(value: Any, path: Sequence[str | int]) -> Iterator[Any]:
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            yield from _walk(node, path)
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)


def strings(value: Any) -> list[str]:
    """The strings in a JSON value, in document order; a ``runs`` list (YouTube's formatted
    text, one sentence cut into pieces) is one string."""
    found: list[str] = []
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            found.append(item)
        elif isinstance(item, dict):
            runs = item.get("runs")
            if isinstance(runs, list):
                found.append(
                    "".join(r["text"] for r in runs if isinstance(r, dict) and "text" in r)
                )
                item = {k: v for k, v in item.items() if k != "runs"}
            stack.extend(reversed(item.values()))
        elif isinstance(item, list):
            stack.extend(reversed(item))
    return found


class Page:
    """One body, read lazily.

    ``sources``: every JSON source the platform's rules read; ``rendered``: those whose
    strings the platform shows as the page's text. Making the text drops the scripts, so the
    documents ``sources`` name are decoded first.
    """

    __slots__ = (
        "_docs",
        "_folded",
        "_found",
        "_scripts",
        "_selected",
        "_source",
        "_text",
        "_tree",
        "_values",
        "html",
        "rendered",
        "sources",
    )

    def __init__(
        self,
        html: str,
        sources: Sequence[JsonSource] = (),
        rendered: Sequence[JsonSource] = (),
    ) -> None:
        self.html = html
        self.sources = sources
        self.rendered = rendered
        self._tree: LexborHTMLParser | None = None
        self._text: str | None = None
        self._selected: dict[str, list[LexborNode]] = {}
        self._folded: dict[str, list[str]] = {}
        self._found: dict[str, bool] = {}
        self._docs: dict[tuple[str, str], list[Any]] = {}
        self._values: dict[JsonSource, list[Any]] = {}
        self._source: str | None = None
        self._scripts: list[str] | None = None

    @property
    def source(self) -> str:
        """The page's source with entities decoded, in lower case: what ``may_have`` reads."""
        if self._source is None:
            text = html.unescape(self.html) if "&" in self.html else self.html
            self._source = text.lower()
        return self._source

    def may_have(self, words: tuple[str, ...]) -> bool:
        """False when an element (or a script) with these ``needles`` cannot be on the page."""
        if not words:
            return True
        return all(map(self.source.__contains__, words))

    @property
    def tree(self) -> LexborHTMLParser:
        if self._tree is None:
            self._tree = LexborHTMLParser(self.html)
        return self._tree

    def select(self, selector: str) -> list[LexborNode]:
        """The elements ``selector`` matches. Selectors are for the page's own elements:
        scripts, styles and templates are gone once the text has been made. A selector that
        is a tag name alone (``title``) is answered by the tag index, not the selector
        engine: the same elements in the same order, at a quarter of the cost."""
        found = self._selected.get(selector)
        if found is None:
            tree = self.tree
            if _TAG_ONLY.fullmatch(selector):
                found = tree.tags(selector)
            else:
                root = tree.root
                found = _engine().find(selector, root) if root else []
            self._selected[selector] = found
        return found

    def texts(self, selector: str) -> list[str]:
        """The folded text of each element ``selector`` matches, made once a page."""
        found = self._folded.get(selector)
        if found is None:
            found = self._folded[selector] = [fold(node.text()) for node in self.select(selector)]
        return found

    def has(self, selector: str) -> bool:
        found = self._found.get(selector)
        if found is None:
            root = self.tree.root
            found = self._found[selector] = bool(root and _engine().any_matches(selector, root))
        return found

    def values(self, source: JsonSource) -> list[Any]:
        """The values at ``source``'s path in every document it names on this page."""
        found = self._values.get(source)
        if found is None:
            docs = self._documents(source)
            found = [v for doc in docs for v in _walk(doc, source.path)] if docs else []
            self._values[source] = found
        return found

    @property
    def text(self) -> str:
        """The folded visible text (see the module's docstring)."""
        if self._text is None:
            for source in self.sources:
                self._documents(source)  # before the scripts go
            rendered = [s for src in self.rendered for v in self.values(src) for s in strings(v)]
            tree = self.tree
            lower = self.source  # entities decoded: a superset of the tags the parser sees
            present = [tag for tag, opening in _NOT_TEXT if opening in lower]
            if present:  # by tag name: no selector engine for a page that needs none
                tree.strip_tags(present, recursive=True)
                self._selected.clear()  # a selection may have held what was just dropped
                self._folded.clear()
            body = tree.body
            self._text = fold(" ".join([body.text() if body is not None else "", *rendered]))
        return self._text

    def _documents(self, source: JsonSource) -> list[Any]:
        key = source.document
        docs = self._docs.get(key)
        if docs is None:
            docs = self._docs[key] = [] if self._text is not None else self._decode(source)
        return docs

    def _decode(self, source: JsonSource) -> list[Any]:
        docs: list[Any] = []
        if not self.may_have(source.needles):
            return docs
        if source.script is not None:
            root = self.tree.root
            for node in _engine().find(source.script, root) if root else []:
                try:
                    docs.append(json.loads(node.text()))
                except ValueError:
                    continue
            return docs
        name = source.var or ""
        pattern = _assignment(name)
        if self._scripts is None:
            self._scripts = [node.text() for node in self.tree.tags("script")]
        for script in self._scripts:
            # where the name is written: a regex search would try every character of a
            # script (YouTube's run to hundreds of KB), a substring search is done in C
            at = script.find(name)
            while at != -1:
                # an assignment starts at the name, or at the quote before it
                m = (at > 0 and pattern.match(script, at - 1)) or pattern.match(script, at)
                if not m:
                    at = script.find(name, at + 1)
                    continue
                with contextlib.suppress(ValueError):  # not JSON after all: no evidence
                    docs.append(_DECODER.raw_decode(script, m.end())[0])
                at = script.find(name, m.end())
        return docs
