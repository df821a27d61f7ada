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
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager, nullcontext
from email.utils import parsedate_to_datetime
from urllib.parse import urlencode

from papertrack import __version__
from papertrack.errors import FetchError
from papertrack.record import record
from papertrack.sources import DEFAULT_BACKOFF, DEFAULT_TIMEOUT
from papertrack.text import clean_line, redact

# httpx imports its own command-line tool on import, which pulls in click, rich and pygments
# whenever they happen to be installed (~35 ms). papertrack never uses that tool.
sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]

import httpx  # noqa: E402  (after the line above, on purpose)

USER_AGENT = (
    f"papertrack/{__version__} (command-line paper tracker; "
    f"python/{platform.python_version()}; httpx/{httpx.__version__})"
)
MAX_BODY_BYTES = 16 * 1024 * 1024
"""A page of Daily Papers is under 1 MB and a busy arXiv feed a few MB; anything bigger is
not a listing, and reading stops there, so memory stays bounded."""
MAX_ATTEMPTS = 3
MAX_RETRY_WAIT = 60.0
"""Seconds a single request may spend waiting between attempts, all retries together."""
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})

_RATELIMIT_RESET = re.compile(r"(?:^|;)\s*t=(\d+)")


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
        if value.isdigit():
            return float(value)
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        return max(0.0, when.timestamp() - (now if now is not None else time.time()))
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
        max_body: int = MAX_BODY_BYTES,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.timeout = timeout
        self.backoff = backoff
        self.max_body = max_body
        self._sleep = sleep
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
        # header): nothing we report may carry a credential.
        secrets = [
            v.partition(" ")[2] or v
            for k, v in (headers or {}).items()
            if k.lower() == "authorization"
        ]
        try:
            return self._get(url, headers, gate, check, ok_statuses, base)
        except FetchError as exc:
            if secrets:
                exc.cause = redact(exc.cause, secrets)
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
                    failure = self._status_error(response)
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
            self._sleep(delay)
            waited += delay
        raise AssertionError("unreachable")  # pragma: no cover

    def _get_once(self, url: str, headers: Mapping[str, str] | None) -> Response:
        try:
            with self._client.stream("GET", url, headers=headers) as stream:
                declared = stream.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > self.max_body:
                    raise FetchError(url, self._too_big())
                chunks: list[bytes] = []
                size = 0
                for chunk in stream.iter_bytes():
                    size += len(chunk)
                    if size > self.max_body:
                        raise FetchError(url, self._too_big())
                    chunks.append(chunk)
                return Response(url, stream.status_code, stream.headers, b"".join(chunks))
        except httpx.HTTPError as exc:
            retryable = isinstance(exc, (httpx.TimeoutException, httpx.RemoteProtocolError))
            raise FetchError(url, _describe(exc, self.timeout), retryable=retryable) from None
        except httpx.InvalidURL as exc:
            raise FetchError(url, f"invalid URL: {exc}") from None

    def _too_big(self) -> str:
        return f"response larger than {self.max_body // (1024 * 1024)} MB; refusing to read it"

    @staticmethod
    def _status_error(response: Response) -> FetchError:
        reason = httpx.codes.get_reason_phrase(response.status) or "error"
        cause = f"HTTP {response.status} {reason}"
        detail = _error_detail(response.body)
        if detail:
            cause = f"{cause}: {detail}"
        hint = None
        if response.status == 429:
            hint = "rate limited; try again in a few minutes"
        elif response.status >= 500:
            hint = "the service is having trouble; try again later"
        return FetchError(response.url, cause, hint=hint)


def _error_detail(body: bytes) -> str:
    """A short server message from a JSON ``{"error": …}`` or a short plain-text body."""
    text = body[:2000].decode("utf-8", errors="replace").strip()
    if not text:
        return ""
    if text.startswith("{"):
        try:
            data = json.loads(body)
        except ValueError:
            return ""
        if isinstance(data, dict):
            message = data.get("error") or data.get("message")
            if isinstance(message, str):
                return _one_line(message)
        return ""
    if text.startswith("<"):
        return ""  # an HTML error page says nothing a user can act on
    return _one_line(text)


def _one_line(text: str, limit: int = 200) -> str:
    line = clean_line(text)
    return line if len(line) <= limit else line[: limit - 1] + "…"
