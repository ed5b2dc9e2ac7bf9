"""Pages in each platform's real shape, with invented content (lorem ipsum, made-up names).

``page(item, state)`` returns (status, content type, body). Removed, suspended and geo-blocked
items show the notice the real platform shows; ``State.NOTICE`` shows ``item.notice``.
"""

from __future__ import annotations

import html
import json
from urllib.parse import quote

from takedown.sim.model import HOSTS, Item, State

Page = tuple[int, str, bytes]
HTML = "text/html; charset=utf-8"
LOREM = "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor."

# (state) -> notice text, per platform; ’ and ' both appear, as on the real sites
NOTICES: dict[str, dict[State, str]] = {
    "telegram": {
        State.REMOVED: "This channel can’t be displayed because it violated Telegram's Terms of Service.",
        State.SUSPENDED: "This channel can't be displayed because it violated Telegram’s Terms of Service.",
        State.GEO_BLOCKED: "This channel can’t be displayed because it violated local laws.",
    },
    "youtube": {
        State.REMOVED: "This video has been removed for violating YouTube's Community Guidelines",
        State.SUSPENDED: "This video is no longer available because the YouTube account associated with this video has been terminated.",
        State.GEO_BLOCKED: "The uploader has not made this video available in your country",
    },
    "x": {
        State.REMOVED: "Hmm...this page doesn’t exist. Try searching for something else.",
        State.SUSPENDED: "This Post is from a suspended account. Learn more",
        State.GEO_BLOCKED: "This Post has been withheld in Germany in response to a legal demand.",
    },
    "facebook": {
        State.REMOVED: "This content isn't available right now",
        State.SUSPENDED: "This content isn’t available right now",
        State.GEO_BLOCKED: "",
    },
    "instagram": {
        State.REMOVED: "Sorry, this page isn't available.",
        State.SUSPENDED: "Sorry, this page isn’t available.",
        State.GEO_BLOCKED: "",
    },
    "tiktok": {
        State.REMOVED: "Video currently unavailable",
        State.SUSPENDED: "Couldn't find this account",
        State.GEO_BLOCKED: "",
    },
    "vk": {
        State.REMOVED: "This video has been deleted and is no longer available.",
        State.SUSPENDED: "This video is no longer available, because its author has been blocked.",
        State.GEO_BLOCKED: "",
    },
    "rumble": {State.REMOVED: "404 error, this page does not exist"},
    "archive_org": {State.REMOVED: "This item is no longer available"},
    "vimeo": {State.REMOVED: "Sorry, this page is no longer available."},
    "ok_ru": {State.REMOVED: "The author of this video has not been found or is blocked"},
}


def _doc(title: str, body: str, head: str = "") -> bytes:
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
        f"{head}</head><body>{body}</body></html>"
    ).encode()


def _telegram(item: Item, live: bool, notice: str | None) -> Page:
    name = item.path.strip("/").removeprefix("s/").split("/")[0]
    if item.kind == "post":
        if live:
            inner = (
                f'<div class="tgme_widget_message" data-post="{name}/1">'
                f'<div class="tgme_widget_message_text">{LOREM}</div></div>'
            )
        else:
            inner = f'<div class="tgme_widget_message_error">{html.escape(notice or "")}</div>'
        return 200, HTML, _doc(f"Telegram: @{name}", inner)
    if live:
        inner = (
            f'<div class="tgme_channel_info"><div class="tgme_page_title">'
            f'<span>{name}</span></div><div class="tgme_page_extra">1 234 subscribers</div></div>'
            f'<div class="tgme_widget_message_text">{LOREM}</div>'
        )
        return 200, HTML, _doc(f"Telegram: Contact @{name}", inner)
    text = html.escape(notice) if notice else _contact(name)
    inner = f'<div class="tgme_page_description" dir="auto">{text}</div>'
    return (
        200,
        HTML,
        _doc(
            f"Telegram: Contact @{name}", inner, '<meta name="robots" content="noindex, nofollow">'
        ),
    )


def _contact(name: str) -> str:
    """t.me's sentence for a name with no public page, in t.me's own markup."""
    return (
        f'If you have <strong>Telegram</strong>, you can contact <a class="tgme_username_link" '
        f'href="tg://resolve?domain={html.escape(name)}">@{html.escape(name)}</a> right away.'
    )


def _youtube(item: Item, live: bool, notice: str | None, state: State) -> Page:
    """A watch page as YouTube serves it: the player's state and its error screen are JSON in
    a script (``ytInitialPlayerResponse``); the page's own HTML shows none of it."""
    if live:
        player: dict[str, object] = {
            "playabilityStatus": {"status": "OK", "playableInEmbed": True},
            "videoDetails": {"title": LOREM[:40], "author": "Lorem Channel"},
        }
    else:
        reason = {"simpleText": "Video unavailable"}
        player = {
            "playabilityStatus": {
                "status": "UNPLAYABLE" if state is State.GEO_BLOCKED else "ERROR",
                "reason": "Video unavailable",
                "errorScreen": {
                    "playerErrorMessageRenderer": {
                        "reason": reason,
                        "subreason": {"runs": [{"text": notice or ""}]},
                        "icon": {"iconType": "ERROR_OUTLINE"},
                    }
                },
            }
        }
    data = json.dumps(player, separators=(",", ":"))
    script = f'<script nonce="lorem">var ytInitialPlayerResponse = {data};var meta = 1;</script>'
    return 200, HTML, _doc("YouTube", f'<div id="player"></div>{script}')


