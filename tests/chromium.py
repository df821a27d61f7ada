"""Headless Chromium driven over the DevTools protocol on a pipe (``--remote-debugging-pipe``):
a phone-sized viewport, an emulated colour scheme, a script evaluated in the page, a
full-page screenshot. What Playwright does, in the few calls these tests need, so the suite
needs Debian's chromium and nothing else.

Chromium reads commands from its file descriptor 3 and writes answers to 4, each a JSON
object ended by a NUL byte.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

TIMEOUT = 60.0


def executable() -> str:
    """Debian's chromium (``.ci/run`` installs it); PAPERTRACK_CHROMIUM names another."""
    names = ("chromium", "chromium-browser", "google-chrome")
    found = os.environ.get("PAPERTRACK_CHROMIUM") or next(
        filter(None, map(shutil.which, names)), None
    )
    assert found, "headless Chromium is needed: apt-get install chromium (.ci/run does)"
    return found


class Chromium:
    def __init__(self) -> None:
        to_chrome_r, self._to_chrome = os.pipe()
        self._from_chrome, from_chrome_w = os.pipe()
        flags = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                 "--no-first-run", "--disable-extensions", "--disable-background-networking",
                 "--remote-debugging-pipe", "about:blank"]  # fmt: skip
        # bash puts the pipes on descriptors 3 and 4, where Chromium looks for them (dash
        # cannot: it takes one-digit descriptors only).
        self._process = subprocess.Popen(
            [
                "bash",
                "-c",
                f'exec "$0" "$@" 3<&{to_chrome_r} 4>&{from_chrome_w}',
                executable(),
                *flags,
            ],
            pass_fds=(to_chrome_r, from_chrome_w),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self._buffer = b""
        self._next_id = 0
        self._events: list[dict[str, Any]] = []

    def __enter__(self) -> Chromium:
        return self

    def __exit__(self, *exc: object) -> None:
        with contextlib.suppress(OSError, AssertionError):
            self.call("Browser.close")
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        os.close(self._to_chrome)
        os.close(self._from_chrome)

    def call(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        os.write(self._to_chrome, json.dumps(message).encode() + b"\0")
        while True:
            answer = self._read()
            if answer.get("id") == self._next_id:
                assert "error" not in answer, f"{method}: {answer['error']}"
                result: dict[str, Any] = answer.get("result", {})
                return result
            self._events.append(answer)

    def wait_for(self, event: str) -> None:
        while True:
            if any(e.get("method") == event for e in self._events):
                self._events = [e for e in self._events if e.get("method") != event]
                return
            self._events.append(self._read())

    def _read(self) -> dict[str, Any]:
        deadline = time.monotonic() + TIMEOUT
        while b"\0" not in self._buffer:
            assert time.monotonic() < deadline, "Chromium did not answer"
            chunk = os.read(self._from_chrome, 65536)
            assert chunk, f"Chromium exited ({self._process.poll()})"
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        parsed: dict[str, Any] = json.loads(message)
        return parsed

    def open(self, page: Path, *, width: int, scheme: str, height: int = 800) -> Tab:
        """*page* in a new tab *width* CSS pixels wide (a phone below 600), in the light or
        dark colour scheme, once it has loaded."""
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        self.call("Emulation.setDeviceMetricsOverride", session, width=width, height=height,
                  deviceScaleFactor=1, mobile=width < 600)  # fmt: skip
        self.call("Emulation.setEmulatedMedia", session,
                  features=[{"name": "prefers-color-scheme", "value": scheme}])  # fmt: skip
        self.call("Page.enable", session)
        self.call("Page.navigate", session, url=page.as_uri())
        self.wait_for("Page.loadEventFired")
        return Tab(self, session)


class Tab:
    def __init__(self, browser: Chromium, session: str) -> None:
        self.browser, self.session = browser, session

    def evaluate(self, expression: str) -> Any:
        answer = self.browser.call("Runtime.evaluate", self.session, expression=expression,
                                   returnByValue=True, awaitPromise=True)  # fmt: skip
        assert "exceptionDetails" not in answer, answer["exceptionDetails"]
        return answer["result"].get("value")

    def screenshot(self, path: Path, *, width: int, height: int) -> None:
        """The page from the top, *width* by *height* CSS pixels, as a PNG."""
        shot = self.browser.call("Page.captureScreenshot", self.session, format="png",
                                 captureBeyondViewport=True,
                                 clip={"x": 0, "y": 0, "width": width, "height": height,
                                       "scale": 1})  # fmt: skip
        path.write_bytes(base64.b64decode(shot["data"]))
