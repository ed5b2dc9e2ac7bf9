"""SoundCloud URL shapes, expected values written by hand (names and ids invented)."""

SOURCES = {
    "widget": "SoundCloud Developers, 'HTML5 Widget API': w.soundcloud.com/player/?url=<track, playlist or API URL>",
    "urns": "SoundCloud Developers blog on URN identifiers: API objects as /tracks/soundcloud:tracks:<id>",
    "api": "SoundCloud API reference: api.soundcloud.com/tracks/<id>, /playlists/<id>, /users/<id>",
    "share": "hand-made from SoundCloud's share button: soundcloud.com/<artist>/<track>, /<artist>/sets/<set>",
}

N = "123456789"
TRACK = f"soundcloud:post:tracks/{N}"

CASES = [
    ("https://soundcloud.com/lorem-artist/ipsum-track", "soundcloud:post:lorem-artist/ipsum-track", "ipsum-track", "lorem-artist", "share",
     {"parents": ("soundcloud:account:lorem-artist",)}),
    ("https://soundcloud.com/lorem-artist/sets/ipsum-set", "soundcloud:collection:lorem-artist/sets/ipsum-set", "ipsum-set", "lorem-artist",
     "share"),
    ("https://soundcloud.com/lorem-artist", "soundcloud:account:lorem-artist", None, "lorem-artist", "share"),
    (f"https://w.soundcloud.com/player/?url=https%3A//api.soundcloud.com/tracks/{N}&color=%23ff5500&auto_play=false", TRACK, N, None,
     "widget", {"flags": ("unwrapped_redirect",)}),
    ("https://w.soundcloud.com/player/?url=https%3A%2F%2Fsoundcloud.com%2Florem-artist%2Fipsum-track",
     "soundcloud:post:lorem-artist/ipsum-track", "ipsum-track", "lorem-artist", "widget"),
    ("https://w.soundcloud.com/player/?url=https%3A//api.soundcloud.com/playlists/1234567", "soundcloud:collection:playlists/1234567",
     "1234567", None, "widget"),
    (f"https://api.soundcloud.com/tracks/{N}", TRACK, N, None, "api", {"parents": ()}),
    (f"https://api.soundcloud.com/tracks/soundcloud:tracks:{N}", TRACK, N, None, "urns"),
    (f"https://api-v2.soundcloud.com/tracks/soundcloud%3Atracks%3A{N}", TRACK, N, None, "urns"),
    ("https://api.soundcloud.com/playlists/1234567", "soundcloud:collection:playlists/1234567", "1234567", None, "api"),
    ("https://api.soundcloud.com/users/1234567", "soundcloud:account:users/1234567", "1234567", "users/1234567", "api"),
]  # fmt: skip
