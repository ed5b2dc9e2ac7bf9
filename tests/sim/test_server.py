"""The simulator: platform pages by Host header, control endpoints, counters, the CLI."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys

import httpx

from takedown.sim import Fault, SimServer, State, World


async def _get(sim: SimServer, host: str, target: str) -> httpx.Response:
    async with httpx.AsyncClient(trust_env=False) as client:
        return await client.get(f"http://127.0.0.1:{sim.port}{target}", headers={"host": host})


def test_one_server_tells_platforms_apart_by_host_header() -> None:
    async def scenario() -> list[httpx.Response]:
        world = World()
        tg = world.new("telegram", kind="post", path="/lorem/5")
        yt = world.new("youtube", state=State.GEO_BLOCKED)
        async with SimServer(world) as sim:
            return [
                await _get(sim, "t.me", tg.path),
                await _get(sim, "www.youtube.com", yt.path),
                await _get(sim, "nowhere.example", "/"),
                await _get(sim, "t.me", "/nobody"),
            ]

    tg, yt, unknown, missing = asyncio.run(scenario())
    assert "tgme_widget_message_text" in tg.text
    assert '"status":"UNPLAYABLE"' in yt.text and "not made this video available" in yt.text
    assert unknown.status_code == 404
    # t.me's own markup: the name is a link inside the sentence
    assert 'you can contact <a class="tgme_username_link"' in missing.text
    assert ">@nobody</a> right away." in missing.text


def test_login_faults_redirect_to_each_platforms_login_page() -> None:
    async def scenario() -> dict[str, str]:
        world = World()
        items = [world.new(p, fault=Fault.LOGIN) for p in ("instagram", "x", "tiktok", "youtube")]
        async with SimServer(world) as sim:
            return {
                i.platform: (await _get(sim, i.host, i.path)).headers["location"] for i in items
            }

    where = asyncio.run(scenario())
    assert where["instagram"].startswith("/accounts/login/?next=%2Fp%2F")
    assert where["x"].startswith("/i/flow/login?redirect_after_login=%2F")
    assert where["tiktok"].startswith("/login?redirect_url=https%3A%2F%2Fwww.tiktok.com%2F%40")
    assert where["youtube"].startswith("https://accounts.google.com/ServiceLogin?service=youtube")


def test_a_consent_wall_asks_until_the_cookie_comes_or_insists() -> None:
    async def scenario(consent: str) -> list[httpx.Response]:
        world = World()
        item = world.new("youtube")
        async with (
            SimServer(world, consent=consent) as sim,
            httpx.AsyncClient(trust_env=False) as client,
        ):
            url = f"http://127.0.0.1:{sim.port}{item.path}"
            return [
                await client.get(url, headers={"host": item.host}),
                await client.get(url, headers={"host": item.host, "cookie": "SOCS=CAI"}),
                await _get(sim, "consent.youtube.com", "/m?continue=x"),
            ]

    wall, passed, interstitial = asyncio.run(scenario("ask"))
    assert wall.status_code == 302
    assert wall.headers["location"].startswith("http://consent.youtube.com/m?continue=https%3A")
    assert passed.status_code == 200 and '"status":"OK"' in passed.text
    assert "Before you continue" in interstitial.text
    assert [r.status_code for r in asyncio.run(scenario("insist"))[:2]] == [302, 302]


def test_world_generation_is_deterministic() -> None:
    a = World.generate(["x", "vk", "shortener"], 20, seed=5, fault_share=0.3)
    b = World.generate(["x", "vk", "shortener"], 20, seed=5, fault_share=0.3)
    assert [(i.url, i.state, i.fault, i.target) for i in a.unique()] == [
        (i.url, i.state, i.fault, i.target) for i in b.unique()
    ]
    assert all(i.target for i in a.unique() if i.platform == "shortener")


def test_control_endpoints_report_counters_and_change_states() -> None:
    async def scenario() -> tuple[dict[str, object], list[dict[str, str]], str]:
        world = World()
        item = world.new("vk")
        async with SimServer(world) as sim, httpx.AsyncClient(trust_env=False) as client:
            base = f"http://127.0.0.1:{sim.port}"
            await _get(sim, "vk.com", item.path)
            stats = (await client.get(f"{base}/_sim/stats")).json()
            await client.post(f"{base}/_sim/items", params={"url": item.url, "state": "removed"})
            items = (await client.get(f"{base}/_sim/items")).json()
            page = (await _get(sim, "vk.com", item.path)).text
            return stats, items, page

    stats, items, page = asyncio.run(scenario())
    assert stats["vk.com"]["requests"] == 1  # type: ignore[index]
    assert items[0]["state"] == "removed"
    assert "deleted and is no longer available" in page


def test_faults_play_out_over_requests() -> None:
    async def scenario() -> list[int]:
        world = World()
        burst = world.new("x", fault=Fault.BURST_5XX)
        flap = world.new("youtube", fault=Fault.FLAPPING)
        async with SimServer(world) as sim:
            codes = [(await _get(sim, "x.com", burst.path)).status_code for _ in range(3)]
            pages = [(await _get(sim, "www.youtube.com", flap.path)).text for _ in range(2)]
            codes += ['"status":"OK"' in p for p in pages]
            return codes

    assert asyncio.run(scenario()) == [503, 503, 200, True, False]


def test_simulate_command_serves_and_stops_by_itself() -> None:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from takedown.cli import main; main()",
            "simulate",
            "--port",
            "0",
            "--items",
            "2",
            "--duration",
            "3",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    ready = json.loads(proc.stdout.readline())
    response = httpx.get(f"http://{ready['address']}/_sim/items", trust_env=False)
    assert len(response.json()) == ready["items"] == 18
    assert proc.wait(20) == 0
    proc.stdout.close()
