"""The page as rules read it: visible text, selectors' needles, embedded JSON (properties)."""

from __future__ import annotations

import html
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser

from takedown.checker.page import JsonSource, Page, _assignment, fold, needles

WORDS = st.lists(
    st.text(
        alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'’,.",
        min_size=1,
        max_size=9,
    ),
    min_size=1,
    max_size=8,
)
INLINE = ["strong", "a", "span", "em", "b"]
BLOCK = ["div", "p", "li", "h2"]


@st.composite
def marked_up(draw: st.DrawFn) -> tuple[str, str]:
    """A sentence, and HTML that shows it: inline tags inside and around words, entities for
    letters, line breaks, ``<br>`` and block boundaries between words."""
    words = draw(WORDS)
    out = []
    for word in words:
        chars = []
        for ch in word:
            how = draw(st.integers(0, 9))
            if how == 0:
                chars.append(f"&#{ord(ch)};")
            elif how == 1:
                chars.append(f"&#x{ord(ch):x};")
            elif how == 2 and ch not in "'’":
                tag = draw(st.sampled_from(INLINE))
                chars.append(f"<{tag} class='x'>{html.escape(ch)}</{tag}>")
            else:
                chars.append(html.escape(ch, quote=False))
        out.append("".join(chars))
        out.append(draw(st.sampled_from([" ", "\n  ", "&nbsp;", "<br>", " <br/>\n", "\t"])))
    inner = "".join(out)
    if draw(st.booleans()):
        tag = draw(st.sampled_from(BLOCK))
        inner = f"<{tag}>{inner}</{tag}>"
    return " ".join(words), f"<html><head><title>t</title></head><body>{inner}</body></html>"


@given(marked_up())
def test_a_sentence_reads_the_same_however_it_is_marked_up(case: tuple[str, str]) -> None:
    sentence, page = case
    assert fold(sentence) in Page(page).text


@given(st.text(alphabet="abcdefghij ", min_size=6).filter(lambda s: len(s.split()) > 1))
def test_scripts_styles_and_attributes_are_not_text(sentence: str) -> None:
    page = (
        f"<html><head><script>var s = {sentence!r};</script></head><body>"
        f"<style>/* {sentence} */</style><p title='{sentence}'>lorem</p>"
        f'<script type=\'application/json\'>{{"s": "{sentence}"}}</script></body></html>'
    )
    assert fold(sentence) not in Page(page).text


IDENT = st.from_regex(r"[a-z][a-z0-9_-]{0,11}", fullmatch=True)


@st.composite
def element(draw: st.DrawFn) -> tuple[str, str]:
    """A selector, and an element it matches, written with any quotes, order and entities."""
    tag = draw(st.sampled_from(["div", "meta", "a", "section", "form"]))
    ident, cls, value = draw(IDENT), draw(IDENT), draw(IDENT)
    css = draw(
        st.sampled_from(
            [
                f"#{ident}",
                f".{cls}",
                f"{tag}.{cls}",
                f'[data-x="{value}"]',
                f'{tag}[data-x^="{value[:3]}"]',
                f"{tag}#{ident}.{cls}",
            ]
        )
    )

    def encode(text: str) -> str:
        return "".join(f"&#{ord(c)};" if draw(st.booleans()) else c for c in text)

    attrs = [("id", ident), ("class", f"other {cls}"), ("data-x", value)]
    attrs = draw(st.permutations(attrs))
    quote = draw(st.sampled_from(['"', "'"]))
    written = " ".join(f"{name}={quote}{encode(v)}{quote}" for name, v in attrs)
    return css, f"<html><body><p>lorem</p><{tag} {written}>ipsum</{tag}></body></html>"


@given(element())
def test_a_selector_is_never_skipped_on_a_page_it_matches(case: tuple[str, str]) -> None:
    css, page = case
    assert LexborHTMLParser(page).css_first(css) is not None
    assert Page(page).may_have(needles(css))


def test_json_sources_read_assignments_scripts_and_any_depth() -> None:
    page = Page(
        '<script>window["data"] = {"a": {"b": [1, {"c": "x"}]}};</script>'
        '<script id="j" type="application/json">{"deep": {"er": {"c": "y"}}}</script>'
        "<script>var data = {broken</script>"
    )
    assert page.values(JsonSource(("a", "b", 1, "c"), var="data")) == ["x"]
    assert page.values(JsonSource(("**", "c"), script="script#j")) == ["y"]
    assert page.values(JsonSource(("a", "b", 5), var="data")) == []
    assert page.values(JsonSource(("c",), var="missing")) == []


@pytest.mark.parametrize(
    "page",
    [
        "<html><head><title>A</title></head><body><p>x</p><title>B</title></body></html>",
        "<svg><title>in svg</title></svg><math><title>in math</title></math><TITLE>U</TITLE>",
        "<template><title>not in the tree</title></template><table><title>t</title></table>",
        "<div><noscript><title>n</title></noscript></div><p>no title</p>",
    ],
)
def test_a_tag_name_selects_what_the_selector_engine_selects(page: str) -> None:
    tree = LexborHTMLParser(page)
    for css in ("title", "p", "div", "a"):
        expected = [node.html for node in tree.css(css)]
        assert [node.html for node in Page(page).select(css)] == expected


PIECES = st.sampled_from(
    [
        "data",
        "mydata",
        "data_",
        '"',
        "'",
        "[",
        "]",
        " ",
        "=",
        "==",
        " = ",
        '{"a": 1}',
        "[1, 2]",
        "{broken",
        ";",
        "var ",
        "window[",
        "\n",
        "x",
        "é",
    ]
)


@given(st.lists(PIECES, max_size=14).map("".join))
def test_assignments_are_found_wherever_a_search_of_the_whole_script_finds_them(
    script: str,
) -> None:
    """Every document a regex search of the script would decode, in order, and no other."""
    expected = []
    for m in _assignment("data").finditer(script):
        try:
            expected.append(json.JSONDecoder().raw_decode(script, m.end())[0])
        except ValueError:
            continue
    page = Page(f"<script>{script}</script>")
    assert page.values(JsonSource((), var="data")) == expected
