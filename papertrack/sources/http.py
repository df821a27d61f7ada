"""One HTTP client for every source: user agent, timeouts, bounded retries, a size cap.

This is the only module that imports httpx, and only commands that fetch import it.
"""

from __future__ import annotations

import json
import platform
import re
import sys
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Mapping
from contextlib import AbstractContextManager, nullcontext
from email.utils import parsedate_to_datetime
from types import ModuleType
from typing import cast
from urllib.parse import urlencode

from papertrack import __version__
from papertrack.errors import FetchError
from papertrack.record import record
from papertrack.sources import DEFAULT_BACKOFF, DEFAULT_BUDGET, DEFAULT_TIMEOUT
from papertrack.text import clean_line, redact

# httpx imports its own command-line tool on import, which pulls in click, rich and pygments
# whenever they happen to be installed (~35 ms). papertrack never uses that tool.
# None in sys.modules is Python's documented "do not import"; typeshed's ModuleType-only
# signature has no room for it, hence the cast.
sys.modules.setdefault("httpx._main", cast(ModuleType, None))

import httpx  # noqa: E402  (after the line above, on purpose)

USER_AGENT = (
    f"papertrack/{__version__} (command-line paper tracker; "
    f"python/{platform.python_version()}; httpx/{httpx.__version__})"
)
MAX_BODY_BYTES = 16 * 1024 * 1024
"""A page of Daily Papers is under 1 MB and a busy arXiv feed a few MB; anything bigger is
not a listing, and reading stops there, so memory stays bounded."""
MAX_COMMAND_BYTES = 48 * 1024 * 1024
"""Bytes one command may receive in all (after decompression): a hundred real days of Daily
Papers are under 40 MB, most under 20 MB. Past it, every further request fails like any
fetch failure, so parsed papers (a few times their bytes) stay within ~200 MB."""
MAX_ATTEMPTS = 3
MAX_RETRY_WAIT = 60.0
"""Seconds a single request may spend waiting between attempts, all retries together."""
REQUEST_DEADLINE_FACTOR = 3
"""A request (its connection, headers and whole body; retries apart) must end within this
many read timeouts: a server trickling one byte at a time cannot hold a run for longer."""
ACCEPT_ENCODING = "gzip"
"""The one compression papertrack asks for and decodes itself, with a bounded inflater:
httpx would inflate every layer of ``Content-Encoding: gzip, gzip`` without a limit."""
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})

_RATELIMIT_RESET = re.compile(r"(?:^|;)\s*t=([0-9]{1,9})")


def build_url(base: str, params: Mapping[str, str | int] | None = None) -> str:
    if not params:
        return base
    return f"{base}{'&' if '?' in base else '?'}{urlencode(params)}"


@record
class Response:
    url: str
    status: int
    headers: Mapping[str, str]
    body: bytes


