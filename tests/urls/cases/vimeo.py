"""Vimeo URL shapes, expected values written by hand (names and ids invented)."""

SOURCES = {
    "embed": "Vimeo Help, 'Embedding videos': player.vimeo.com/video/<id>?h=<hash>",
    "unlisted": "Vimeo Help, 'Unlisted videos': vimeo.com/<id>/<hash>",
    "showcase": "Vimeo Help, 'Showcases' (formerly albums): vimeo.com/showcase/<id>, vimeo.com/album/<id>, and a video in one",
    "moogaloop": "hand-made: the Flash player vimeo.com/moogaloop.swf?clip_id=<id> in old embed code",
    "vimeopro": "Vimeo Help, 'Vimeo Portfolios' (formerly Vimeo PRO): vimeopro.com/<user>/<portfolio>, with /video/<id>",
    "users": "hand-made from vimeo.com profile pages: vimeo.com/<name>, vimeo.com/user<digits>, their /videos tab",
    "review": "Vimeo Help, 'Review pages': vimeo.com/<user>/review/<id>/<hash>",
    "pages": "hand-made from vimeo.com channel, group, On Demand and event pages",
}

N = "123456789"
POST = f"vimeo:post:{N}"

CASES = [
    (f"https://vimeo.com/{N}", POST, N, None, "embed"),
    (f"https://player.vimeo.com/video/{N}?h=abcdef1234", POST, N, None, "embed"),
    (f"https://vimeo.com/{N}/abcdef1234", POST, N, None, "unlisted"),
    (f"https://vimeo.com/album/2838732/video/{N}", POST, N, None, "showcase"),
    (f"https://vimeo.com/showcase/2838732/video/{N}", POST, N, None, "showcase"),
    ("https://vimeo.com/showcase/2838732", "vimeo:collection:showcase/2838732", "2838732", None, "showcase"),
    ("https://vimeo.com/album/2838732", "vimeo:collection:showcase/2838732", "2838732", None, "showcase"),
    (f"https://vimeo.com/moogaloop.swf?clip_id={N}&server=vimeo.com", POST, N, None, "moogaloop"),
    (f"https://vimeo.com/channels/staffpicks/{N}", POST, N, None, "pages"),
    (f"https://vimeo.com/groups/loremgroup/videos/{N}", POST, N, None, "pages"),
    (f"https://vimeo.com/ondemand/loremfilm/{N}", POST, N, None, "pages"),
    ("https://vimeo.com/channels/staffpicks", "vimeo:collection:channels/staffpicks", "staffpicks", None, "pages"),
    ("https://vimeo.com/event/1234567", "vimeo:post:event/1234567", "1234567", None, "pages"),
    ("https://vimeo.com/user12345678", "vimeo:account:user12345678", None, "user12345678", "users"),
    ("https://vimeo.com/LoremIpsum/videos", "vimeo:account:loremipsum", None, "loremipsum", "users"),
    (f"https://vimeo.com/loremipsum/review/{N}/abcdef1234", POST, N, "loremipsum", "review"),
    (f"https://vimeopro.com/loremipsum/lorem-portfolio/video/{N}", POST, N, "loremipsum", "vimeopro"),
    ("https://vimeopro.com/loremipsum/lorem-portfolio", "vimeo:collection:vimeopro/loremipsum/lorem-portfolio", "lorem-portfolio",
     "loremipsum", "vimeopro"),
    (f"https://vimeo.com/manage/videos/{N}", POST, N, None, "pages"),
]  # fmt: skip
