"""`hvconsole serve` in a real browser: headless Chromium loads the page, the console starts on the embedded lab
and its dashboard shows every host connected; a screenshot of the page is taken and checked not blank.

How the test knows the terminal shows the dashboard: textual-serve draws the terminal with xterm.js on a
canvas (WebGL or 2D), so the page's DOM never holds the screen's text and ``--dump-dom`` cannot see it, and
``--screenshot`` with ``--virtual-time-budget`` guesses a delay. Instead the test drives Chromium over the
DevTools protocol (``--remote-debugging-port``; aiohttp, which textual-serve already needs, speaks the
websocket): before the page loads it wraps the page's WebSocket so every byte the console sends is also
decoded into ``window.__hvTerminal``; it waits (real time, up to 90 s) until that text holds "3/3 connected",
lets xterm.js paint, takes ``Page.captureScreenshot`` and checks the PNG has many colours (a blank or
intro-only page has a handful).

Skips with the reason where Chromium is not installed; with CI=true (or HVCONSOLE_REQUIRE_CHROMIUM=1) that is
a failure instead: .ci/run installs it.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.request
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

SIZE = (1280, 800)
HEADLESS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
CAPTURE_BYTES = """
(() => {
  window.__hvTerminal = "";
  const decoder = new TextDecoder();
  const Original = window.WebSocket;
  window.WebSocket = function (...args) {
    const socket = new Original(...args);
    socket.addEventListener("message", (event) => {
      if (event.data instanceof ArrayBuffer) {
        window.__hvTerminal += decoder.decode(new Uint8Array(event.data), { stream: true });
      } else if (event.data instanceof Blob) {
        event.data.arrayBuffer().then((b) => { window.__hvTerminal += decoder.decode(new Uint8Array(b), { stream: true }); });
      }
    });
    return socket;
  };
  window.WebSocket.prototype = Original.prototype;
  Object.assign(window.WebSocket, { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 });
})();
"""


def find_chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    required = (
        os.environ.get("CI", "").lower() in ("1", "true", "yes")
        or os.environ.get("HVCONSOLE_REQUIRE_CHROMIUM") == "1"
    )
    if required:
        pytest.fail("chromium is required here (.ci/run installs it) but is not installed")
    pytest.skip("chromium is not installed (apt-get install chromium): the browser test needs it")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_http(url: str, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as reply:
                return str(reply.read().decode())
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def png_colours(png: bytes) -> int:
    """How many distinct colours an 8-bit RGB/RGBA, non-interlaced PNG holds (what Chromium writes)."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    pos, data, width, height, channels = 8, b"", 0, 0, 0
    while pos < len(png):
        (length,) = struct.unpack(">I", png[pos : pos + 4])
        kind, body = png[pos + 4 : pos + 8], png[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour_type, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and colour_type in (2, 6) and interlace == 0, (depth, colour_type, interlace)
            channels = 3 if colour_type == 2 else 4
        elif kind == b"IDAT":
            data += body
        pos += 12 + length
    raw, stride, colours = zlib.decompress(data), width * channels, set()
    previous = bytearray(stride)
    for row in range(height):
        start = row * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up, corner = previous[i], previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                guess = left + up - corner
                pa, pb, pc = abs(guess - left), abs(guess - up), abs(guess - corner)
                best = left if pa <= pb and pa <= pc else up if pb <= pc else corner
                line[i] = (line[i] + best) & 0xFF
        if row % 4 == 0:
            colours.update(bytes(line[i : i + 3]) for i in range(0, stride, channels * 4))
        previous = line
    return len(colours)


class DevTools:
    """The few DevTools-protocol calls the test needs, over one page's websocket."""

    def __init__(self, socket: Any) -> None:
        self.socket, self.next_id = socket, 0

    async def call(self, method: str, **params: Any) -> dict[str, Any]:
        self.next_id += 1
        await self.socket.send_json({"id": self.next_id, "method": method, "params": params})
        while True:
            message = await self.socket.receive_json(timeout=60)
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise AssertionError(f"{method}: {message['error']}")
                return dict(message.get("result", {}))

    async def evaluate(self, expression: str) -> Any:
        reply = await self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        return reply.get("result", {}).get("value")


async def load_and_capture(debug_port: int, url: str, shot: Path, wait_for: str, timeout: float) -> str:
    import aiohttp

    targets = json.loads(wait_http(f"http://127.0.0.1:{debug_port}/json/list", 30))
    page = next(t for t in targets if t.get("type") == "page")
    async with (
        aiohttp.ClientSession() as http,
        http.ws_connect(page["webSocketDebuggerUrl"], max_msg_size=0) as socket,
    ):
        tools = DevTools(socket)
        await tools.call("Page.enable")
        await tools.call("Page.addScriptToEvaluateOnNewDocument", source=CAPTURE_BYTES)
        await tools.call("Page.navigate", url=url)
        deadline = time.monotonic() + timeout
        text = ""
        while time.monotonic() < deadline:
            text = await tools.evaluate("window.__hvTerminal || ''") or ""
            if wait_for in text:
                break
            await asyncio.sleep(0.5)
        await asyncio.sleep(2.0)  # let xterm.js paint the last frames
        first_byte = await tools.evaluate("document.body.classList.contains('-first-byte')")
        shot.write_bytes(base64.b64decode((await tools.call("Page.captureScreenshot", format="png"))["data"]))
        assert first_byte, "the page never received the console's output"
        return str(text)


@pytest.fixture
def served(isolated_home: Path) -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "hvconsole", "serve", "--lab", "--port", str(port)],
        env={**os.environ, "HVCONSOLE_HOME": str(isolated_home)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        url = f"http://127.0.0.1:{port}/"
        assert "textual-terminal" in wait_http(url, 30)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def test_serve_refuses_a_non_loopback_address_without_the_explicit_flag() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "hvconsole", "serve", "--host", "0.0.0.0", "--port", str(free_port())],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert "WARNING" in result.stderr and "administrator's console" in result.stderr
    assert "--i-understand-this-is-exposed" in result.stderr


def test_the_console_opens_in_headless_chromium(served: str, tmp_path: Path) -> None:
    chromium = find_chromium()
    debug_port = free_port()
    profile = Path(tempfile.mkdtemp(prefix="hv-chromium-", dir=tmp_path))
    browser = subprocess.Popen(
        [
            chromium,
            *HEADLESS,
            f"--user-data-dir={profile}",
            f"--remote-debugging-port={debug_port}",
            f"--window-size={SIZE[0]},{SIZE[1]}",
            "about:blank",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    shot = tmp_path / "browser.png"
    try:
        text = asyncio.run(load_and_capture(debug_port, served, shot, "3/3 connected", timeout=90))
    finally:
        browser.terminate()
        try:
            browser.wait(timeout=20)
        except subprocess.TimeoutExpired:
            browser.kill()
    assert "3/3 connected" in text, f"the dashboard never showed every host connected:\n{text[-2000:]!r}"
    assert shot.stat().st_size > 10_000, "the screenshot is suspiciously small"
    assert png_colours(shot.read_bytes()) > 20, "the screenshot looks blank"
