"""Variants of a page that a browser shows the same: what rules must read alike.

``variants(html)`` re-writes a page, token by token (``html.parser``), in ways that change its
bytes and not what it shows or holds: inline tags inside sentences, attributes in single
quotes or none, in other orders, entities for letters and apostrophes, line breaks and
``<br>`` between words, the other apostrophe, and embedded JSON spaced out and escaped.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from html.parser import HTMLParser

Attrs = list[tuple[str, str | None]]
_RAW = {"script", "style"}
_VOID = {"meta", "link", "img", "input", "br", "hr", "source", "area", "base", "col", "wbr"}
_JSON_START = re.compile(r"""(?:\b|["'])[A-Za-z_$][\w$]*["']?\]?\s*=\s*(?=[\[{])""")


class _Rewriter(HTMLParser):
    def __init__(
        self,
        text: Callable[[str], str],
        attrs: Callable[[Attrs], str],
        script: Callable[[str], str],
        title: Callable[[str], str],
    ) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.text, self.attrs, self.script, self.title = text, attrs, script, title
        self.raw: str | None = None

    def handle_decl(self, decl: str) -> None:
        self.out.append(f"<!{decl}>")

    def handle_starttag(self, tag: str, attrs: Attrs) -> None:
        self.out.append(f"<{tag}{self.attrs(attrs)}>")
        if tag in _RAW or tag == "title":
            self.raw = tag

    def handle_startendtag(self, tag: str, attrs: Attrs) -> None:
        self.out.append(f"<{tag}{self.attrs(attrs)} />")

    def handle_endtag(self, tag: str) -> None:
        if tag not in _VOID:
            self.out.append(f"</{tag}>")
        self.raw = None

    def handle_data(self, data: str) -> None:
        if self.raw == "script":
            self.out.append(self.script(data))
        elif self.raw == "style":
            self.out.append(data)
        elif self.raw == "title":  # text only: a tag in a title is no tag
            self.out.append(self.title(data))
        else:
            self.out.append(self.text(data))

    def handle_comment(self, data: str) -> None:
        self.out.append(f"<!--{data}-->")


def _quoted(attrs: Attrs, quote: str = '"', order: int = 1) -> str:
    parts = []
    for name, value in attrs[::order]:
        if value is None:
            parts.append(f" {name}")
            continue
        escaped = html.escape(value, quote=False)
        if quote == "" and value and not re.search(r"""[\s"'=<>`]""", value):
            parts.append(f" {name}={escaped}")
        elif quote == "'" and "'" not in value:
            parts.append(f" {name}='{escaped}'")
        else:
            parts.append(f' {name}="{escaped.replace(chr(34), "&quot;")}"')
    return "".join(parts)


def _plain(text: str) -> str:
    return html.escape(text, quote=False)


def _inline(text: str) -> str:
    """Two words of every sentence wrapped in inline tags, as platforms mark names and links."""
    words = text.split(" ")
    if len([w for w in words if w.strip()]) < 3:
        return _plain(text)
    out = [_plain(w) for w in words]
    first = next(i for i, w in enumerate(words) if w.strip())
    last = max(i for i, w in enumerate(words) if w.strip())
    mid = (first + last) // 2
    if mid not in (first + 1, last) and "&" not in out[mid]:
        out[mid] = f"<span>{out[mid][:2]}</span>{out[mid][2:]}"  # a tag inside a word too
    out[first + 1] = f"<strong>{out[first + 1]}</strong>"
    out[last] = f'<a href="#lorem" class="link">{out[last]}</a>'
    return " ".join(out)


def _entities(text: str) -> str:
    """The first letter of every word as a character reference, apostrophes as named ones."""
    out = []
    for word in _plain(text).split(" "):
        if word[:1].isalpha():
            word = f"&#{ord(word[0])};{word[1:]}"
        out.append(word.replace("'", "&#39;").replace("\u2019", "&rsquo;"))
    return " ".join(out)


def _line_breaks(text: str) -> str:
    if not text.strip():
        return text
    words = _plain(text).split(" ")
    return "".join(
        w + ("\n        " if i % 2 == 0 else "<br>" if i % 5 == 3 else " ")
        for i, w in enumerate(words)
    ).rstrip() + (" " if text.endswith(" ") else "")


def _newlines(text: str) -> str:
    return _plain(text).replace(" ", "\n  ")


def _swap_apostrophes(text: str) -> str:
    if "'" in text:
        return _plain(text.replace("'", "\u2019"))
    return _plain(text.replace("\u2019", "'"))


def _spaced_json(script: str) -> str:
    """JSON in a script re-written with indents, spaces, keys reversed and escapes."""

    def dump(value: object) -> str:
        def reverse(v: object) -> object:
            if isinstance(v, dict):
                return {k: reverse(v[k]) for k in reversed(v)}
            if isinstance(v, list):
                return [reverse(x) for x in v]
            return v

        text = json.dumps(reverse(value), indent=2, ensure_ascii=True)
        return text.replace("/", "\\/")

    stripped = script.strip()
    if stripped[:1] in "[{":
        try:
            return dump(json.loads(stripped))
        except ValueError:
            return script
    decoder = json.JSONDecoder()
    out, pos = [], 0
    for m in _JSON_START.finditer(script):
        if m.end() < pos:
            continue
        try:
            value, end = decoder.raw_decode(script, m.end())
        except ValueError:
            continue
        out += [script[pos : m.end()], dump(value)]
        pos = end
    return "".join(out) + script[pos:]


def _rewrite(
    page: str,
    text: Callable[[str], str] = _plain,
    attrs: Callable[[Attrs], str] = _quoted,
    script: Callable[[str], str] = lambda s: s,
    title: Callable[[str], str] = _plain,
) -> str:
    rewriter = _Rewriter(text, attrs, script, title)
    rewriter.feed(page)
    rewriter.close()
    return "".join(rewriter.out)


def variants(page: str) -> dict[str, str]:
    """Name → the page re-written that way; "as served" is the page itself."""
    return {
        "as served": page,
        "re-serialised": _rewrite(page),
        "inline tags inside sentences": _rewrite(page, text=_inline),
        "single quotes": _rewrite(page, attrs=lambda a: _quoted(a, "'")),
        "unquoted attributes": _rewrite(page, attrs=lambda a: _quoted(a, "")),
        "attributes in reverse order": _rewrite(page, attrs=lambda a: _quoted(a, '"', -1)),
        "entities": _rewrite(page, text=_entities, title=_entities),
        "line breaks": _rewrite(page, text=_line_breaks, title=_newlines),
        "other apostrophe": _rewrite(page, text=_swap_apostrophes, title=_swap_apostrophes),
        "JSON spaced and escaped": _rewrite(page, script=_spaced_json),
    }
