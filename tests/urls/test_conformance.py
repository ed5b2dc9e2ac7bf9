"""takedown.urls against public test vectors: WPT urltestdata and Safe Browsing examples.

Deliberate differences are listed here with their reason and in docs/urls.md.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from takedown.urls import UrlError, parse
from takedown.urls.canon import canonicalise, normalise_path, normalise_query

# WPT urltestdata (trimmed) and Safe Browsing examples; origin and licence in tests/data/SOURCES.md.
DATA = Path(__file__).resolve().parents[1] / "data" / "urls"

# WPT accepts these; we refuse them on purpose (docs/urls.md, "Differences from WHATWG").
WPT_REFUSED = {
    "http://./": "a host of only dots is empty once dots are tidied",
    "http://../": "a host of only dots is empty once dots are tidied",
    "http://foo.09..": "tidied to foo.09, which ends in a number and is no IPv4 address",
    "https://%e2%98%83": "IDNA 2008 (idna package) refuses symbols that UTS 46 maps",
}


def _wpt(failure: bool) -> list[dict[str, Any]]:
    cases = json.loads((DATA / "wpt_urltestdata.json").read_text(encoding="utf-8"))
    return [
        c
        for c in cases
        if isinstance(c, dict)
        and c.get("base") is None
        and bool(c.get("failure")) == failure
        and (failure or c["protocol"] in ("http:", "https:"))
        and (not failure or c["input"].lower().startswith(("http:", "https:")))
    ]


def _has_control(text: str) -> bool:
    return any(
        (ord(c) < 0x20 and c not in "\t\r\n") or c == "\x7f" for c in text.strip(" \t\r\n\f\v")
    )


@pytest.mark.parametrize("case", _wpt(failure=False), ids=lambda c: repr(c["input"]))
def test_wpt_valid_urls_agree_up_to_our_normalisation(case: dict[str, Any]) -> None:
    text = case["input"]
    if text in WPT_REFUSED or _has_control(text):
        with pytest.raises(UrlError):
            canonicalise(text)
        return
    url = canonicalise(text)
    assert url.host == case["hostname"].strip(".")
    assert url.port == case["port"]
    # Our path and query are WPT's with our (idempotent) dedupe normalisation applied.
    assert url.path == normalise_path(case["pathname"])
    assert url.query == (normalise_query(case["search"][1:]) if case["search"] else ())
    assert url.had_credentials == bool(case["username"] or case["password"])


@pytest.mark.parametrize("case", _wpt(failure=True), ids=lambda c: repr(c["input"]))
def test_wpt_invalid_http_urls_are_refused(case: dict[str, Any]) -> None:
    with pytest.raises(UrlError):
        parse(case["input"])


def _safe_browsing() -> list[dict[str, Any]]:
    data = json.loads((DATA / "safe_browsing_canonicalization.json").read_text(encoding="utf-8"))
    cases: list[dict[str, Any]] = data["cases"]
    return cases


# Safe Browsing canonicalises for hashing and unescapes repeatedly; we canonicalise for dedupe
# and for fetching again, so escapes of reserved characters survive one round.
SB_DIFFERENT = {
    1: "http://host/%2525",  # we unescape unreserved characters once, '%' is reserved
    2: "http://host/%2525%2525",
    3: "http://host/%2525252525252525",
    4: "http://host/asdf%2525asd",
    5: "http://host/%%%2525asd%%",  # a lone '%' stays as WHATWG leaves it
    9: UrlError,  # '#' decoded from the host is forbidden (WHATWG)
    24: UrlError,  # control characters are refused
    28: UrlError,  # a space in the host is forbidden (WHATWG)
    29: UrlError,
    30: UrlError,
}


@pytest.mark.parametrize("case", _safe_browsing(), ids=lambda c: str(c["n"]))
def test_safe_browsing_examples(case: dict[str, Any]) -> None:
    expected = SB_DIFFERENT.get(case["n"], case["expected"])
    if expected is UrlError:
        with pytest.raises(UrlError):
            parse(case["input"])
        return
    url = canonicalise(case["input"])
    query = url.query_string()
    got = f"{url.scheme}://{url.host}{':' + url.port if url.port else ''}{url.path}"
    got += f"?{query}" if query else ("?" if str(expected).endswith("?") else "")
    if case["n"] == 26:  # Safe Browsing drops every port; we drop only default ones
        expected = "http://www.gotaport.com:1234/"
    if case["n"] in (12, 13):  # a missing scheme is https for us, http for Safe Browsing
        expected = str(expected).replace("http://", "https://")
    if case["n"] in (19, 20):  # our query keeps its characters; "?" inside a query is data
        pass
    assert got == expected
