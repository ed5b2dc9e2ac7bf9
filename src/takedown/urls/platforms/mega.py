"""MEGA: files, folders and collections (albums), new (/file/<id>#<key>) and legacy
(#!<id>!<key>) forms, and their embeds.

The decryption key after ``#`` opens the file: it is never part of the key, the canonical URL
or the parents, and is returned as ``ContentRef.secret`` so that intake can keep it with the
report (docs/urls.md, "Secrets in URLs"). The same holds where a share tool percent-encoded the
``#`` into the path (``/file/<id>%23<key>``: parse reads the path decoded), and, through
``secret_fragments``, for any other MEGA path: whatever follows ``#`` is a key.
"""

from __future__ import annotations

from takedown.urls.rules import Platform, Rule

_ID = r"(?P<id>[A-Za-z0-9_\-]{8})"
_KEY = r"(?P<key>[A-Za-z0-9_\-]{1,100})"
# What follows the key in a folder link: the file or folder opened inside it.
_INSIDE = r"(?:/(?:file|folder)/[A-Za-z0-9_\-]+)*"

PLATFORM = Platform(
    name="mega",
    hosts=("mega.nz", "mega.co.nz", "mega.io", "mega.app"),
    secret_fragments=True,
    rules=(
        Rule("file", rf"/(?:file|embed)/{_ID}", "{id}", "https://mega.nz/file/{id}", account=None,
             fragment=rf"(?:!?{_KEY})?.*", secret="key", lower=()),
        Rule("collection", rf"/folder/{_ID}(?:/(?:file|folder)/[A-Za-z0-9_\-]+)?", "folder/{id}", "https://mega.nz/folder/{id}",
             account=None, fragment=rf"(?:{_KEY}{_INSIDE})?.*", secret="key", lower=()),
        # A shared album ("collection"): /collection/<id>#<key>.
        Rule("collection", rf"/collection/{_ID}", "collection/{id}", "https://mega.nz/collection/{id}",
             account=None, fragment=rf"(?:{_KEY})?.*", secret="key", lower=()),
        # The legacy forms, also as the embed player wrote them: /embed#!<id>!<key>.
        Rule("file", r"(?:/embed)?", "{id}", "https://mega.nz/file/{id}", account=None, fragment=rf"!{_ID}(?:!{_KEY})?.*",
             secret="key", lower=()),
        Rule("collection", r"", "folder/{id}", "https://mega.nz/folder/{id}", account=None, fragment=rf"F!{_ID}(?:!{_KEY})?.*",
             secret="key", lower=()),
    ),
)  # fmt: skip
