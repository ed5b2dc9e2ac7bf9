"""top4top: files on lettered subdomains (p_<id>.jpg, m_<id>.mp4) and their download pages."""

from __future__ import annotations

from takedown.urls.rules import Platform, Rule

PLATFORM = Platform(
    name="top4top",
    hosts=("top4top.io", "*.top4top.io", "top4top.net", "*.top4top.net"),
    rules=(
        Rule("file", r"/(?P<t>[a-z])_(?P<id>[0-9a-z]+)\.(?P<ext>[0-9a-z]+)", "{id}", "https://{sub}.top4top.io/{t}_{id}.{ext}",
             account=None, hosts=("*.top4top.io", "*.top4top.net"), lower=("id", "ext"), lowercase=("t",)),
        Rule("file", r"/download[a-z]?-(?P<id>[0-9a-z]+)-(?P<ext>[0-9a-z]+)\.html", "{id}",
             "https://top4top.io/downloadf-{id}-{ext}.html", account=None, lower=("id", "ext")),
    ),
)  # fmt: skip
