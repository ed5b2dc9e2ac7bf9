"""Matrix (and Element) URL shapes, expected values written by hand (names and ids invented)."""

SOURCES = {
    "matrix-to": "Matrix Specification, Appendices, 'matrix.to navigation': https://matrix.to/#/<identifier>, #alias:server, !room:server, @user:server, <room>/$<event>, ?via=",
    "uri": "Matrix Specification, Appendices, 'matrix: URI scheme': matrix:r/<alias>:<server>, matrix:roomid/<id>:<server>[/e/<event>], matrix:u/<user>:<server>",
    "element": "hand-made from Element's web app links: app.element.io/#/room/<room>[/$<event>], app.element.io/#/user/<user>",
}

ROOM = "matrix:account:#lorem:matrix.org"

CASES = [
    ("https://matrix.to/#/#lorem:matrix.org", ROOM, None, "#lorem:matrix.org", "matrix-to"),
    ("https://matrix.to/#/%23lorem%3Amatrix.org", ROOM, None, "#lorem:matrix.org", "matrix-to"),
    ("https://matrix.to/#/#lorem:Matrix.org?via=matrix.org", ROOM, None, "#lorem:matrix.org", "matrix-to"),
    ("https://matrix.to/#/!AbCdEfGhIj:matrix.org?via=matrix.org", "matrix:account:!AbCdEfGhIj:matrix.org", None, "!AbCdEfGhIj:matrix.org",
     "matrix-to"),
    ("https://matrix.to/#/#lorem:matrix.org/$AbCdEf123?via=matrix.org", "matrix:post:#lorem:matrix.org/AbCdEf123", "AbCdEf123",
     "#lorem:matrix.org", "matrix-to", {"parents": (ROOM,)}),
    ("https://matrix.to/#/@lorem:matrix.org", "matrix:account:@lorem:matrix.org", None, "@lorem:matrix.org", "matrix-to"),
    ("https://app.element.io/#/room/#lorem:matrix.org", ROOM, None, "#lorem:matrix.org", "element"),
    ("https://app.element.io/#/room/!AbCdEfGhIj:matrix.org/$AbCdEf123", "matrix:post:!AbCdEfGhIj:matrix.org/AbCdEf123", "AbCdEf123",
     "!AbCdEfGhIj:matrix.org", "element"),
    ("https://app.element.io/#/user/@lorem:matrix.org", "matrix:account:@lorem:matrix.org", None, "@lorem:matrix.org", "element"),
    ("matrix:r/lorem:matrix.org", ROOM, None, "#lorem:matrix.org", "uri"),
    ("matrix:roomid/AbCdEfGhIj:matrix.org/e/AbCdEf123?via=matrix.org", "matrix:post:!AbCdEfGhIj:matrix.org/AbCdEf123", "AbCdEf123",
     "!AbCdEfGhIj:matrix.org", "uri"),
    ("matrix:u/lorem:matrix.org?action=chat", "matrix:account:@lorem:matrix.org", None, "@lorem:matrix.org", "uri"),
]  # fmt: skip

REFUSED = [
    ("matrix:x", "names no room", "uri"),
]
