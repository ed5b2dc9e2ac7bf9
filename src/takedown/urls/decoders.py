"""Readers for wrappers that encode the URL they carry: Proofpoint URL Defense v2 and v3.

Each returns the carried URL as text, or None when the wrapper does not hold one it can read
(parse then treats the wrapper as an ordinary page of its host). None of them raises.
"""

from __future__ import annotations

import base64
import binascii
import re
from urllib.parse import unquote

_TAB_NEWLINE = str.maketrans("", "", "\t\r\n")  # removed from a URL before reading it (WHATWG)
_V2_ESCAPE = re.compile(r"-([0-9A-Fa-f]{2})")
# v3: https://urldefense.com/v3/__<url>__;<replaced characters, base64url>!!<ids>!<mac>$
_V3 = re.compile(r"/v3/__(?P<url>.+?)__;(?P<replaced>[A-Za-z0-9_\-=]*)!")
_V3_TOKEN = re.compile(r"\*\*(.)|\*")
# "**X" stands for a run of replaced characters: A is 2 of them, B 3, … "_" 65.
_V3_RUNS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def proofpoint_v2(value: str) -> str | None:
    """The ``u`` parameter of ``urldefense.proofpoint.com/v2/url``: ``_`` stands for ``/`` and
    ``-XX`` for the byte ``%XX`` (so ``https-3A__example.com_a`` is ``https://example.com/a``)."""
    if not value:
        return None
    return unquote(_V2_ESCAPE.sub(r"%\1", value.replace("_", "/")))


def proofpoint_v3(text: str) -> str | None:
    """The URL inside ``urldefense.com/v3/__<url>__;<replaced>!…``, read from the raw input.

    Characters that the rewriter took out of the URL are each replaced by ``*`` (or a run of
    them by ``**`` and a letter giving the run's length) and listed, base64url-encoded, after
    ``__;``; they are put back in order.
    """
    found = _V3.search(text.translate(_TAB_NEWLINE))
    if found is None:
        return None
    url, replaced = found.group("url"), found.group("replaced").rstrip("=")
    try:
        chars = base64.urlsafe_b64decode(replaced + "=" * (-len(replaced) % 4)).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    out: list[str] = []
    used = end = 0
    for token in _V3_TOKEN.finditer(url):
        run = token.group(1)
        count = 1 if run is None else _V3_RUNS.find(run) + 2
        if count < 1 or used + count > len(chars):
            return None
        out += (url[end : token.start()], chars[used : used + count])
        used += count
        end = token.end()
    out.append(url[end:])
    return "".join(out)
