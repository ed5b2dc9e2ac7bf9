"""Per-platform tables of real URL shapes (invented names): input -> (platform, kind, key)."""

from __future__ import annotations

import pytest

from takedown.urls import parse
from takedown.urls.registry import platform_names
from takedown.urls.rules import Rule

ISSUE_PLATFORMS = [
    "telegram",
    "youtube",
    "x",
    "facebook",
    "instagram",
    "tiktok",
    "vk",
    "ok",
    "rumble",
    "bitchute",
    "odysee",
    "archive_org",
    "google_drive",
    "dropbox",
    "mega",
    "justpaste",
    "files_fm",
    "top4top",
    "reddit",
    "vimeo",
    "dailymotion",
    "soundcloud",
    "streamable",
    "rutube",
    "gab",
    "gettr",
    "minds",
    "truth_social",
    "kick",
    "bluesky",
    "mixcloud",
    "douyin",
    "tamtam",
    "web",
    # issue 20: platforms that carry this content and were not recognised
    "discord",
    "whatsapp",
    "matrix",
    "signal",
    "threads",
    "viber",
    # the review of issue 20: archive.today snapshots keep their original as parent
    "archive_today",
]

V = "aBcDeFgHi_0"  # an invented 11-character YouTube video id
TABLE: list[tuple[str, str, str, str]] = [
    # telegram
    ("t.me/lorem_news", "telegram", "account", "telegram:account:lorem_news"),
    ("https://t.me/s/Lorem_News", "telegram", "account", "telegram:account:lorem_news"),
    ("https://telegram.me/lorem_news/42", "telegram", "post", "telegram:post:lorem_news/42"),
    ("https://telegram.dog/s/lorem_news/42?single", "telegram", "post", "telegram:post:lorem_news/42"),
    ("https://t.me/lorem_group/7/42", "telegram", "post", "telegram:post:lorem_group/42"),
    ("https://t.me/c/1234567890/42", "telegram", "post", "telegram:post:c/1234567890/42"),
    ("https://t.me/joinchat/AAAAAEx4mpl3", "telegram", "invite", "telegram:invite:AAAAAEx4mpl3"),
    ("https://t.me/+AAAAAEx4mpl3", "telegram", "invite", "telegram:invite:AAAAAEx4mpl3"),
    ("https://t.me/+4915112345678", "telegram", "account", "telegram:account:+4915112345678"),
    ("https://t.me/addstickers/LoremSet", "telegram", "collection", "telegram:collection:addstickers/LoremSet"),
    ("https://lorem_news.t.me/", "telegram", "account", "telegram:account:lorem_news"),
    ("https://t.me/lorem_news/s/3", "telegram", "post", "telegram:post:lorem_news/s/3"),
    # youtube
    (f"https://www.youtube.com/watch?v={V}&feature=share&t=30s", "youtube", "post", f"youtube:post:{V}"),
    (f"https://youtu.be/{V}?si=abc", "youtube", "post", f"youtube:post:{V}"),
    (f"https://m.youtube.com/shorts/{V}", "youtube", "post", f"youtube:post:{V}"),
    (f"https://www.youtube.com/live/{V}", "youtube", "post", f"youtube:post:{V}"),
    (f"https://www.youtube-nocookie.com/embed/{V}", "youtube", "post", f"youtube:post:{V}"),
    (f"https://music.youtube.com/watch?v={V}&list=RDAMVM", "youtube", "post", f"youtube:post:{V}"),
    ("https://www.youtube.com/@LoremChannel/videos", "youtube", "account", "youtube:account:@loremchannel"),
    ("https://www.youtube.com/channel/UCabcdefghijklmnopqrstuv", "youtube", "account", "youtube:account:channel/UCabcdefghijklmnopqrstuv"),
    ("https://www.youtube.com/c/LoremIpsum", "youtube", "account", "youtube:account:c/loremipsum"),
    ("https://www.youtube.com/user/LoremIpsum", "youtube", "account", "youtube:account:user/loremipsum"),
    ("https://www.youtube.com/playlist?list=PLabc123", "youtube", "collection", "youtube:collection:PLabc123"),
    # x
    ("https://twitter.com/LoremIpsum/status/1234567890123", "x", "post", "x:post:1234567890123"),
    ("https://mobile.twitter.com/loremipsum/status/1234567890123/photo/1", "x", "post", "x:post:1234567890123"),
    ("https://x.com/i/web/status/1234567890123", "x", "post", "x:post:1234567890123"),
    ("x.com/LoremIpsum", "x", "account", "x:account:loremipsum"),
    ("https://x.com/i/lists/123", "x", "collection", "x:collection:lists/123"),
    ("https://t.co/AbCdEf", "x", "page", "x:page:t.co/AbCdEf"),
    # facebook
    ("https://www.facebook.com/lorem.page/posts/pfbid0AbC", "facebook", "post", "facebook:post:pfbid0AbC"),
    ("https://m.facebook.com/permalink.php?story_fbid=123&id=456", "facebook", "post", "facebook:post:123"),
    ("https://www.facebook.com/story.php?story_fbid=123&id=456&__tn__=K", "facebook", "post", "facebook:post:123"),
    ("https://www.facebook.com/photo/?fbid=789&set=a.1", "facebook", "post", "facebook:post:photo/789"),
    ("https://www.facebook.com/lorem.page/videos/123456", "facebook", "post", "facebook:post:video/123456"),
    ("https://www.facebook.com/watch/?v=123456", "facebook", "post", "facebook:post:video/123456"),
    ("https://www.facebook.com/reel/123456", "facebook", "post", "facebook:post:video/123456"),
    ("https://www.facebook.com/groups/loremgroup", "facebook", "account", "facebook:account:groups/loremgroup"),
    ("https://web.facebook.com/profile.php?id=100012345", "facebook", "account", "facebook:account:100012345"),
    ("https://www.facebook.com/Lorem.Page", "facebook", "account", "facebook:account:lorem.page"),
    # others
    ("https://www.instagram.com/p/CxAbC12dEf/?igshid=x", "instagram", "post", "instagram:post:CxAbC12dEf"),
    ("https://www.instagram.com/reel/CxAbC12dEf/", "instagram", "post", "instagram:post:CxAbC12dEf"),
    ("https://www.instagram.com/Lorem.Ipsum/", "instagram", "account", "instagram:account:lorem.ipsum"),
    ("https://www.tiktok.com/@lorem.ipsum/video/7234567890123456789?is_from_webapp=1", "tiktok", "post", "tiktok:post:7234567890123456789"),
    ("https://www.tiktok.com/@Lorem.Ipsum", "tiktok", "account", "tiktok:account:lorem.ipsum"),
    ("https://vm.tiktok.com/ZMabc123/", "tiktok", "page", "tiktok:page:vm.tiktok.com/ZMabc123/"),
    ("https://vk.com/wall-12345_678", "vk", "post", "vk:post:wall-12345_678"),
    ("https://vk.com/loremclub?w=wall-12345_678", "vk", "post", "vk:post:wall-12345_678"),
    ("https://vk.com/video-12345_678", "vk", "post", "vk:post:video-12345_678"),
    ("https://m.vk.com/public12345", "vk", "account", "vk:account:club12345"),
    ("https://ok.ru/video/123456789", "ok", "post", "ok:post:video/123456789"),
    ("https://ok.ru/group/5555/topic/777", "ok", "post", "ok:post:topic/777"),
    ("https://rumble.com/v2abcd3-lorem-ipsum.html", "rumble", "post", "rumble:post:v2abcd3"),
    ("https://rumble.com/c/LoremChannel", "rumble", "account", "rumble:account:c/loremchannel"),
    ("https://www.bitchute.com/video/AbCdEf123456/", "bitchute", "post", "bitchute:post:AbCdEf123456"),
    ("https://odysee.com/@Lorem:a/ipsum-video:b", "odysee", "post", "odysee:post:@Lorem/ipsum-video"),
    ("https://archive.org/details/lorem-ipsum-item", "archive_org", "post", "archive_org:post:lorem-ipsum-item"),
    ("https://drive.google.com/file/d/1AbCdEfGhIjKlMnOp/view?usp=sharing", "google_drive", "file", "google_drive:file:1AbCdEfGhIjKlMnOp"),
    ("https://drive.google.com/open?id=1AbCdEfGhIjKlMnOp", "google_drive", "file", "google_drive:file:1AbCdEfGhIjKlMnOp"),
    ("https://drive.google.com/drive/folders/1AbCdEfGhIjKlMnOp", "google_drive", "collection", "google_drive:collection:folder/1AbCdEfGhIjKlMnOp"),
    ("https://www.dropbox.com/s/abc123xyz/lorem.mp4?dl=0", "dropbox", "file", "dropbox:file:s/abc123xyz"),
    ("https://mega.nz/file/AbCd1234#secretkey", "mega", "file", "mega:file:AbCd1234"),
    ("https://mega.nz/#!AbCd1234!secretkey", "mega", "file", "mega:file:AbCd1234"),
    ("https://mega.nz/folder/AbCd1234#secretkey", "mega", "collection", "mega:collection:folder/AbCd1234"),
    ("https://justpaste.it/abc12", "justpaste", "post", "justpaste:post:abc12"),
    ("https://files.fm/u/abc123", "files_fm", "collection", "files_fm:collection:u/abc123"),
    ("https://k.top4top.io/p_1234abcd1.jpg", "top4top", "file", "top4top:file:1234abcd1"),
    ("https://www.reddit.com/r/Lorem/comments/abc123/ipsum_title/", "reddit", "post", "reddit:post:abc123"),
    ("https://old.reddit.com/r/Lorem/comments/abc123/", "reddit", "post", "reddit:post:abc123"),
    ("https://redd.it/abc123", "reddit", "post", "reddit:post:abc123"),
    ("https://www.reddit.com/user/Lorem_Ipsum/", "reddit", "account", "reddit:account:u/lorem_ipsum"),
    ("https://vimeo.com/123456789", "vimeo", "post", "vimeo:post:123456789"),
    ("https://player.vimeo.com/video/123456789?h=abcdef1234", "vimeo", "post", "vimeo:post:123456789"),
    ("https://www.dailymotion.com/video/x8abcd1", "dailymotion", "post", "dailymotion:post:x8abcd1"),
    ("https://dai.ly/x8abcd1", "dailymotion", "post", "dailymotion:post:x8abcd1"),
    ("https://soundcloud.com/lorem-artist/ipsum-track", "soundcloud", "post", "soundcloud:post:lorem-artist/ipsum-track"),
    ("https://soundcloud.com/lorem-artist/sets/ipsum", "soundcloud", "collection", "soundcloud:collection:lorem-artist/sets/ipsum"),
    ("https://streamable.com/abc12", "streamable", "post", "streamable:post:abc12"),
    ("https://rutube.ru/video/0123456789abcdef0123456789abcdef/", "rutube", "post", "rutube:post:0123456789abcdef0123456789abcdef"),
    ("https://gab.com/LoremIpsum/posts/110123456789", "gab", "post", "gab:post:110123456789"),
    ("https://gettr.com/post/p1abcde2", "gettr", "post", "gettr:post:p1abcde2"),
    ("https://www.minds.com/newsfeed/1234567890", "minds", "post", "minds:post:1234567890"),
    ("https://truthsocial.com/@LoremIpsum/posts/110123456789", "truth_social", "post", "truth_social:post:110123456789"),
    ("https://kick.com/lorem-ipsum", "kick", "account", "kick:account:lorem-ipsum"),
    ("https://bsky.app/profile/lorem.bsky.social/post/3kabc2def", "bluesky", "post", "bluesky:post:lorem.bsky.social/3kabc2def"),
    ("https://www.mixcloud.com/LoremDJ/ipsum-mix/", "mixcloud", "post", "mixcloud:post:loremdj/ipsum-mix"),
    ("https://www.douyin.com/video/7234567890123456789", "douyin", "post", "douyin:post:7234567890123456789"),
    ("https://tt.me/loremchannel", "tamtam", "account", "tamtam:account:loremchannel"),
    ("https://tamtam.chat/join/AbCdEf", "tamtam", "invite", "tamtam:invite:AbCdEf"),
    ("https://discord.gg/LoremIpsum", "discord", "invite", "discord:invite:LoremIpsum"),
    ("https://chat.whatsapp.com/AbCdEfGhIjKlMnOpQrStUv", "whatsapp", "invite", "whatsapp:invite:AbCdEfGhIjKlMnOpQrStUv"),
    ("https://matrix.to/#/#lorem:matrix.org", "matrix", "account", "matrix:account:#lorem:matrix.org"),
    ("https://signal.group/#CjQKIExampleLoremIpsumDolorSitAmet0123", "signal", "invite", "signal:invite:CjQKIExampleLoremIpsumDolorSitAmet0123"),
    ("https://www.threads.net/@lorem.ipsum/post/C1AbCdEfGhI", "threads", "post", "threads:post:C1AbCdEfGhI"),
    ("https://invite.viber.com/?g2=AQBLoremIpsumDolor", "viber", "invite", "viber:invite:AQBLoremIpsumDolor"),
    # web, shorteners, wrappers
    ("https://www.lorem-ipsum.example.co.uk/a/b?utm_source=x&b=2&a=1", "web", "page", "web:page:lorem-ipsum.example.co.uk/a/b?a=1&b=2"),
    ("http://Lorem.Blogspot.com/", "web", "site", "web:site:lorem.blogspot.com"),
    ("https://bit.ly/3AbCdEf", "web", "page", "web:page:bit.ly/3AbCdEf"),
    ("https://l.facebook.com/l.php?u=https%3A%2F%2Ft.me%2Florem_news%2F42&h=AT0", "telegram", "post", "telegram:post:lorem_news/42"),
    ("https://www.google.com/url?q=https://youtu.be/" + V + "&sa=D", "youtube", "post", f"youtube:post:{V}"),
    ("https://t.me/iv?url=https%3A%2F%2Florem.example%2Fa&rhash=1", "web", "page", "web:page:lorem.example/a"),
    ("https://out.reddit.com/t3_abc?url=https%3A%2F%2Fipsum.example%2F&token=x", "web", "site", "web:site:ipsum.example"),
    ("https://web.archive.org/web/20240101000000/https://t.me/lorem_news/42", "archive_org", "page",
     "archive_org:page:web/20240101000000/telegram:post:lorem_news/42"),
    ("https://archive.ph/20240101000000/https://t.me/lorem_news/42", "archive_today", "page",
     "archive_today:page:20240101000000/telegram:post:lorem_news/42"),
]  # fmt: skip


