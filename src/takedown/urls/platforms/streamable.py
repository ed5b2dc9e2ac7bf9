"""Streamable: videos by short id (plain, /e/ embeds, /o/ originals, /s/ share links)."""

from __future__ import annotations

from takedown.urls.rules import Platform, Rule

PLATFORM = Platform(
    name="streamable",
    hosts=("streamable.com",),
    rules=(
        Rule("post", r"/(?:[eos]/)?(?!(?:login|signup|about|documentation|upload|settings|privacy|terms|pricing|community)$)"
             r"(?P<id>[A-Za-z0-9]{4,10})(?:/[A-Za-z0-9_\-]+)?", "{id}", "https://streamable.com/{id}", account=None, lower=("id",)),
    ),
)  # fmt: skip
