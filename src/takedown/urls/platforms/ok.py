"""OK (Odnoklassniki): videos, group topics, profile statuses, groups and profiles."""

from __future__ import annotations

from takedown.urls.rules import Platform, Rule, Wrapper

PLATFORM = Platform(
    name="ok",
    hosts=("ok.ru", "odnoklassniki.ru"),
    redirects=(Wrapper(hosts=("ok.ru",), path=r"/dk", param="st.rfn"),),
    rules=(
        Rule("post", r"/(?:video|videoembed|live)/(?P<id>[0-9]+)", "video/{id}", "https://ok.ru/video/{id}", account=None, lower=()),
        Rule("post", r"/(?P<account>(?:group|profile)/[0-9]+|[A-Za-z0-9_.]+)/(?:topic|statuses)/(?P<id>[0-9]+)", "topic/{id}",
             "https://ok.ru/{account}/topic/{id}", parents=("ok:account:{account}",)),
        Rule("account", r"/(?P<account>(?:group|profile)/[0-9]+)", "{account}", "https://ok.ru/{account}", id=None),
        Rule("account", r"/(?!(?:dk|video|music|games|search|settings)(?:/|$))(?P<account>[A-Za-z][A-Za-z0-9_.]+)", "{account}",
             "https://ok.ru/{account}", id=None),
    ),
)  # fmt: skip
