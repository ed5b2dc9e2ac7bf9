"""Rutube URL shapes, expected values written by hand (ids invented)."""

SOURCES = {
    "video": "hand-made from rutube.ru's share dialog: rutube.ru/video/<32 hex>/, /shorts/<32 hex>/, private links with ?p=",
    "embed": "hand-made from rutube.ru's embed code: rutube.ru/play/embed/<32 hex>; older embeds rutube.ru/embed/<id> and by number",
    "live": "hand-made: live broadcasts at rutube.ru/live/video/<32 hex>/",
    "pages": "hand-made from rutube.ru channel and playlist pages: /channel/<n>/, /video/person/<n>/, /plst/<n>/",
}

H = "0123456789abcdef0123456789abcdef"
POST = f"rutube:post:{H}"

CASES = [
    (f"https://rutube.ru/video/{H}/", POST, H, None, "video"),
    (f"https://rutube.ru/video/{H.upper()}/?r=wd", POST, H, None, "video"),
    (f"https://rutube.ru/shorts/{H}/", POST, H, None, "video"),
    (f"https://rutube.ru/video/private/{H}/?p=AbCdEf", POST, H, None, "video"),
    (f"https://rutube.ru/play/embed/{H}", POST, H, None, "embed"),
    (f"https://rutube.ru/embed/{H}", POST, H, None, "embed"),
    ("https://rutube.ru/play/embed/6722881", "rutube:post:embed/6722881", "6722881", None, "embed"),
    (f"https://rutube.ru/live/video/{H}/", POST, H, None, "live"),
    ("https://rutube.ru/channel/25902603/", "rutube:account:channel/25902603", "25902603", "25902603", "pages"),
    ("https://rutube.ru/video/person/25902603/", "rutube:account:channel/25902603", "25902603", "25902603", "pages"),
    ("https://rutube.ru/plst/123456/", "rutube:collection:plst/123456", "123456", None, "pages"),
    ("https://rutube.ru/pl/?pl_id=123456&pl_type=source", "rutube:collection:plst/123456", "123456", None, "pages"),
]  # fmt: skip
