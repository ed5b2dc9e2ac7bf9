"""MEGA: files and folders, new (/file/<id>) and legacy (#!<id>!<key>) forms.

The decryption key after ``#`` is never part of the key or the canonical URL.
"""

from __future__ import annotations

from takedown.urls.rules import Platform, Rule

_ID = r"(?P<id>[A-Za-z0-9_\-]{8})"

PLATFORM = Platform(
    name="mega",
    hosts=("mega.nz", "mega.co.nz", "mega.io"),
    rules=(
        Rule("file", rf"/(?:file|embed)/{_ID}", "{id}", "https://mega.nz/file/{id}", account=None, lower=()),
        Rule("collection", rf"/folder/{_ID}(?:/(?:file|folder)/[A-Za-z0-9_\-]+)?", "folder/{id}", "https://mega.nz/folder/{id}",
             account=None, lower=()),
        Rule("file", r"", "{id}", "https://mega.nz/file/{id}", account=None, fragment=rf"!{_ID}(?:!.*)?", lower=()),
        Rule("collection", r"", "folder/{id}", "https://mega.nz/folder/{id}", account=None, fragment=rf"F!{_ID}(?:!.*)?", lower=()),
    ),
)  # fmt: skip
