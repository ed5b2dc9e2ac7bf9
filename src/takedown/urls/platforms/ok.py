"""OK (Odnoklassniki): videos (pages, embeds, live, the web-api player, the st.mvId layer),
video channels, group topics, profile statuses, groups and profiles."""

from __future__ import annotations

from takedown.urls.rules import Platform, Rule, Wrapper

_VIDEO = "https://ok.ru/video/{id}"
_ID = r"(?P<id>[0-9]+(?:-[0-9]+)?)"

PLATFORM = Platform(
    name="ok",
    hosts=("ok.ru", "odnoklassniki.ru", "*.ok.ru", "*.odnoklassniki.ru"),
    redirects=(Wrapper(hosts=("ok.ru",), path=r"/dk", param="st.rfn"),),
    rules=(
        Rule("post", rf"/(?:video|videoembed|live|web-api/video/moviePlayer|video/embed)/{_ID}", "video/{id}", _VIDEO, account=None, lower=()),
        Rule("post", rf"/(?:(?:group|profile)/[0-9]+|[A-Za-z0-9_.]+)/video/{_ID}", "video/{id}", _VIDEO, account=None, lower=()),
        Rule("post", r"/(?:dk|[A-Za-z0-9_.]+)", "video/{id}", _VIDEO, account=None, query={"st.mvid": _ID}, lower=()),
        Rule("post", r"/dk", "video/{id}", _VIDEO, account=None, query={"mid": _ID}, lower=()),
        Rule("collection", r"/video/(?P<id>c[0-9]+)", "video/{id}", "https://ok.ru/video/{id}", account=None, lower=(), lowercase=("id",)),
        Rule("post", r"/(?P<account>(?:group|profile)/[0-9]+|[A-Za-z0-9_.]+)/(?:topic|statuses)/(?P<id>[0-9]+)", "topic/{id}",
             "https://ok.ru/{account}/topic/{id}", parents=("ok:account:{account}",)),
        Rule("account", r"/(?P<account>(?:group|profile)/[0-9]+)(?:/(?:video|topics|photos|members|about))?", "{account}",
             "https://ok.ru/{account}", id=None),
        Rule("account", r"/(?!(?:dk|video|music|games|search|settings|live|videoembed|web-api|help|feed|messages|guests|discussions|notifications)(?:/|$))"
             r"(?P<account>[A-Za-z][A-Za-z0-9_.]+)(?:/(?:video|topics|photos|members|about))?", "{account}", "https://ok.ru/{account}", id=None),
    ),
)  # fmt: skip
