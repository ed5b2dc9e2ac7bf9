"""Facebook URL shapes, expected values written by hand (names and ids invented)."""

SOURCES = {
    "share": "hand-made from Facebook's 'Copy link' on posts, videos, albums and pages",
    "plugins": "Meta for Developers, 'Embedded Video Player', 'Embedded Posts' and 'Share Dialog': facebook.com/plugins/video.php?href=<URL>, /sharer/sharer.php?u=<URL>",
    "login": "hand-made: facebook.com/login/?next=<URL>, where a signed-out visitor lands",
    "onion": "Facebook's onion services: facebookcorewwwi.onion (2014) and facebookwkhpilnemxj7asaniu7vnjjbiltxjqhye3mhbshg7kx5tfyd.onion (v3)",
    "hostless": "issue 20: profile.php?id=… and permalink.php?… pasted without a host are Facebook's alone; other host-less paths are refused",
    "link-shim": "hand-made from Facebook's outbound link checks: l.facebook.com/l.php?u=<URL> (lm. on mobile) and the warning page facebook.com/flx/warn/?u=<URL>",
    "capitals": "hand-made: a link written in capitals, as a QR code's alphanumeric mode (no lowercase letters) or caps lock leaves it",
}

ONION = "facebookwkhpilnemxj7asaniu7vnjjbiltxjqhye3mhbshg7kx5tfyd.onion"
PAGE = "facebook:account:lorem.page"

CASES = [
    ("https://www.facebook.com/lorem.page/posts/pfbid02AbCdEf", "facebook:post:pfbid02AbCdEf", "pfbid02AbCdEf", "lorem.page", "share",
     {"parents": (PAGE,)}),
    ("https://www.facebook.com/permalink.php?story_fbid=1234567890&id=100012345", "facebook:post:1234567890", "1234567890", "100012345",
     "share"),
    ("permalink.php?story_fbid=1234567890&id=100012345", "facebook:post:1234567890", "1234567890", "100012345", "hostless"),
    ("profile.php?id=100012345", "facebook:account:100012345", "100012345", "100012345", "hostless"),
    ("/profile.php?id=100012345", "facebook:account:100012345", "100012345", "100012345", "hostless"),
    ("https://www.facebook.com/plugins/video.php?href=https%3A%2F%2Fwww.facebook.com%2Florem.page%2Fvideos%2F123456789%2F&show_text=0",
     "facebook:post:video/123456789", "123456789", "lorem.page", "plugins", {"flags": ("unwrapped_redirect",)}),
    (f"https://www.{ONION}/lorem.page/posts/pfbid02AbCdEf", "facebook:post:pfbid02AbCdEf", "pfbid02AbCdEf", "lorem.page", "onion"),
    (f"https://m.{ONION}/profile.php?id=100012345", "facebook:account:100012345", "100012345", "100012345", "onion"),
    ("https://facebookcorewwwi.onion/lorem.page", PAGE, None, "lorem.page", "onion"),
    ("https://www.facebook.com/login/?next=https%3A%2F%2Fwww.facebook.com%2Fgroups%2Floremgroup%2Fposts%2F1234567890%2F",
     "facebook:post:1234567890", "1234567890", "groups/loremgroup", "login"),
    ("https://www.facebook.com/media/set/?set=a.1234567890&type=3", "facebook:collection:set/a.1234567890", "a.1234567890", None, "share"),
    ("https://www.facebook.com/watch/?v=1234567890", "facebook:post:video/1234567890", "1234567890", None, "share"),
    ("https://www.facebook.com/hashtag/loremipsum", "facebook:collection:hashtag/loremipsum", "loremipsum", None, "share"),
    ("https://www.facebook.com/watch/live/?v=1234567890", "facebook:post:video/1234567890", "1234567890", None, "share"),
    ("https://www.facebook.com/video/embed?video_id=1234567890", "facebook:post:video/1234567890", "1234567890", None, "plugins"),
    ("https://www.facebook.com/video.php?v=1234567890&fref=nf", "facebook:post:video/1234567890", "1234567890", None, "share"),
    ("https://www.facebook.com/groups/loremgroup/?multi_permalinks=1234567890&ref=share", "facebook:post:1234567890", "1234567890",
     "groups/loremgroup", "share", {"parents": ("facebook:account:groups/loremgroup",)}),
    ("https://www.facebook.com/sharer/sharer.php?u=https%3A%2F%2Ft.me%2Florem_news%2F42", "telegram:post:lorem_news/42", "42", "lorem_news",
     "plugins"),
    ("https://www.facebook.com/notes/lorem-page/lorem-title/1234567890/", "facebook:post:note/1234567890", "1234567890", None, "share"),
    ("https://www.facebook.com/marketplace/item/1234567890/", "facebook:post:marketplace/1234567890", "1234567890", None, "share"),
    ("https://www.facebook.com/flx/warn/?u=https%3A%2F%2Ft.me%2Florem_news%2F42&h=AT0AbC", "telegram:post:lorem_news/42", "42", "lorem_news",
     "link-shim", {"flags": ("unwrapped_redirect",)}),
    ("https://m.facebook.com/flx/warn/?u=https%3A%2F%2Ft.me%2Florem_news%2F42", "telegram:post:lorem_news/42", "42", "lorem_news",
     "link-shim"),
    ("https://lm.facebook.com/l.php?u=https%3A%2F%2Ft.me%2Florem_news%2F42&h=AT0AbC", "telegram:post:lorem_news/42", "42", "lorem_news",
     "link-shim"),
    ("https://l.facebook.com/l.php?u=https%3A%2F%2Ft.me%2Florem_news%2F42&h=AT0AbC", "telegram:post:lorem_news/42", "42", "lorem_news",
     "link-shim"),
    ("HTTPS://WWW.FACEBOOK.COM/LOREM.PAGE/POSTS/1234567890", "facebook:post:1234567890", "1234567890", "lorem.page", "capitals",
     {"parents": (PAGE,)}),
    ("HTTPS://WWW.FACEBOOK.COM/WATCH/?V=1234567890", "facebook:post:video/1234567890", "1234567890", None, "capitals"),
]  # fmt: skip

REFUSED = [
    ("story.php?story_fbid=1234567890&id=100012345", "no host", "hostless"),
]
