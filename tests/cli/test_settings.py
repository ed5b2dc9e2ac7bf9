"""The command line reads its settings from ``takedown.config``: the checker's settings in
`takedown check` and `takedown verify` (the egress proxy included), the media limits and
switch, and the client secrets (``ClientSettings``), which never show in a repr."""

from __future__ import annotations

import json
import socketserver
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from takedown.cli import _context as context
from takedown.cli import app
from takedown.cli._context import media_limits
from takedown.config import ClientSettings, Settings
from takedown.media import _kernel

from .conftest import Cli

# Only loopback, also should the proxy be bypassed: the target is the proxy stub itself, as
# a web server. Through the proxy a request names the whole URL (`GET http://…`); sent to
# the stub directly it names the path only (`GET /page`), so the two cannot be mistaken.
LOOPBACK = '["127.0.0.1/32"]'


class _Proxy(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _ProxyHandler)
        self.requests: list[str] = []


class _ProxyHandler(socketserver.StreamRequestHandler):
    """Records each request's line and answers it with a small page, as a forward proxy."""

    def handle(self) -> None:
        server = self.server
        assert isinstance(server, _Proxy)
        while True:
            line = self.rfile.readline(65536)
            if not line:
                return
            while self.rfile.readline(65536) not in (b"\r\n", b"\n", b""):
                pass  # the headers
            server.requests.append(line.decode("latin-1").strip())
            body = b"<html><head><title>A page</title></head><body>Still here.</body></html>"
            self.wfile.write(
                b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
                b"Content-Length: %d\r\n\r\n%s" % (len(body), body)
            )
            self.wfile.flush()


@pytest.fixture
def proxy() -> Iterator[_Proxy]:
    server = _Proxy()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def _url(proxy: _Proxy) -> str:
    return f"http://127.0.0.1:{proxy.server_address[1]}"


def _target(proxy: _Proxy) -> str:
    return f"{_url(proxy)}/takedown-proxy-test"


def test_check_goes_through_the_configured_egress_proxy(
    cli: Cli, proxy: _Proxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TAKEDOWN_CHECKER_ALLOW_NETWORKS", LOOPBACK)
    monkeypatch.setenv("TAKEDOWN_CHECKER_PROXY", _url(proxy))
    ran = cli("check", _target(proxy), "--json", "--timeout", "10")
    assert ran.code == 0, ran.err
    assert proxy.requests, "no request at all"
    assert proxy.requests == [f"GET {_target(proxy)} HTTP/1.1"], "not through the proxy"
    result = json.loads(ran.out)
    assert result["url"] == _target(proxy) and result["status"] == 200


def test_the_proxy_option_replaces_the_setting(
    cli: Cli, proxy: _Proxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TAKEDOWN_CHECKER_ALLOW_NETWORKS", LOOPBACK)
    monkeypatch.setenv("TAKEDOWN_CHECKER_PROXY", "http://127.0.0.1:9")  # nothing listens
    ran = cli("check", _target(proxy), "--json", "--timeout", "10", "--proxy", _url(proxy))
    assert ran.code == 0, ran.err
    assert proxy.requests == [f"GET {_target(proxy)} HTTP/1.1"]
    assert json.loads(ran.out)["status"] == 200


def test_a_bad_proxy_setting_is_refused_by_name_without_its_password(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TAKEDOWN_CHECKER_PROXY", "ftp://user:hunter2@proxy.example:21")
    ran = cli("check", "http://127.0.0.1:9/")
    assert ran.code == 2
    assert "TAKEDOWN_CHECKER_PROXY" in ran.err and "ftp://" in ran.err
    assert "hunter2" not in ran.err + ran.out and "Traceback" not in ran.err


def test_the_checker_settings_come_from_the_environment(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`takedown check` reads TAKEDOWN_CHECKER_* as the jobs do: a bad value is named."""
    monkeypatch.setenv("TAKEDOWN_CHECKER_ALLOW_NETWORKS", '["10.0.0.0/33"]')
    ran = cli("check", "http://127.0.0.1:9/")
    assert ran.code == 2 and "TAKEDOWN_CHECKER_ALLOW_NETWORKS" in ran.err
    args = ("--allow-network", "10.0.0.0/8", "--connect-to", "nonsense")
    ran = cli("check", "http://127.0.0.1:9/", *args)
    assert ran.code == 2 and "--connect-to" in ran.err


# -- media ----------------------------------------------------------------------------------


def test_the_media_limits_come_from_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TAKEDOWN_MEDIA_VIDEO_FPS", "0.5")
    monkeypatch.setenv("TAKEDOWN_MEDIA_MAX_PIXELS", "1234")
    monkeypatch.setenv("TAKEDOWN_EVIDENCE_MAX_BYTES", "99")
    limits = Settings().media_limits()
    assert (limits.video_fps, limits.max_pixels, limits.max_bytes) == (0.5, 1234, 99)
    assert limits.max_video_frames == 3600


def test_a_bad_media_setting_is_named_by_its_variable(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TAKEDOWN_MEDIA_MAX_PIXELS", "lots")
    ran = cli("hash", tmp_path / "any.png")
    assert ran.code == 2 and "Traceback" not in ran.err
    assert "TAKEDOWN_MEDIA_MAX_PIXELS" in ran.err and "'lots'" in ran.err


def test_the_numba_switch_comes_from_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TAKEDOWN_MEDIA_NUMBA", "0")
    try:
        media_limits(Settings())
        assert _kernel.kernel() is None
    finally:
        _kernel.use_numba(True)


# -- client secrets -------------------------------------------------------------------------


def test_client_secrets_never_show_in_a_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TAKEDOWN_TOKEN", "tdk_secret-token-1")
    monkeypatch.setenv("TAKEDOWN_PLATFORM_TOKEN", "tdk_secret-token-2")
    monkeypatch.setenv("TAKEDOWN_WEBHOOK_SECRET", "whsec-3")
    client = ClientSettings()
    shown = f"{client!r} {client} {client.model_dump()} {client.model_dump_json()}"
    for secret in ("tdk_secret-token-1", "tdk_secret-token-2", "whsec-3"):
        assert secret not in shown
    assert client.secret("token") == "tdk_secret-token-1"
    assert client.secret("webhook_secret") == "whsec-3"


def test_a_missing_platform_token_is_refused_naming_both_ways_to_give_it(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TAKEDOWN_PLATFORM_TOKEN", raising=False)
    ran = cli("simulate-platform", "--sim-port", "9")
    assert ran.code == 2 and "Traceback" not in ran.err
    assert "--token" in ran.err and "TAKEDOWN_PLATFORM_TOKEN" in ran.err


def test_an_empty_debug_switch_or_a_word_is_read_as_typed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for value, on in (("", False), ("0", False), ("no", False), ("1", True), ("yes", True)):
        monkeypatch.setenv("TAKEDOWN_DEBUG", value)
        assert ClientSettings().debug is on, value


# -- the database in commands ---------------------------------------------------------------


def test_a_command_closes_the_database_it_opened_even_outside_the_entry_point(
    settings_env: Path, instance: object
) -> None:
    """Typer's own runner skips ``main``'s clean-up: each command closes what it opens."""
    result = CliRunner().invoke(app, ["operation", "list"])
    assert result.exit_code == 0, result.output
    assert "OP1" in result.output
    assert context._opened == []