def retry_after_seconds(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """How long the server asked us to wait: HF's ``RateLimit: …;t=N`` or ``Retry-After``."""
    ratelimit = headers.get("ratelimit")
    if ratelimit:
        match = _RATELIMIT_RESET.search(ratelimit)
        if match:
            return float(match.group(1))
    retry_after = headers.get("retry-after")
    if retry_after:
        value = retry_after.strip()
        if value.isascii() and value.isdigit():
            return float(value[:12])
        try:
            when = parsedate_to_datetime(value).timestamp()
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
        return max(0.0, when - (now if now is not None else time.time()))
    return None


def _describe(exc: httpx.HTTPError, timeout: float) -> str:
    if isinstance(exc, httpx.ConnectTimeout):
        return f"connection timed out after {timeout:g} s"
    if isinstance(exc, httpx.ReadTimeout):
        return f"no answer within {timeout:g} s (read timeout)"
    if isinstance(exc, httpx.TimeoutException):
        return f"timed out after {timeout:g} s"
    if isinstance(exc, httpx.ConnectError):
        reason = str(exc) or "connection failed"
        return f"cannot connect: {reason}"
    if isinstance(exc, httpx.TooManyRedirects):
        return "too many redirects"
    if isinstance(exc, httpx.RemoteProtocolError):
        return f"the server broke the connection: {exc}"
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


class _OnFirstUse(httpx.BaseTransport):
    """A transport built when first needed. A verifying TLS transport loads the CA bundle
    (~20 ms): a run that only talks plain HTTP (a local mirror) or reads the cache should
    not pay for it."""

    def __init__(self, build: Callable[[], httpx.BaseTransport]) -> None:
        self._build = build
        self._transport: httpx.BaseTransport | None = None
        self._lock = threading.Lock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        with self._lock:
            if self._transport is None:
                self._transport = self._build()
        return self._transport.handle_request(request)

    def close(self) -> None:
        if self._transport is not None:
            self._transport.close()


class HttpClient:
    """A small wrapper over httpx.Client that turns every failure into a FetchError."""

    def __init__(
        self,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        backoff: float = DEFAULT_BACKOFF,
        budget: float = DEFAULT_BUDGET,
        max_body: int = MAX_BODY_BYTES,
        max_total: int = MAX_COMMAND_BYTES,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.timeout = timeout
        self.backoff = backoff
        self.budget = budget
        """Seconds this client (one command) may spend on the network in all, waits included."""
        self.request_deadline = max(timeout, 1.0) * REQUEST_DEADLINE_FACTOR
        self.max_body = max_body
        self.max_total = max_total
        self.received = 0
        self._count_lock = threading.Lock()
        self._sleep = sleep
        self._clock = clock
        self._budget_ends = clock() + budget
        mounts: dict[str, httpx.BaseTransport | None] | None = None
        if transport is None:
            # TLS (and its CA bundle) for https only, and only once a request needs it.
            transport = _OnFirstUse(lambda: httpx.HTTPTransport(verify=True))
            mounts = {"http://": _OnFirstUse(lambda: httpx.HTTPTransport(verify=False))}
        self._client = httpx.Client(
            headers={"User-Agent": USER_AGENT},
            timeout=httpx.Timeout(self.timeout),
            follow_redirects=True,
            max_redirects=5,
            transport=transport,
            mounts=mounts,
        )

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def get(
        self,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        gate: Callable[[], AbstractContextManager[None]] | None = None,
        check: Callable[[Response], str | None] | None = None,
        ok_statuses: frozenset[int] = frozenset(),
        backoff: float | None = None,
    ) -> Response:
        """GET *url*, retrying 429, 5xx and timeouts with bounded backoff.

        *gate* wraps every attempt (a service's rate limit); *check* may call a 2xx body
        a retryable failure (arXiv's "Rate exceeded." with HTTP 200); statuses in
        *ok_statuses* are returned for the caller to read rather than raised.
        """
        base = self.backoff if backoff is None else backoff
        # A server may echo what it was sent (an error page quoting the Authorization
        # header, plain or in base64): nothing we report may carry a credential.
        secrets = [
            v.partition(" ")[2] or v
            for k, v in (headers or {}).items()
            if k.lower() == "authorization"
        ]
        try:
            return self._get(url, headers, gate, check, ok_statuses, base, secrets)
        except FetchError as exc:
            exc.cause = _one_line(redact(exc.cause, secrets), 300)
            exc.message = f"{exc.url}: {exc.cause}"
            exc.args = (exc.message,)
            raise

    def _get(
        self,
        url: str,
        headers: Mapping[str, str] | None,
        gate: Callable[[], AbstractContextManager[None]] | None,
        check: Callable[[Response], str | None] | None,
        ok_statuses: frozenset[int],
        base: float,
        secrets: list[str],
    ) -> Response:
        waited = 0.0
        for attempt in range(1, MAX_ATTEMPTS + 1):
            delay = base * 2 ** (attempt - 1)
            try:
                with gate() if gate is not None else nullcontext():
                    response = self._get_once(url, headers)
            except FetchError as exc:
                if not exc.retryable or attempt == MAX_ATTEMPTS:
                    raise
                failure: FetchError = exc
            else:
                if response.status < 400 or response.status in ok_statuses:
                    problem = check(response) if check is not None else None
                    if problem is None:
                        return response
                    failure = FetchError(url, problem, hint="try again later")
                    if attempt == MAX_ATTEMPTS:
                        raise failure
                else:
                    failure = status_error(response, secrets)
                    if response.status not in RETRY_STATUSES or attempt == MAX_ATTEMPTS:
                        raise failure
                    asked = retry_after_seconds(response.headers)
                    delay = asked if asked is not None else delay
            if waited + delay > MAX_RETRY_WAIT:
                raise FetchError(
                    url,
                    f"{failure.cause}; the server asks to wait {delay:.0f} s, "
                    f"more than papertrack waits ({MAX_RETRY_WAIT:.0f} s)",
                    hint="try again later",
                )
            if self._clock() + delay > self._budget_ends:
                raise FetchError(
                    url, f"{failure.cause}; {self._budget_spent()}", hint="try again later"
                )
            self._sleep(delay)
            waited += delay
        raise AssertionError("unreachable")  # pragma: no cover

    def _get_once(self, url: str, headers: Mapping[str, str] | None) -> Response:
        now = self._clock()
        ends = min(now + self.request_deadline, self._budget_ends)
        if ends <= now:
            raise FetchError(url, self._budget_spent(), hint="try again later")
        timeout = min(self.timeout, ends - now)
        try:
            with self._client.stream(
                "GET",
                url,
                headers={**(headers or {}), "Accept-Encoding": ACCEPT_ENCODING},
                timeout=httpx.Timeout(timeout),
            ) as stream:
                declared = stream.headers.get("content-length", "")
                if declared.isascii() and declared.isdigit() and int(declared[:20]) > self.max_body:
                    raise FetchError(
                        url,
                        f"response larger than {self.max_body // (1024 * 1024)} MB; "
                        "refusing to read it",
                    )
                if stream.is_stream_consumed:
                    # A response built in memory (a test transport): already decoded.
                    body = _Body(url, "", self.max_body, self._spend)
                    chunks: Iterable[bytes] = [stream.content]
                else:
                    encoding = stream.headers.get("content-encoding", "")
                    body = _Body(url, encoding, self.max_body, self._spend)
                    chunks = stream.iter_raw()
                for chunk in chunks:
                    if self._clock() > ends:
                        raise FetchError(url, self._overdue(ends - now), retryable=False)
                    body.feed(chunk)
                return Response(url, stream.status_code, stream.headers, body.finish())
        except httpx.HTTPError as exc:
            retryable = isinstance(exc, (httpx.TimeoutException, httpx.RemoteProtocolError))
            if isinstance(exc, httpx.TimeoutException) and self._clock() >= ends:
                raise FetchError(url, self._overdue(ends - now), retryable=False) from None
            raise FetchError(url, _describe(exc, timeout), retryable=retryable) from None
        except httpx.InvalidURL as exc:
            raise FetchError(url, f"invalid URL: {clean_line(str(exc))}") from None
        except UnicodeEncodeError:
            # A header value (an ETag a server sent, a token) that HTTP cannot carry.
            raise FetchError(url, "a request header is not ASCII; not sent") from None

    def allow(self, total: int) -> None:
        """Let this command receive up to *total* bytes in all (never fewer than before):
        a range of many days may need more than one day's share."""
        with self._count_lock:
            self.max_total = max(self.max_total, total)

    def _spend(self, url: str, size: int) -> None:
        """Count *size* more bytes received; stop once the command has had its share. Bytes
        are counted as they arrive, so sixteen responses in flight at once share it too."""
        with self._count_lock:
            self.received += size
            over = self.received > self.max_total
        if over:
            raise FetchError(
                url,
                f"this command has received more than {self.max_total // (1024 * 1024)} MB; "
                "refusing to read more (a real day of Daily Papers is well under 1 MB)",
            )

    def _overdue(self, seconds: float) -> str:
        if self._clock() >= self._budget_ends:
            return self._budget_spent()
        return f"the server took more than {seconds:.0f} s to send one response; giving up"

    def _budget_spent(self) -> str:
        return (
            f"this command's {self.budget:g} s for the network are spent "
            "(PAPERTRACK_BUDGET); giving up"
        )


def _error_detail(body: bytes, secrets: list[str]) -> str:
    """A short server message from a JSON ``{"error": …}`` or a short plain-text body,
    secrets redacted before it is cut (a cut can leave half a token no redaction matches)."""
    text = body[:2000].decode("utf-8", errors="replace").strip()
    if not text:
        return ""
    if text.startswith("{"):
        try:
            data = json.loads(body[:100_000])
        except (ValueError, RecursionError):
            return ""
        if isinstance(data, dict):
            message = data.get("error") or data.get("message")
            if isinstance(message, str):
                return _one_line(redact(message[:10_000], secrets))
        return ""
    if text.startswith("<"):
        return ""  # an HTML error page says nothing a user can act on
    return _one_line(redact(text, secrets))


def _one_line(text: str, limit: int = 200) -> str:
    line = clean_line(text)
    return line if len(line) <= limit else line[: limit - 1] + "…"


class _Body:
    """A response body decoded as it arrives, never past *limit* bytes: the raw bytes and
    every inflated piece are counted, so a small gzip bomb stops at the cap."""

    def __init__(
        self, url: str, encoding: str, limit: int, spend: Callable[[str, int], None]
    ) -> None:
        self.url = url
        self.limit = limit
        self._spend = spend
        self.size = 0
        self.parts: list[bytes] = []
        codings = [c.strip().lower() for c in encoding.split(",") if c.strip()]
        codings = [c for c in codings if c != "identity"]
        self._inflater: zlib._Decompress | None = None
        if codings == ["gzip"] or codings == ["x-gzip"]:
            self._inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
        elif codings:
            shown = clean_line(encoding)[:60]
            raise FetchError(
                url,
                f"unsupported Content-Encoding {shown!r}; papertrack asks for gzip and reads "
                "gzip (once) or uncompressed bodies",
            )

    def feed(self, raw: bytes) -> None:
        if self._inflater is None:
            self._add(raw)
            return
        data = raw
        while data:
            # max_length bounds each piece: never more than the room left, plus one byte
            # to notice the overflow.
            self._add(self._inflater.decompress(data, self.limit - self.size + 1))
            data = self._inflater.unconsumed_tail
            if self._inflater.eof:
                rest = self._inflater.unused_data
                if rest.strip(b"\x00"):
                    # A second gzip member (valid gzip): inflate it as well, same bound.
                    self._inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
                    data = rest
                else:
                    data = b""
        return

    def finish(self) -> bytes:
        if self._inflater is not None and not self._inflater.eof and self.size:
            raise FetchError(self.url, "the compressed body ended early", retryable=True)
        return b"".join(self.parts)

    def _add(self, piece: bytes) -> None:
        self._spend(self.url, len(piece))
        self.size += len(piece)
        if self.size > self.limit:
            self.parts.clear()
            raise FetchError(
                self.url,
                f"response larger than {self.limit // (1024 * 1024)} MB "
                "(after decompression); refusing to read it",
            )
        if piece:
            self.parts.append(piece)


def status_error(response: Response, secrets: list[str]) -> FetchError:
    """The failure an HTTP error status means, with what the server said (credentials out)."""
    reason = httpx.codes.get_reason_phrase(response.status) or "error"
    cause = f"HTTP {response.status} {reason}"
    detail = _error_detail(response.body, secrets)
    if detail:
        cause = f"{cause}: {detail}"
    hint = None
    if response.status == 429:
        hint = "rate limited; try again in a few minutes"
    elif response.status >= 500:
        hint = "the service is having trouble; try again later"
    return FetchError(response.url, cause, hint=hint, status=response.status)
