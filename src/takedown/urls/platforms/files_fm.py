"""files.fm: upload folders (/u/) and single files (/f/)."""

from __future__ import annotations

from takedown.urls.rules import Platform, Rule

PLATFORM = Platform(
    name="files_fm",
    hosts=("files.fm",),
    rules=(
        Rule("collection", r"/u/(?P<id>[A-Za-z0-9]+)", "u/{id}", "https://files.fm/u/{id}", account=None, lower=()),
        Rule("file", r"/f/(?P<id>[A-Za-z0-9]+)", "f/{id}", "https://files.fm/f/{id}", account=None, lower=()),
        Rule("file", r"/down\.php", "f/{id}", "https://files.fm/f/{id}", account=None, query={"i": r"(?P<id>[A-Za-z0-9]+)"}, lower=()),
    ),
)  # fmt: skip
