"""Dailymotion URL shapes, expected values written by hand (ids invented)."""

SOURCES = {
    "player": "Dailymotion developer docs, 'Embed': www.dailymotion.com/embed/video/<id> and geo.dailymotion.com/player/<player>.html?video=<id>",
    "share": "hand-made from Dailymotion's share button: dailymotion.com/video/<id>, dai.ly/<id>",
    "swf": "hand-made: the Flash player's dailymotion.com/swf/video/<id> and /swf/<id> in old embed code",
    "family-filter": "hand-made: the family filter's interstitial, dailymotion.com/family_filter?urlback=<path>",
    "pages": "hand-made from dailymotion.com playlist and channel pages",
}

X = "x8abcd1"
POST = f"dailymotion:post:{X}"

CASES = [
    (f"https://www.dailymotion.com/video/{X}", POST, X, None, "share"),
    (f"https://www.dailymotion.com/video/{X}_lorem-ipsum_news", POST, X, None, "share"),
    (f"https://dai.ly/{X}", POST, X, None, "share"),
    (f"https://touch.dailymotion.com/video/{X}", POST, X, None, "share"),
    (f"https://www.dailymotion.com/embed/video/{X}?autoplay=1", POST, X, None, "player"),
    (f"https://geo.dailymotion.com/player/x1abc.html?video={X}", POST, X, None, "player"),
    (f"https://www.dailymotion.com/swf/video/{X}", POST, X, None, "swf"),
    (f"https://www.dailymotion.com/swf/{X}", POST, X, None, "swf"),
    ("https://www.dailymotion.com/playlist/x6abcd", "dailymotion:collection:playlist/x6abcd", "x6abcd", None, "pages"),
    ("https://www.dailymotion.com/loremipsum", "dailymotion:account:loremipsum", None, "loremipsum", "pages"),
    (f"https://www.dailymotion.com/family_filter?urlback=%2Fvideo%2F{X}", POST, X, None, "family-filter"),
    ("https://geo.dailymotion.com/player/x1abc.html?playlist=x6abcd", "dailymotion:collection:playlist/x6abcd", "x6abcd", None, "player"),
    ("https://www.dailymotion.com/user/loremipsum/1", "dailymotion:account:loremipsum", None, "loremipsum", "pages"),
]  # fmt: skip