def test_every_platform_of_the_issue_is_registered() -> None:
    assert sorted(platform_names()) == sorted(ISSUE_PLATFORMS)


def test_every_platform_has_a_shape_in_the_table() -> None:
    assert {row[1] for row in TABLE} == set(ISSUE_PLATFORMS)


@pytest.mark.parametrize(("text", "platform", "kind", "key"), TABLE, ids=[row[0] for row in TABLE])
def test_platform_shapes(text: str, platform: str, kind: str, key: str) -> None:
    ref = parse(text)
    assert (ref.platform, ref.kind, ref.key) == (platform, kind, key)
    again = parse(ref.canonical_url)
    assert (again.key, again.canonical_url) == (ref.key, ref.canonical_url)


def test_telegram_post_fields_and_parent() -> None:
    ref = parse("https://t.me/s/Lorem_News/42?embed=1#top")
    assert ref.as_dict() == {
        "input": "https://t.me/s/Lorem_News/42?embed=1#top",
        "ok": True,
        "canonical_url": "https://t.me/lorem_news/42",
        "platform": "telegram",
        "kind": "post",
        "account": "lorem_news",
        "id": "42",
        "key": "telegram:post:lorem_news/42",
        "parents": ["telegram:account:lorem_news"],
        "flags": [],
    }


