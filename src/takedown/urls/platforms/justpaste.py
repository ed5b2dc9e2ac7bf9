"""JustPaste.it: pastes (short ids) and user pages."""

from __future__ import annotations

from takedown.urls.rules import Platform, Rule

PLATFORM = Platform(
    name="justpaste",
    hosts=("justpaste.it", "jpst.it"),
    rules=(
        Rule("account", r"/u/(?P<account>[A-Za-z0-9_.\-]+)", "u/{account}", "https://justpaste.it/u/{account}", id=None),
        Rule("post", r"/(?!(?:login|register|about|faq|terms|privacy|contact|redirect|premium)$)(?P<id>[A-Za-z0-9_]{3,40})",
             "{id}", "https://justpaste.it/{id}", account=None, lower=("id",)),
    ),
)  # fmt: skip
