"""Delivering a digest to chat and push services through Apprise (``digest --notify URL``,
config ``notify.urls``): Slack, Discord, Telegram, Matrix, ntfy, a JSON webhook and ~100
more, each named by a URL that carries its token.

Apprise is an optional extra (``pip install 'papertrack[notify]'``), imported only here and
only when a digest notifies. A URL is never printed whole: messages name the service and
papertrack.text.redact_url's form of the URL. Apprise's own log lines, which may hold a
URL or a server's answer, are collected and redacted, never printed as they come.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from papertrack.errors import PapertrackError, UsageError
from papertrack.record import record
from papertrack.render.digest import render_notice, subject
from papertrack.text import clean_line, redact, redact_url

if TYPE_CHECKING:
    from papertrack.digest import DigestSection

EXTRA = "pip install 'papertrack[notify]'"
FORMATS = ("markdown", "html", "text")
TITLE_ROOM = 60
"""Characters kept for the title where a service puts it inside the body."""
JSON_ROOM = 1000
"""Bytes of an ntfy request that are not the body: the title (at most 200 characters,
written as JSON escapes when not ASCII), the topic and the keys."""


class NotifyError(PapertrackError):
    """A channel did not take the digest; the state is left as it was."""


@record
class Channel:
    url: str
    shown: str
    """The URL as it may be printed."""
    service: str
    plugin: Any
    """Apprise's plugin object for *url*."""

    @property
    def format(self) -> str:
        """The body format the service renders: its one format, else of those it offers the
        first, or Markdown where the first is plain text and Markdown is offered (Discord,
        Matrix, a JSON webhook); ``?format=`` on the URL chooses for some services."""
        native = self.plugin.notify_format
        offered = (
            [str(getattr(f, "value", f)) for f in native]
            if isinstance(native, (tuple, list))
            else [str(getattr(native, "value", native))]
        )
        chosen = "markdown" if offered[0] == "text" and "markdown" in offered[1:] else offered[0]
        return chosen if chosen in FORMATS else "text"

    def size(self, body: str) -> int:
        """*body*'s size as the service counts it: characters, or for ntfy the bytes of the
        JSON request, past which Apprise would send the digest as a file attachment."""
        if self.json_limit is None:
            return len(body)
        import json

        return len(json.dumps(body))

    @property
    def json_limit(self) -> int | None:
        value = getattr(self.plugin, "ntfy_json_upstream_size_limit", None)
        return int(value) if isinstance(value, int) else None

    @property
    def limit(self) -> int:
        """Characters one message body may hold, the title included where the service puts
        the title inside the body."""
        body = int(getattr(self.plugin, "body_maxlen", 0) or 0) or 32768
        if self.json_limit is not None:
            body = min(body, self.json_limit - JSON_ROOM)  # title, topic and the JSON around
        if int(getattr(self.plugin, "title_maxlen", 0) or 0) <= 0:
            body -= TITLE_ROOM
        return max(body, 200)


def channels(urls: Sequence[str]) -> list[Channel]:
    """Apprise's plugins for *urls*, checked before a digest fetches anything: the extra
    missing, or a URL Apprise cannot read, is a usage error."""
    if not urls:
        return []
    try:
        import apprise
    except ImportError:
        raise UsageError(
            f"--notify and notify.urls deliver through Apprise, which is not installed: {EXTRA}"
        ) from None
    found: list[Channel] = []
    with _quiet() as log:
        for url in dict.fromkeys(urls):
            plugin = apprise.Apprise.instantiate(url)
            shown = redact_url(url)
            if plugin is None:
                why = _cause(log, [url]) or "not a URL of a service Apprise knows"
                raise UsageError(f"cannot notify {shown}: {why}")
            name = clean_line(str(getattr(plugin, "service_name", "") or "")) or shown
            found.append(Channel(url, shown, name, plugin))
            log.clear()
    return found


def deliver(targets: Sequence[Channel], sections: Sequence[DigestSection], now: datetime,
            prefix: str) -> None:  # fmt: skip
    """One digest to every channel, in as many numbered parts as a channel's length limit
    needs. Every channel is tried; any that failed makes a NotifyError naming them."""
    title = subject(sections, now, prefix)
    failed: list[str] = []
    for channel in targets:
        bodies = render_notice(sections, channel.format, channel.limit, channel.size)
        with _quiet() as log:
            for number, body in enumerate(bodies, 1):
                part = f" ({number}/{len(bodies)})" if len(bodies) > 1 else ""
                try:
                    sent = channel.plugin.notify(
                        body=body, title=title + part, body_format=channel.format
                    )
                except Exception as exc:  # a plugin's bug must not cost the other channels
                    log.append(f"{type(exc).__name__}: {exc}")
                    sent = False
                if not sent:
                    why = _cause(log, [channel.url]) or "the service did not accept it"
                    where = f"part {number} of {len(bodies)}: " if len(bodies) > 1 else ""
                    failed.append(f"{channel.service} ({channel.shown}): {where}{why}")
                    break
    if failed:
        raise NotifyError(
            f"notify failed for {len(failed)} of {len(targets)} channel(s): " + "; ".join(failed)
        )


class _Collect(logging.Handler):
    def __init__(self, into: list[str]) -> None:
        super().__init__(logging.WARNING)
        self.into = into

    def emit(self, entry: logging.LogRecord) -> None:
        with contextlib.suppress(Exception):  # a malformed log call: nothing worth saying
            self.into.append(entry.getMessage())


class _quiet:
    """Apprise's log lines while the block runs, kept instead of printed."""

    def __enter__(self) -> list[str]:
        self.log: list[str] = []
        self.logger = logging.getLogger("apprise")
        self.handler = _Collect(self.log)
        self.saved = self.logger.propagate, self.logger.level
        self.logger.addHandler(self.handler)
        self.logger.propagate = False
        self.logger.setLevel(logging.WARNING)
        return self.log

    def __exit__(self, *exc: object) -> None:
        self.logger.removeHandler(self.handler)
        self.logger.propagate, level = self.saved
        self.logger.setLevel(level)


def _cause(log: list[str], urls: Sequence[str]) -> str:
    """The last thing Apprise said, one line, without the URL or any part of it that may
    be a secret."""
    if not log:
        return ""
    text = clean_line(log[-1])[:300]
    secrets: list[str] = []
    for url in urls:
        text = text.replace(url, redact_url(url))
        secrets += [p for p in _secret_parts(url) if len(p) >= 4]
    return redact(text, sorted(set(secrets), key=len, reverse=True))


def _secret_parts(url: str) -> list[str]:
    """Every piece of *url* redact_url hides: user, password, path segments, query values
    (the host and port it shows are no secret)."""
    import re
    from urllib.parse import unquote

    shown = redact_url(url).partition("://")[2]
    rest = url.partition("://")[2]
    pieces = {unquote(piece) for piece in re.split(r"[/:@?&=#]+", rest) if piece}
    return sorted(p for p in pieces if p not in shown)
