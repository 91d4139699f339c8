"""`together-tui serve`: loopback by default, remote only when asked, and the key in neither page nor argv.

The server's guards are exercised over real HTTP with aiohttp's test server; the browser test
(test_serve_browser.py) runs the whole thing in Chromium.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from collections.abc import AsyncIterator

import pytest
from aiohttp import WSServerHandshakeError
from aiohttp.test_utils import TestClient, TestServer, make_mocked_request

import tui.serve as serve
from tui.serve_web import AppServer

SENTINEL_KEY = "tgp_v1_serve-sentinel-0123456789abcdef"


def parse(*argv: str, top: argparse.Namespace | None = None) -> argparse.Namespace:
    """`serve ARGV` as the real CLI parses it: a subcommand of a parser that may carry app options."""
    parser = argparse.ArgumentParser(prog="together-tui")
    serve.configure_parser(parser.add_subparsers(dest="command", required=True))
    return parser.parse_args(["serve", *argv], namespace=top)


@pytest.mark.parametrize(
    "host", ["127.0.0.1", "127.8.9.10", "::1", "[::1]", "localhost", "LOCALHOST", "app.localhost"]
)
def test_loopback_hosts_are_accepted(host: str) -> None:
    assert serve.is_loopback_host(host)


@pytest.mark.parametrize(
    "host", ["0.0.0.0", "::", "[::]", "192.168.1.10", "10.0.0.1", "example.com", "localhost.example.com", ""]
)
def test_other_hosts_are_not_loopback(host: str) -> None:
    assert not serve.is_loopback_host(host)


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.10", "example.com"])
def test_a_non_loopback_host_is_refused_without_allow_remote(
    host: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    bound: list[str] = []
    monkeypatch.setattr(serve, "bind", lambda host, port: bound.append(host))
    assert serve.run(parse("--host", host, "--demo")) == 2
    err = capsys.readouterr().err
    assert "refusing" in err and "--allow-remote" in err and "no authentication" in err
    assert bound == [], "nothing may listen before the refusal"


def test_allow_remote_serves_with_a_warning(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    served: list[AppServer] = []
    monkeypatch.setattr(AppServer, "serve_on", lambda self, sock: served.append(self))
    assert serve.run(parse("--host", "0.0.0.0", "--port", "0", "--allow-remote")) == 0
    captured = capsys.readouterr()
    assert "warning" in captured.err and "no authentication" in captured.err and "your API key" in captured.err
    assert "ssh -L" in captured.err
    assert "in a browser at http://" in captured.out
    assert [server.any_host for server in served] == [True]


def test_loopback_serves_without_a_warning(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    served: list[AppServer] = []
    monkeypatch.setattr(AppServer, "serve_on", lambda self, sock: served.append(self))
    assert serve.run(parse("--port", "0", "--demo")) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    assert captured.out.startswith("together-tui in a browser at http://127.0.0.1:")
    assert [server.any_host for server in served] == [False]
    assert shlex.split(served[0].command) == [sys.executable, "-m", "tui", "--demo"]


def test_the_defaults_are_loopback_port_8000() -> None:
    args = parse()
    assert (args.host, args.port, args.allow_remote) == ("127.0.0.1", 8000, False)


@pytest.mark.parametrize("port", ["-1", "65536", "http"])
def test_bad_ports_are_usage_errors(port: str) -> None:
    with pytest.raises(SystemExit) as caught:
        parse("--port", port)
    assert caught.value.code == 2


def test_an_insecure_base_url_is_refused_before_serving(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(serve, "bind", lambda host, port: pytest.fail("bound despite the refusal"))
    top = argparse.Namespace(base_url="http://api.example.com/v1")
    assert serve.run(parse("--port", "0", top=top)) == 2
    assert "http" in capsys.readouterr().err


def test_the_command_forwards_the_app_options_and_never_the_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOGETHER_API_KEY", SENTINEL_KEY)
    monkeypatch.setenv("WORK_KEY", SENTINEL_KEY)
    top = argparse.Namespace(
        base_url="https://api.together.ai/v1",
        profile="work space",
        api_key_env="WORK_KEY",
        read_only=False,
        refresh=30.0,
        confirm_start=False,
        demo=False,
    )
    args = parse("--read-only", top=top)
    command = serve.app_command(args, python="/opt/py 3/bin/python")
    assert command == [
        "/opt/py 3/bin/python",
        "-m",
        "tui",
        "--base-url",
        "https://api.together.ai/v1",
        "--profile",
        "work space",
        "--api-key-env",
        "WORK_KEY",
        "--read-only",
        "--refresh",
        "30.0",
        "--no-confirm-start",
    ]
    # What textual-serve hands to the shell, quoted so a space or a quote in a value stays one argument.
    assert shlex.split(shlex.join(command)) == command
    assert SENTINEL_KEY not in shlex.join(command)


def test_demo_given_before_or_after_serve() -> None:
    assert serve.app_command(parse(top=argparse.Namespace(demo=True)))[-1] == "--demo"
    assert serve.app_command(parse("--demo"))[-1] == "--demo"
    assert "--demo" not in serve.app_command(parse())


def test_the_demos_provider_reaches_each_connection() -> None:
    command = serve.app_command(parse(top=argparse.Namespace(demo=True, demo_provider="nebius")))
    assert command[-3:] == ["--demo", "--provider", "nebius"]


@pytest.fixture
async def client(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[TestClient]:
    # The key is in this process's environment, as it is when a user serves with TOGETHER_API_KEY set.
    monkeypatch.setenv("TOGETHER_API_KEY", SENTINEL_KEY)
    server = AppServer(shlex.join([sys.executable, "-c", "pass"]), title="together-tui")
    async with TestClient(TestServer(server.make_app(), host="127.0.0.1")) as test_client:
        yield test_client


async def test_the_page_holds_no_key_and_points_at_the_host_it_was_loaded_from(client: TestClient) -> None:
    page = await client.get("/", headers={"Host": "localhost:9000"})
    assert page.status == 200
    html = await page.text()
    assert SENTINEL_KEY not in html and SENTINEL_KEY not in str(page.url)
    # `ssh -L 9000:localhost:8000`: the browser's port, not the server's, so the websocket reaches the tunnel.
    assert 'data-session-websocket-url="ws://localhost:9000/ws"' in html
    assert 'src="http://localhost:9000/static/js/textual.js"' in html
    assert "<div>together-tui</div>" in html
    assert sys.executable not in html, "the page must not show the command"
    policy = page.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "connect-src 'self' ws://localhost:9000;" in policy
    assert "googleapis" not in policy, "the page's third-party font stylesheet stays blocked"
    assert page.headers["X-Frame-Options"] == "DENY"
    assert page.headers["Referrer-Policy"] == "no-referrer"
    script = await client.get("/static/js/textual.js", headers={"Host": "localhost:9000"})
    assert script.status == 200 and "xterm" in await script.text()


@pytest.mark.parametrize("host", ["evil.example:8000", "192.168.1.10:8000", "localhost.evil.example"])
async def test_a_page_asked_for_under_another_name_is_refused(client: TestClient, host: str) -> None:
    """DNS rebinding: a site's name re-pointed at 127.0.0.1 still sends its own name as Host."""
    for path in ("/", "/ws", "/static/js/textual.js"):
        response = await client.get(path, headers={"Host": host})
        assert response.status == 403, path
        assert "not a loopback name" in await response.text()


