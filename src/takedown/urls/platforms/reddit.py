"""Reddit: posts, comments, galleries, subreddits, users; redd.it carries the post id."""

from __future__ import annotations

from takedown.urls.rules import Platform, Rule, Wrapper

_SUB = r"(?P<account>r/[A-Za-z0-9_]{2,21}|u/[A-Za-z0-9_\-]{3,20})"
_POST = "https://www.reddit.com/comments/{id}"

PLATFORM = Platform(
    name="reddit",
    hosts=("reddit.com", "*.reddit.com", "redd.it", "v.redd.it", "i.redd.it"),
    keep_subdomain=False,
    redirects=(Wrapper(hosts=("out.reddit.com",), path=r"/.*", param="url"),),
    rules=(
        Rule("page", rf"/{_SUB}/s/(?P<id>[A-Za-z0-9]+)", "s/{id}", "https://www.reddit.com/{account}/s/{id}", account=None,
             lower=(), flags=("needs_resolution",)),
        Rule("post", rf"/{_SUB}/comments/(?P<post>[a-z0-9]+)/[^/]*/(?P<id>[a-z0-9]+)", "comment/{id}",
             "https://www.reddit.com/comments/{post}/comment/{id}", parents=("reddit:post:{post}",), lowercase=("post", "id")),
        Rule("post", r"/comments/(?P<post>[a-z0-9]+)/comment/(?P<id>[a-z0-9]+)", "comment/{id}",
             "https://www.reddit.com/comments/{post}/comment/{id}", account=None, parents=("reddit:post:{post}",), lower=(), lowercase=("post", "id")),
        Rule("post", rf"/{_SUB}/comments/(?P<id>[a-z0-9]+)(?:/[^/]*)?", "{id}", _POST, parents=("reddit:account:{account}",), lowercase=("id",)),
        Rule("post", r"/(?:comments|gallery)/(?P<id>[a-z0-9]+)(?:/[^/]*)?", "{id}", _POST, account=None, lower=(), lowercase=("id",)),
        Rule("post", r"/(?P<id>[a-z0-9]{5,8})", "{id}", _POST, account=None, hosts=("redd.it",), lower=(), lowercase=("id",)),
        Rule("file", r"/(?P<id>[a-z0-9]{8,20})(?:/.*)?", "v/{id}", "https://v.redd.it/{id}", account=None, hosts=("v.redd.it",), lower=(), lowercase=("id",)),
        Rule("file", r"/(?P<id>[A-Za-z0-9]{8,20}\.[a-z0-9]{3,4})", "i/{id}", "https://i.redd.it/{id}", account=None,
             hosts=("i.redd.it",), lower=()),
        Rule("account", r"/r/(?P<name>[A-Za-z0-9_]{2,21})(?:/.*)?", "r/{name}", "https://www.reddit.com/r/{name}",
             account="r/{name}", id=None, lower=("name",)),
        Rule("account", r"/u(?:ser)?/(?P<name>[A-Za-z0-9_\-]{3,20})(?:/.*)?", "u/{name}", "https://www.reddit.com/u/{name}",
             account="u/{name}", id=None, lower=("name",)),
    ),
)  # fmt: skip
