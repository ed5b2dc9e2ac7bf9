"""Streamable, Minds, Rumble and BitChute URL shapes, expected values written by hand (ids invented)."""

SOURCES = {
    "streamable": "hand-made from Streamable's share and embed code: streamable.com/<id>, /e/<id>, /o/<id>, /s/<id>/<token>",
    "minds": "hand-made from minds.com links: /newsfeed/<id>, /media/<id>, /<user>/blog/<slug>-<id>, /<user>, /group/<id>/feed",
    "rumble": "hand-made from Rumble's share and embed code: rumble.com/<v-id>-<slug>.html, /embed/<v-id>/?pub=…, /embed/<pub>.<v-id>/, embedJS",
    "bitchute": "hand-made from bitchute.com links: /video/<id>/, /embed/<id>/, /torrent/<seed>/<id>.torrent, /channel/<name>/",
    "bitchute-torrent": "review of issue 20: a video's torrent without the seed segment, bitchute.com/torrent/<id>/ and /torrent/<id>.torrent",
}

CASES = [
    ("https://streamable.com/abc12", "streamable:post:abc12", "abc12", None, "streamable"),
    ("https://streamable.com/e/abc12?autoplay=1", "streamable:post:abc12", "abc12", None, "streamable"),
    ("https://streamable.com/o/abc12", "streamable:post:abc12", "abc12", None, "streamable"),
    ("https://streamable.com/s/abc12/xyzabc", "streamable:post:abc12", "abc12", None, "streamable"),
    ("https://www.minds.com/newsfeed/1234567890123456789", "minds:post:1234567890123456789", "1234567890123456789", None, "minds"),
    ("https://www.minds.com/media/1234567890123456789", "minds:post:1234567890123456789", "1234567890123456789", None, "minds"),
    ("https://www.minds.com/loremipsum/blog/lorem-title-1234567890123456789", "minds:post:1234567890123456789", "1234567890123456789",
     "loremipsum", "minds"),
    ("https://www.minds.com/loremipsum", "minds:account:loremipsum", None, "loremipsum", "minds"),
    ("https://www.minds.com/group/1234567890123456789/feed", "minds:account:group/1234567890123456789", "1234567890123456789",
     "group/1234567890123456789", "minds"),
    ("https://rumble.com/v2abcd3-lorem-ipsum.html", "rumble:post:v2abcd3", "v2abcd3", None, "rumble"),
    ("https://rumble.com/embed/v2abcd3/?pub=4", "rumble:post:v2abcd3", "v2abcd3", None, "rumble"),
    ("https://rumble.com/embed/u2q643.v2abcd3/", "rumble:post:v2abcd3", "v2abcd3", None, "rumble"),
    ("https://rumble.com/embedJS/u3/?request=video&ver=2&v=v2abcd3", "rumble:post:v2abcd3", "v2abcd3", None, "rumble"),
    ("https://rumble.com/c/LoremChannel", "rumble:account:c/loremchannel", None, "loremchannel", "rumble"),
    ("https://rumble.com/user/LoremUser/videos", "rumble:account:user/loremuser", None, "loremuser", "rumble"),
    ("https://www.bitchute.com/video/AbCdEf123456/", "bitchute:post:AbCdEf123456", "AbCdEf123456", None, "bitchute"),
    ("https://www.bitchute.com/embed/AbCdEf123456/", "bitchute:post:AbCdEf123456", "AbCdEf123456", None, "bitchute"),
    ("https://old.bitchute.com/video/AbCdEf123456/", "bitchute:post:AbCdEf123456", "AbCdEf123456", None, "bitchute"),
    ("https://www.bitchute.com/torrent/SeedAbCd1234/AbCdEf123456.torrent", "bitchute:post:AbCdEf123456", "AbCdEf123456", None, "bitchute"),
    ("https://www.bitchute.com/channel/loremchannel/", "bitchute:account:channel/loremchannel", None, "loremchannel", "bitchute"),
    ("https://www.bitchute.com/torrent/AbCdEf123456/", "bitchute:post:AbCdEf123456", "AbCdEf123456", None, "bitchute-torrent"),
    ("https://www.bitchute.com/torrent/AbCdEf123456.torrent", "bitchute:post:AbCdEf123456", "AbCdEf123456", None, "bitchute-torrent"),
    ("https://www.bitchute.com/torrent/AbCdEf123456.webtorrent", "bitchute:post:AbCdEf123456", "AbCdEf123456", None, "bitchute-torrent"),
    ("https://www.minds.com/groups/profile/1234567890123456789/feed", "minds:account:group/1234567890123456789", "1234567890123456789",
     "group/1234567890123456789", "minds"),
]  # fmt: skip
