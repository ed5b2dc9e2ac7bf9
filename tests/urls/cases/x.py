"""X (Twitter) URL shapes, expected values written by hand (names and ids invented)."""

SOURCES = {
    "permalink": "X Help, 'How to share a post' (Copy link): x.com/<user>/status/<id>, with /photo/<n>, /video/<n>",
    "hashbang": "hand-made: twitter.com/#!/<user>/status/<id>, the hash-bang URLs of 2010-2012 still found in old reports",
    "handle": "hand-made: @handle written into the path (x.com/@<user>), as people paste a handle",
    "intents": "X Developer Platform, 'Web Intents': intent/tweet?in_reply_to=, intent/like?tweet_id=, intent/user?screen_name=|user_id=",
    "embed": "X for Websites, 'Embedded Posts': platform.twitter.com/embed/Tweet.html?id=<id>",
    "lists": "X Help, 'How to use X Lists': x.com/i/lists/<id>; the older twitter.com/<user>/lists/<slug>",
    "i-pages": "hand-made from x.com's own pages: /i/web/status/<id>, /statuses/<id>, /i/user/<id>, /i/communities/, /i/spaces/, /i/events/, /hashtag/",
    "login": "hand-made: x.com/i/flow/login?redirect_after_login=<path>, where a signed-out visitor lands",
    "nitter": "Nitter wiki, 'Instances' (github.com/zedeus/nitter/wiki/Instances): X's paths on another host",
    "fixers": "hand-made: embed fixers (fxtwitter.com, vxtwitter.com, fixupx.com) serve X's paths under their host",
    "onion": "X's onion service, announced 2022-03-08 (twitter3e4tixl4xyajtrzo62zg5vztmjuricljdp2c5kshju4avyoid.onion)",
    "shortener": "X Help, 'About t.co': every link in a post is wrapped as t.co/<code>",
}

N = "1790000000000000001"  # an invented post id
POST = f"x:post:{N}"
ACCOUNT = "x:account:loremipsum"
ONION = "twitter3e4tixl4xyajtrzo62zg5vztmjuricljdp2c5kshju4avyoid.onion"

CASES = [
    (f"https://x.com/LoremIpsum/status/{N}", POST, N, "loremipsum", "permalink", {"parents": (ACCOUNT,)}),
    (f"https://mobile.twitter.com/LoremIpsum/status/{N}/video/1", POST, N, "loremipsum", "permalink"),
    (f"https://twitter.com/LoremIpsum/status/{N}/photo/2?s=20", POST, N, "loremipsum", "permalink"),
    (f"https://twitter.com/#!/LoremIpsum/status/{N}", POST, N, "loremipsum", "hashbang"),
    ("https://twitter.com/#!/LoremIpsum", ACCOUNT, None, "loremipsum", "hashbang"),
    ("https://x.com/@LoremIpsum", ACCOUNT, None, "loremipsum", "handle"),
    (f"https://twitter.com/@LoremIpsum/status/{N}", POST, N, "loremipsum", "handle"),
    ("https://x.com/LoremIpsum/media", ACCOUNT, None, "loremipsum", "permalink"),
    (f"https://x.com/i/web/status/{N}", POST, N, None, "i-pages"),
    (f"https://twitter.com/statuses/{N}", POST, N, None, "i-pages"),
    ("https://x.com/i/user/12345678", "x:account:id/12345678", "12345678", "id/12345678", "i-pages"),
    (f"https://x.com/intent/tweet?in_reply_to={N}", POST, N, None, "intents"),
    (f"https://twitter.com/intent/like?tweet_id={N}", POST, N, None, "intents"),
    (f"https://twitter.com/intent/retweet?tweet_id={N}", POST, N, None, "intents"),
    ("https://twitter.com/intent/user?screen_name=LoremIpsum", ACCOUNT, None, "loremipsum", "intents"),
    ("https://twitter.com/intent/user?user_id=12345678", "x:account:id/12345678", "12345678", "id/12345678", "intents"),
    (f"https://platform.twitter.com/embed/Tweet.html?id={N}&theme=dark", POST, N, None, "embed"),
    ("https://x.com/i/lists/1234567890", "x:collection:lists/1234567890", "1234567890", None, "lists"),
    ("https://twitter.com/LoremIpsum/lists/lorem-list", "x:collection:lists/loremipsum/lorem-list", "lorem-list", "loremipsum", "lists",
     {"parents": (ACCOUNT,)}),
    ("https://x.com/i/communities/1234567890", "x:collection:communities/1234567890", "1234567890", None, "i-pages"),
    ("https://x.com/i/events/1234567890", "x:collection:events/1234567890", "1234567890", None, "i-pages"),
    ("https://x.com/i/spaces/1AbCdEfGhIjKl", "x:post:spaces/1AbCdEfGhIjKl", "1AbCdEfGhIjKl", None, "i-pages"),
    ("https://x.com/hashtag/LoremIpsum", "x:collection:hashtag/loremipsum", "loremipsum", None, "i-pages"),
    (f"https://x.com/i/flow/login?redirect_after_login=%2FLoremIpsum%2Fstatus%2F{N}", POST, N, "loremipsum", "login",
     {"flags": ("unwrapped_redirect",)}),
    (f"https://nitter.net/LoremIpsum/status/{N}#m", POST, N, "loremipsum", "nitter", {"flags": ("mirror",)}),
    ("https://nitter.privacydev.net/LoremIpsum", ACCOUNT, None, "loremipsum", "nitter", {"flags": ("mirror",)}),
    (f"https://nitter.lorem.example/LoremIpsum/status/{N}", POST, N, "loremipsum", "nitter", {"flags": ("mirror",)}),
    ("https://nitter.net/search?q=lorem", "web:page:nitter.net/search?q=lorem", None, "nitter.net", "nitter"),
    (f"https://fxtwitter.com/LoremIpsum/status/{N}", POST, N, "loremipsum", "fixers", {"flags": ("mirror",)}),
    (f"https://vxtwitter.com/LoremIpsum/status/{N}", POST, N, "loremipsum", "fixers", {"flags": ("mirror",)}),
    (f"https://{ONION}/LoremIpsum/status/{N}", POST, N, "loremipsum", "onion"),
    ("https://t.co/AbCdEf1234", "x:page:t.co/AbCdEf1234", "AbCdEf1234", None, "shortener", {"flags": ("needs_resolution",)}),
    (f"https://api.twitter.com/LoremIpsum/status/{N}", POST, N, "loremipsum", "permalink"),
]  # fmt: skip