def test_seven_spellings_of_one_telegram_post_make_one_key() -> None:
    spellings = [
        "t.me/lorem_news/42",
        "https://t.me/Lorem_News/42",
        "HTTPS://T.ME/s/lorem_news/42/",
        "http://telegram.me/lorem_news/42?single",
        "https://telegram.dog/lorem_news/42#comments",
        "https://www.t.me/lorem_news/42?utm_source=unit",
        "https://user:secret@t.me/lorem_news/42",
    ]
    assert {parse(s).key for s in spellings} == {"telegram:post:lorem_news/42"}


def test_different_posts_never_merge() -> None:
    keys = {parse(u).key for u in ("t.me/lorem/1", "t.me/lorem/2", "t.me/ipsum/1", "t.me/c/1/1")}
    assert len(keys) == 4


def test_shortener_is_flagged_for_resolution() -> None:
    assert "needs_resolution" in parse("https://bit.ly/3AbCdEf").flags


def test_archive_keeps_the_original_as_parent() -> None:
    ref = parse("https://web.archive.org/web/20240101000000id_/https://t.me/lorem_news/42")
    assert ref.platform == "archive_org"
    assert ref.parents[0] == "telegram:post:lorem_news/42"
    assert (
        ref.canonical_url == "https://web.archive.org/web/20240101000000/https://t.me/lorem_news/42"
    )


def test_web_account_is_the_registrable_domain() -> None:
    assert parse("https://news.lorem.example.co.uk/a").account == "example.co.uk"


def test_a_rule_refuses_a_lowercase_group_it_does_not_have() -> None:
    with pytest.raises(ValueError, match="lowercase group 'kind' is unknown"):
        Rule("post", r"/(?P<id>[0-9]+)", "{id}", "https://lorem.example/{id}", lowercase=("kind",))
