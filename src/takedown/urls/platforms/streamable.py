"""Streamable: videos by short id (plain, /e/ embeds, /o/ originals)."""

from __future__ import annotations

from takedown.urls.rules import Platform, Rule

PLATFORM = Platform(
    name="streamable",
    hosts=("streamable.com",),
    rules=(
        Rule("post", r"/(?:[eos]/)?(?!(?:login|signup|about|documentation)$)(?P<id>[A-Za-z0-9]{4,10})", "{id}", "https://streamable.com/{id}",
             account=None, lower=("id",)),
    ),
)  # fmt: skip
