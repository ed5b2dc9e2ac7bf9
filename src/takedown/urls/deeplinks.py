"""App deep links that name content, read as the web link they stand for.

Telegram's ``tg:`` links (core.telegram.org/api/links) open the same things as ``t.me`` links:
``tg://resolve?domain=<name>&post=<id>`` is ``https://t.me/<name>/<id>``,
``tg://join?invite=<hash>`` is ``https://t.me/+<hash>``, ``tg://boost?domain=<name>`` the
channel, ``tg://msg_url?url=`` and ``tg://share?url=`` the URL they share, and so on. A ``tg:`` link that opens
no content (settings, a proxy, a private chat by internal id) is refused with the reason.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import unquote

from takedown.urls.model import UrlError

_TG = re.compile(
    r"\s*tg:(?://)?(?P<action>[A-Za-z_]*)/?(?:\?(?P<query>[^#]*))?(?:#.*)?\s*", re.IGNORECASE
)
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{2,31}")
_NUMBER = re.compile(r"[0-9]{1,20}")
_CODE = re.compile(r"[A-Za-z0-9_\-]{1,100}")
_PHONE = re.compile(r"\+?[0-9]{5,15}")
_URL = re.compile(r"\S{1,8192}")


def _params(query: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in query.split("&"):
        name, _, value = pair.partition("=")
        out.setdefault(name.lower(), unquote(value))
    return out


def _need(params: dict[str, str], name: str, form: re.Pattern[str], link: str) -> str:
    value = params.get(name)
    if value is None or not form.fullmatch(value):
        raise UrlError(f"Telegram link {link!r}: parameter {name!r} is missing or malformed")
    return value


def _resolve(p: dict[str, str], link: str) -> str:
    if "phone" in p and "domain" not in p:
        return "https://t.me/+" + _need(p, "phone", _PHONE, link).lstrip("+")
    name = _need(p, "domain", _NAME, link)
    if "post" in p:
        return f"https://t.me/{name}/{_need(p, 'post', _NUMBER, link)}"
    if "story" in p:
        return f"https://t.me/{name}/s/{_need(p, 'story', _NUMBER, link)}"
    return f"https://t.me/{name}"


def _privatepost(p: dict[str, str], link: str) -> str:
    channel = _need(p, "channel", _NUMBER, link)
    if "post" in p:
        return f"https://t.me/c/{channel}/{_need(p, 'post', _NUMBER, link)}"
    return f"https://t.me/c/{channel}"


def _boost(p: dict[str, str], link: str) -> str:
    if "channel" in p and "domain" not in p:
        return "https://t.me/c/" + _need(p, "channel", _NUMBER, link)
    return "https://t.me/" + _need(p, "domain", _NAME, link)


_ACTIONS: dict[str, Callable[[dict[str, str], str], str]] = {
    "resolve": _resolve,
    "join": lambda p, link: "https://t.me/+" + _need(p, "invite", _CODE, link),
    "privatepost": _privatepost,
    "addstickers": lambda p, link: "https://t.me/addstickers/" + _need(p, "set", _CODE, link),
    "addemoji": lambda p, link: "https://t.me/addemoji/" + _need(p, "set", _CODE, link),
    "addlist": lambda p, link: "https://t.me/addlist/" + _need(p, "slug", _CODE, link),
    "addtheme": lambda p, link: "https://t.me/addtheme/" + _need(p, "slug", _CODE, link),
    "msg_url": lambda p, link: _need(p, "url", _URL, link),
    "share": lambda p, link: _need(p, "url", _URL, link),
    "boost": _boost,
}


def translate(text: str) -> str | None:
    """The https URL that the deep link ``text`` stands for; None when it is no deep link."""
    found = _TG.fullmatch(text)
    if found is None:
        return None
    action = found.group("action").lower()
    read = _ACTIONS.get(action)
    if read is None:
        raise UrlError(f"Telegram link tg:{action or '?'} opens no content that can be referred")
    return read(_params(found.group("query") or ""), text.strip()[:200])
