"""OK (Odnoklassniki) URL shapes, expected values written by hand (ids invented)."""

SOURCES = {
    "video": "hand-made from ok.ru's video share links and embed code: ok.ru/video/<id>, /videoembed/<id>, /live/<id>",
    "player": "hand-made: the player that ok.ru embeds load, ok.ru/web-api/video/moviePlayer/<id>",
    "layer": "hand-made: the older video layer, ok.ru/dk?st.cmd=movieLayer&st.mvId=<id>",
    "pages": "hand-made from ok.ru's group, topic, profile and video channel pages",
}

N = "1234567890123"
VIDEO = f"ok:post:video/{N}"

CASES = [
    (f"https://ok.ru/video/{N}", VIDEO, N, None, "video"),
    (f"https://m.ok.ru/video/{N}", VIDEO, N, None, "video"),
    (f"https://ok.ru/videoembed/{N}?autoplay=1", VIDEO, N, None, "video"),
    (f"https://ok.ru/live/{N}", VIDEO, N, None, "video"),
    (f"https://ok.ru/web-api/video/moviePlayer/{N}", VIDEO, N, None, "player"),
    (f"https://ok.ru/dk?st.cmd=movieLayer&st.discId={N}&st.mvId={N}", VIDEO, N, None, "layer"),
    ("https://ok.ru/video/c1234567", "ok:collection:video/c1234567", "c1234567", None, "pages"),
    ("https://ok.ru/group/55555555555555/topic/777", "ok:post:topic/777", "777", "group/55555555555555", "pages"),
    ("https://ok.ru/loremipsum", "ok:account:loremipsum", None, "loremipsum", "pages"),
    ("https://ok.ru/profile/5555555555", "ok:account:profile/5555555555", None, "profile/5555555555", "pages"),
]  # fmt: skip
