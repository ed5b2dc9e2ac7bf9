"""App deep links that name content, read as the web link they stand for.

- Telegram's ``tg:`` links (core.telegram.org/api/links) open what ``t.me`` links open:
  ``tg://resolve?domain=<name>&post=<id>`` is ``https://t.me/<name>/<id>``,
  ``tg://join?invite=<hash>`` is ``https://t.me/+<hash>``, ``tg://boost?domain=<name>`` the
  channel, ``tg://msg_url?url=`` and ``tg://share?url=`` the URL they share, and so on.
- ``matrix:`` URIs (Matrix specification, appendices, "matrix: URI scheme"):
  ``matrix:r/<alias>:<server>`` is ``https://matrix.to/#/#<alias>:<server>``, ``roomid/`` a
  room by id, ``u/`` a user, and ``/e/<event>`` an event in the room.
- WhatsApp's ``whatsapp://send?phone=<n>`` is ``https://wa.me/<n>`` and
  ``whatsapp://chat?code=<invite>`` is ``https://chat.whatsapp.com/<invite>``.

A deep link that opens no content (settings, a proxy, a private chat by internal id) is refused
with the reason.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import unquote

from takedown.urls.model import UrlError

_LINK = re.compile(
    r"\s*(?P<scheme>tg|matrix|whatsapp):(?://)?(?P<action>[^?#\s]*)(?:\?(?P<query>[^#]*))?(?:#.*)?\s*",
    re.IGNORECASE,
)
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{2,31}")
_NUMBER = re.compile(r"[0-9]{1,20}")
_CODE = re.compile(r"[A-Za-z0-9_\-]{1,100}")
_PHONE = re.compile(r"\+?[0-9]{5,15}")
_URL = re.compile(r"\S{1,8192}")
_MATRIX = re.compile(
    r"(?P<kind>r|roomid|u)/(?P<local>[A-Za-z0-9._=\-]+):(?P<server>[A-Za-z0-9.\-]+(?::[0-9]{1,5})?)"
    r"(?:/e/(?P<event>[A-Za-z0-9_\-+/=]+))?/?"
)
_SIGILS = {"r": "#", "roomid": "!", "u": "@"}

Params = dict[str, str]


def _params(query: str) -> Params:
    out: Params = {}
    for pair in query.split("&"):
        name, _, value = pair.partition("=")
        out.setdefault(name.lower(), unquote(value))
    return out


def _need(params: Params, name: str, form: re.Pattern[str], link: str) -> str:
    value = params.get(name)
    if value is None or not form.fullmatch(value):
        raise UrlError(f"app link {link!r}: parameter {name!r} is missing or malformed")
    return value


def _resolve(p: Params, link: str) -> str:
    if "phone" in p and "domain" not in p:
        return "https://t.me/+" + _need(p, "phone", _PHONE, link).lstrip("+")
    name = _need(p, "domain", _NAME, link)
    if "post" in p:
        return f"https://t.me/{name}/{_need(p, 'post', _NUMBER, link)}"
    if "story" in p:
        return f"https://t.me/{name}/s/{_need(p, 'story', _NUMBER, link)}"
    return f"https://t.me/{name}"


def _privatepost(p: Params, link: str) -> str:
    channel = _need(p, "channel", _NUMBER, link)
    if "post" in p:
        return f"https://t.me/c/{channel}/{_need(p, 'post', _NUMBER, link)}"
    return f"https://t.me/c/{channel}"


def _boost(p: Params, link: str) -> str:
    if "channel" in p and "domain" not in p:
        return "https://t.me/c/" + _need(p, "channel", _NUMBER, link)
    return "https://t.me/" + _need(p, "domain", _NAME, link)


_TELEGRAM: dict[str, Callable[[Params, str], str]] = {
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
_WHATSAPP: dict[str, Callable[[Params, str], str]] = {
    "send": lambda p, link: "https://wa.me/" + _need(p, "phone", _PHONE, link).lstrip("+"),
    "chat": lambda p, link: "https://chat.whatsapp.com/" + _need(p, "code", _CODE, link),
}


def _matrix(path: str, link: str) -> str:
    found = _MATRIX.fullmatch(unquote(path))
    if found is None:
        raise UrlError(
            f"Matrix link {link!r} names no room, event or user (matrix:r/<room>:<server>)"
        )
    where = f"{_SIGILS[found.group('kind')]}{found.group('local')}:{found.group('server')}"
    event = found.group("event")
    return f"https://matrix.to/#/{where}" + (f"/${event}" if event else "")


def translate(text: str) -> str | None:
    """The https URL that the deep link ``text`` stands for; None when it is no deep link."""
    found = _LINK.fullmatch(text)
    if found is None:
        return None
    scheme, action = found.group("scheme").lower(), found.group("action")
    link = text.strip()[:200]
    if scheme == "matrix":
        return _matrix(action, link)
    actions = _TELEGRAM if scheme == "tg" else _WHATSAPP
    read = actions.get(action.rstrip("/").lower())
    if read is None:
        raise UrlError(f"app link {scheme}:{action or '?'} opens no content that can be referred")
    return read(_params(found.group("query") or ""), link)
