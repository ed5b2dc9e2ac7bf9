"""The simulated world: virtual platforms (told apart by Host header) and their items."""

from __future__ import annotations

import json
import os
import random
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path


class State(StrEnum):
    LIVE = "live"
    REMOVED = "removed"
    GEO_BLOCKED = "geo_blocked"
    SUSPENDED = "suspended"
    REINSTATED = "reinstated"
    NOTICE = "notice"  # serves the platform's unavailable page with ``Item.notice`` as text


class Fault(StrEnum):
    TIMEOUT = "timeout"  # never answers
    SLOW = "slow"  # headers at once, then the body a few bytes at a time
    BURST_5XX = "burst_5xx"  # the first ``Item.burst`` requests get 503, then normal
    ERROR_5XX = "error_5xx"  # always 500
    RATE_429 = "rate_429"  # the first request gets 429 with Retry-After: 1
    RATE_429_LONG = "rate_429_long"  # always 429 with Retry-After: 3600
    REDIRECT_LOOP = "redirect_loop"
    REDIRECT_CHAIN = "redirect_chain"  # 30 hops
    HUGE = "huge"  # 20 MB of filler; the removal notice only at the very end
    FLAPPING = "flapping"  # live and removed on alternate requests
    CAPTCHA = "captcha"
    LOGIN = "login"  # redirect to the platform's login page
    RESET = "reset"  # drops the connection without an answer
    COOKIE_WALL = "cookie_wall"  # redirects to itself with a cookie until the cookie comes back
    POISONED_REDIRECT = "poisoned_redirect"  # a Location that is no URL: http://a..b/


# platform name -> the virtual host that serves it
HOSTS: dict[str, str] = {
    "telegram": "t.me",
    "youtube": "www.youtube.com",
    "x": "x.com",
    "facebook": "www.facebook.com",
    "instagram": "www.instagram.com",
    "tiktok": "www.tiktok.com",
    "vk": "vk.com",
    "rumble": "rumble.com",
    "archive_org": "archive.org",
    "vimeo": "vimeo.com",
    "ok_ru": "ok.ru",
    "filehost": "files.example",
    "shortener": "bit.ly",
}
PLATFORM_OF_HOST = {host: name for name, host in HOSTS.items()}


@dataclass
class Item:
    platform: str
    kind: str  # post, channel, video, file, link
    path: str  # request target on the platform's host, query included
    state: State = State.LIVE
    fault: Fault | None = None
    notice: str | None = None
    target: str | None = None  # shortener: where the link points
    burst: int = 2
    aliases: tuple[str, ...] = ()
    requests: int = 0

    @property
    def host(self) -> str:
        return HOSTS[self.platform]

    @property
    def url(self) -> str:
        return f"http://{self.host}{self.path}"


def _ident(
    rng: random.Random, n: int, alphabet: str = "abcdefghijklmnopqrstuvwxyz0123456789"
) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def item_shape(platform: str, rng: random.Random) -> Item:
    """A new live item with a URL in the platform's real shape (invented names)."""
    name = "chan_" + _ident(rng, 8)
    num = rng.randrange(1, 10**6)
    if platform == "telegram":
        if rng.random() < 0.2:
            return Item(platform, "channel", f"/s/{name}", aliases=(f"/{name}",))
        return Item(platform, "post", f"/{name}/{num}", aliases=(f"/s/{name}/{num}",))
    if platform == "youtube":
        vid = _ident(rng, 11, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")
        return Item(platform, "video", f"/watch?v={vid}")
    shapes = {
        "x": ("post", f"/{name}/status/{rng.randrange(10**17, 10**18)}"),
        "facebook": ("post", f"/{name}/posts/{num}"),
        "instagram": ("post", f"/p/{_ident(rng, 11)}/"),
        "tiktok": ("video", f"/@{name}/video/{rng.randrange(10**18, 10**19)}"),
        "vk": ("video", f"/video-{num}_{rng.randrange(10**8, 10**9)}"),
        "rumble": ("video", f"/v{_ident(rng, 6)}-lorem-ipsum.html"),
        "archive_org": ("item", f"/details/{name}"),
        "vimeo": ("video", f"/{num}"),
        "ok_ru": ("video", f"/video/{num}"),
        "filehost": ("file", f"/f/{_ident(rng, 10)}/lorem.pdf"),
        "shortener": ("link", f"/{_ident(rng, 7)}"),
    }
    kind, path = shapes[platform]
    return Item(platform, kind, path)


@dataclass
class World:
    """The simulated platforms' items. With ``store`` (a JSON file), every state change made
    through ``set_state`` is written there, and ``keep_in`` reads it back: content a simulated
    platform removed stays removed when the simulator restarts."""

    items: dict[tuple[str, str], Item] = field(default_factory=dict)
    store: Path | None = None

    def set_state(self, item: Item, state: State) -> None:
        item.state = state
        if self.store is not None:
            self._save(self.store)

    def keep_in(self, path: Path) -> World:
        """Keep this world's states in ``path``: apply what it holds, then write it on change."""
        try:
            saved = json.loads(path.read_text(encoding="utf-8")).get("states", {})
        except (OSError, ValueError, AttributeError):
            saved = {}
        for item in self.unique():
            value = saved.get(item.url)
            if value in State.__members__.values():
                item.state = State(value)
        self.store = path
        return self

    def _save(self, path: Path) -> None:
        states = {item.url: item.state.value for item in self.unique()}
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        temporary.write_text(json.dumps({"states": states}, indent=1), encoding="utf-8")
        os.replace(temporary, path)  # atomic: a crash leaves the old file or the new one

    def add(self, item: Item) -> Item:
        for path in (item.path, *item.aliases):
            self.items[(item.host, path)] = item
        return item

    def find(self, host: str, target: str) -> Item | None:
        return self.items.get((host, target))

    def unique(self) -> list[Item]:
        return list({id(i): i for i in self.items.values()}.values())

    def new(self, platform: str, rng: random.Random | None = None, **changes: object) -> Item:
        item = item_shape(platform, rng or random.Random())
        for key, value in changes.items():
            setattr(item, key, value)
        return self.add(item)

    @classmethod
    def generate(
        cls,
        platforms: list[str],
        per_platform: int,
        seed: int = 0,
        removed_share: float = 0.6,
        fault_share: float = 0.0,
    ) -> World:
        """A deterministic world: the same arguments give the same URLs and states."""
        rng = random.Random(seed)
        world = cls()
        slow_or_new = (Fault.TIMEOUT, Fault.SLOW, Fault.HUGE, Fault.COOKIE_WALL)
        faults = [f for f in Fault if f not in slow_or_new]  # new faults: the same worlds
        for platform in platforms:
            for _ in range(per_platform):
                item = item_shape(platform, rng)
                roll = rng.random()
                if roll < removed_share:
                    item.state = State.REMOVED
                elif roll < removed_share + 0.05:
                    item.state = State.GEO_BLOCKED
                elif roll < removed_share + 0.10:
                    item.state = State.SUSPENDED
                if rng.random() < fault_share:
                    item.fault = rng.choice(faults)
                world.add(item)
        links = [i for i in world.unique() if i.platform != "shortener"]
        for item in world.unique():
            if item.platform == "shortener" and links:
                item.target = rng.choice(links).url
        return world