def _tiktok_data(status: int) -> str:
    """TikTok's rehydration data, where its page says whether a video can be shown."""
    scope = {
        "webapp.app-context": {"language": "en"},
        "webapp.video-detail": {
            "statusCode": status,
            "statusMsg": "" if status == 0 else "item doesn't exist",
        },
    }
    data = json.dumps({"__DEFAULT_SCOPE__": scope}, separators=(",", ":"))
    return (
        f'<script id="__UNIVERSAL_DATA_FOR_REHYDRATION__" type="application/json">{data}</script>'
    )


def login_path(platform: str, target: str) -> str:
    """Where a platform sends a visitor it wants signed in, in its own shape."""
    shapes = {
        "instagram": "/accounts/login/?next={path}",
        "facebook": "/login/?next={url}",
        "x": "/i/flow/login?redirect_after_login={path}",
        "tiktok": "/login?redirect_url={url}",
    }
    shape = shapes.get(platform, "/login?next={path}")
    url = f"https://{HOSTS.get(platform, platform)}{target}"
    return shape.format(path=quote(target, safe=""), url=quote(url, safe=""))


def is_login_path(target: str) -> bool:
    return target.startswith(("/login", "/accounts/login/", "/i/flow/login"))


_LIVE_SNIPPETS = {
    "x": f'<article><div data-testid="tweetText">{LOREM}</div></article>',
    "facebook": f'<div data-ad-preview="message">{LOREM}</div>',
    "instagram": f'<meta property="og:type" content="instapp:photo"><p>{LOREM}</p>',
    "tiktok": _tiktok_data(0),
    "vk": f'<div class="videoplayer">{LOREM}</div>',
    "rumble": f'<h1 class="media-heading">{LOREM[:30]}</h1>',
    "archive_org": f'<div class="item-details-metadata">{LOREM}</div>',
    "vimeo": f'<div class="vimeo-player">{LOREM}</div>',
    "ok_ru": f'<div class="vid-card">{LOREM}</div>',
}


def page(item: Item, state: State) -> Page:
    live = state in (State.LIVE, State.REINSTATED)
    notice = item.notice if state is State.NOTICE else NOTICES.get(item.platform, {}).get(state)
    p = item.platform
    if notice is None and not live and state is not State.GEO_BLOCKED:
        notice = NOTICES.get(p, {}).get(State.REMOVED)
    if p == "telegram":
        return _telegram(item, live, notice)
    if p == "youtube":
        return _youtube(item, live, notice, state)
    if p == "filehost":
        if live:
            return 200, "application/pdf", b"%PDF-1.4\n% lorem ipsum test file\n" + b"0" * 2048
        return (
            (451 if state is State.GEO_BLOCKED else 410),
            HTML,
            _doc("Gone", "<p>File removed.</p>"),
        )
    if live:
        return 200, HTML, _doc(p, _LIVE_SNIPPETS[p])
    if state is State.GEO_BLOCKED and not notice:
        return (
            451,
            HTML,
            _doc("Unavailable For Legal Reasons", "<p>Not available in your country.</p>"),
        )
    code = 404 if p == "rumble" and state is not State.NOTICE else 200
    extra = _tiktok_data(10204) if p == "tiktok" else ""
    return code, HTML, _doc(p, f'<div class="notice">{html.escape(notice or "")}</div>{extra}')


def not_found(platform: str, target: str) -> Page:
    """What a platform shows for a path it has never had."""
    if platform == "telegram":
        name = target.strip("/").removeprefix("s/").split("/")[0].split("?")[0] or "x"
        inner = f'<div class="tgme_page_description" dir="auto">{_contact(name)}</div>'
        return 200, HTML, _doc(f"Telegram: Contact @{name}", inner)
    if platform == "youtube":
        return _youtube(
            Item("youtube", "video", target),
            False,
            "This video isn't available anymore",
            State.REMOVED,
        )
    return 404, HTML, _doc("Not Found", "<p>Page not found.</p>")


def captcha() -> Page:
    return 200, HTML, _doc("Just a moment...", '<div class="g-recaptcha" data-sitekey="x"></div>')


def login(platform: str) -> Page:
    return (
        200,
        HTML,
        _doc(f"Log in to {platform}", '<form id="login_form"><input name="email"></form>'),
    )


def consent(target: str) -> Page:
    """The consent interstitial of YouTube's and Google's consent hosts."""
    form = (
        '<form action="/save" method="POST"><input type="hidden" name="set_eom" value="true">'
        '<button aria-label="Reject all">Reject all</button>'
        '<button aria-label="Accept all">Accept all</button></form>'
    )
    body = f"<h1>Before you continue to YouTube</h1><p>We use cookies and data to {LOREM}</p>{form}"
    return 200, HTML, _doc("Before you continue", body)