async def test_any_host_when_serving_remotely(monkeypatch: pytest.MonkeyPatch) -> None:
    server = AppServer("true", title="together-tui", any_host=True)
    async with TestClient(TestServer(server.make_app(), host="127.0.0.1")) as remote:
        page = await remote.get("/", headers={"Host": "box.example:8000"})
        assert page.status == 200
        assert 'data-session-websocket-url="ws://box.example:8000/ws"' in await page.text()
        with pytest.raises(WSServerHandshakeError) as refused:
            await remote.ws_connect("/ws", headers={"Host": "box.example:8000", "Origin": "http://evil.example"})
        assert refused.value.status == 403


@pytest.mark.parametrize(
    "origin", ["http://evil.example", "http://127.0.0.1:1", "https://127.0.0.1:{port}", "null", "file://"]
)
async def test_a_websocket_from_another_origin_is_refused(client: TestClient, origin: str) -> None:
    """Any page in the user's browser may open a websocket to localhost: only the app's own page may."""
    assert client.port is not None
    with pytest.raises(WSServerHandshakeError) as refused:
        await client.ws_connect("/ws", headers={"Origin": origin.format(port=client.port)})
    assert refused.value.status == 403


@pytest.mark.parametrize(
    ("host", "origin"),
    [
        ("127.0.0.1:8000", "http://127.0.0.1:8000"),
        ("localhost:9000", "http://localhost:9000"),
        ("[::1]:8000", "http://[::1]:8000"),
        # Not a browser (no Origin): a local program, which could run the app itself anyway.
        ("127.0.0.1:8000", None),
    ],
)
def test_a_websocket_from_the_apps_own_page_is_let_in(host: str, origin: str | None) -> None:
    # Decided on the request alone: a real handshake would start an app process for each case.
    headers = {"Host": host} if origin is None else {"Host": host, "Origin": origin}
    request = make_mocked_request("GET", "/ws", headers=headers)
    assert AppServer("true", title="together-tui").refusal(request) is None
