"""Matrix: rooms (by alias or id), their events, and users, as matrix.to links name them and as
Element, a Matrix client, opens them (app.element.io/#/room/…): one room, one key.

The room or user is in the URL's fragment (``https://matrix.to/#/#room:server``), its sigil and
colon percent-encoded or not.
"""

from __future__ import annotations

from takedown.urls.rules import Platform, Rule

_COLON = r"(?::|%3A)"
_SERVER = rf"(?P<server>[A-Za-z0-9.\-]+(?:{_COLON}[0-9]{{1,5}})?)"
_LOCAL = r"(?P<local>[A-Za-z0-9._=\-]+)"
_EVENT = r"/(?:\$|%24)(?P<event>[A-Za-z0-9_\-+/=]+)"
_QUERY = r"(?:\?.*)?"
_ELEMENT = ("app.element.io", "develop.element.io", "staging.element.io", "chat.element.io")
_ROOT = "https://matrix.to/#/"


def _room(sigil: str, escaped: str) -> tuple[Rule, Rule]:
    """An event in a room and the room, for rooms named by ``sigil`` (# alias, ! id).

    matrix.to writes ``#/<room>``; Element ``#/room/<room>``."""
    room = f"{sigil}{{local}}:{{server}}"
    where = rf"/(?:room/)?(?:{sigil}|{escaped}){_LOCAL}{_COLON}{_SERVER}"
    return (
        Rule("post", r"", f"{room}/{{event}}", f"{_ROOT}{room}/${{event}}", account=room, id="{event}",
             fragment=where + _EVENT + _QUERY, parents=(f"matrix:account:{room}",), lower=("server",)),
        Rule("account", r"", room, f"{_ROOT}{room}", account=room, id=None, fragment=where + _QUERY, lower=("server",)),
    )  # fmt: skip


PLATFORM = Platform(
    name="matrix",
    hosts=("matrix.to", *_ELEMENT),
    rules=(
        *_room("#", "%23"),
        *_room("!", "%21"),
        Rule("account", r"", "@{local}:{server}", _ROOT + "@{local}:{server}", account="@{local}:{server}", id=None,
             fragment=rf"/(?:user/)?(?:@|%40){_LOCAL}{_COLON}{_SERVER}{_QUERY}", lower=("local", "server")),
    ),
)  # fmt: skip
