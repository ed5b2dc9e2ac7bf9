"""Douyin: videos and notes, users (sec_uid); v.douyin.com is a shortener."""

from __future__ import annotations

from takedown.urls.rules import Platform, Rule

PLATFORM = Platform(
    name="douyin",
    hosts=("douyin.com", "iesdouyin.com"),
    shorteners=("v.douyin.com",),
    rules=(
        Rule("post", r"/(?:video|note|share/video|share/note)/(?P<id>[0-9]{8,})", "{id}", "https://www.douyin.com/video/{id}",
             account=None, lower=()),
        Rule("account", r"/(?:share/)?user/(?P<id>[A-Za-z0-9_\-]+)", "{id}", "https://www.douyin.com/user/{id}", account="{id}", lower=()),
    ),
)  # fmt: skip
