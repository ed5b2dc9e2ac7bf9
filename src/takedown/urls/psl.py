"""Registrable domains from the Public Suffix List, never fetched.

The list is the snapshot that the ``tldextract`` package ships (``.tld_set_snapshot``), read
from its folder without importing the package: importing it pulls in ``requests`` and costs
about 0.3 s, which every import helper process and every command paid on its first web URL.
The matching is tldextract's own (a reversed-label trie of the public and private rules,
with ``*`` wildcards and ``!`` exceptions; punycode labels are decoded before matching), and
the tests check it against tldextract itself on every rule of the list.
"""

from __future__ import annotations

import importlib.util
import re
from functools import cache
from pathlib import Path

import idna

_RULE = re.compile(r"^(?P<suffix>[.*!]*\w[\S]*)", re.UNICODE | re.MULTILINE)
_PRIVATE = "// ===BEGIN PRIVATE DOMAINS==="


class _Node:
    __slots__ = ("end", "matches", "private")

    def __init__(self) -> None:
        self.matches: dict[str, _Node] = {}
        self.end = False
        self.private = False


def snapshot_path() -> Path:
    spec = importlib.util.find_spec("tldextract")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the tldextract package (which ships the suffix list) is missing")
    return Path(next(iter(spec.submodule_search_locations))) / ".tld_set_snapshot"


@cache
def _trie() -> _Node:
    text = snapshot_path().read_text(encoding="utf-8")
    public, _, private = text.partition(_PRIVATE)
    root = _Node()
    for part, is_private in ((public, False), (private, True)):
        for found in _RULE.finditer(part):
            node = root
            for label in reversed(found.group("suffix").split(".")):
                node = node.matches.setdefault(label, _Node())
            node.end = True
            node.private = is_private
    return root


def _decoded(label: str) -> str:
    lowered = label.lower()
    if lowered.startswith("xn--"):
        try:
            return str(idna.decode(lowered))
        except (UnicodeError, IndexError):
            pass
    return lowered


def public_suffix_start(labels: list[str]) -> int | None:
    """Index of the first label of the public suffix (private rules included), or None."""
    node = _trie()
    start = at = len(labels)
    for label in reversed(labels):
        decoded = _decoded(label)
        child = node.matches.get(decoded)
        if child is not None:
            at -= 1
            node = child
            if node.end:
                start = at
            continue
        if "*" in node.matches:
            return at if "!" + decoded in node.matches else at - 1
        break
    return None if start == len(labels) else start


def top_domain(host: str) -> str:
    """The public suffix and the label before it (``bbc.co.uk``); "" when there is none."""
    labels = host.split(".")
    start = public_suffix_start(labels)
    if start is None or start < 1 or not labels[start - 1]:
        return ""
    return ".".join(labels[start - 1 :])
