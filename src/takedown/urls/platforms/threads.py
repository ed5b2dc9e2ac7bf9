"""Threads: posts (by code, under an account or not) and accounts, on threads.net and
threads.com."""

from __future__ import annotations

from takedown.urls.rules import Platform, Rule

_NAME = r"@(?P<account>[A-Za-z0-9_.]{1,30})"

PLATFORM = Platform(
    name="threads",
    hosts=("threads.net", "threads.com", "*.threads.net", "*.threads.com"),
    rules=(
        Rule("post", rf"/{_NAME}/post/(?P<id>[A-Za-z0-9_\-]{{5,}})(?:/media)?", "{id}", "https://www.threads.net/@{account}/post/{id}",
             parents=("threads:account:{account}",)),
        Rule("post", r"/(?:t|post)/(?P<id>[A-Za-z0-9_\-]{5,})", "{id}", "https://www.threads.net/t/{id}", account=None, lower=()),
        Rule("account", rf"/{_NAME}(?:/(?:replies|reposts|media))?", "{account}", "https://www.threads.net/@{account}", id=None),
    ),
)  # fmt: skip
