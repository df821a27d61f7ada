"""Where papers come from: one module per service, each a pure parse_*() and a fetch_*()."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property

from papertrack.errors import UsageError

DEFAULT_HF_ENDPOINT = "https://huggingface.co"
DEFAULT_ARXIV_RSS = "https://rss.arxiv.org"
DEFAULT_ARXIV_API = "https://export.arxiv.org/api/query"
DEFAULT_ARXIV_OAI = "https://oaipmh.arxiv.org/oai"
"""arXiv's OAI-PMH service since March 2025 (export.arxiv.org/oai2 before)."""
DEFAULT_TIMEOUT = 20.0
DEFAULT_BACKOFF = 1.0
DEFAULT_ARXIV_DELAY = 3.0
"""arXiv's rule: one request every 3 seconds."""
DEFAULT_BUDGET = 300.0
"""Seconds one command may spend on the network in all, waits between retries included:
seven uncached arXiv days at one request every 3 s fit well inside it."""


class Network:
    """Where the services are and how patiently to ask them, read from one run's environment.

    Each value is checked when first used, so a bad ``HF_ENDPOINT`` stops a run that talks to
    Hugging Face, and nothing else.
    """

    def __init__(self, environ: Mapping[str, str]) -> None:
        self.environ = environ

    @cached_property
    def hf_endpoint(self) -> str:
        """``HF_ENDPOINT`` as huggingface_hub reads it (trailing slashes dropped); unlike
        huggingface_hub, an empty value means the default, not a broken relative URL."""
        return self._url("HF_ENDPOINT", DEFAULT_HF_ENDPOINT)

    @cached_property
    def hf_headers(self) -> dict[str, str]:
        token = self.environ.get("HF_TOKEN", "").strip()
        if token and not (token.isascii() and token.isprintable() and " " not in token):
            # Never quoted: a token pasted with a second line is still mostly a secret.
            raise UsageError(
                "HF_TOKEN is not a token: it must be printable ASCII without spaces or "
                "line breaks (was it read from a file with more than one line?)"
            )
        return {"Authorization": f"Bearer {token}"} if token else {}

    @cached_property
    def arxiv_rss(self) -> str:
        return self._url("PAPERTRACK_ARXIV_RSS_URL", DEFAULT_ARXIV_RSS)

    @cached_property
    def arxiv_api(self) -> str:
        return self._url("PAPERTRACK_ARXIV_API_URL", DEFAULT_ARXIV_API)

    @cached_property
    def arxiv_oai(self) -> str:
        return self._url("PAPERTRACK_ARXIV_OAI_URL", DEFAULT_ARXIV_OAI)

    @cached_property
    def timeout(self) -> float:
        return self.seconds("PAPERTRACK_TIMEOUT", DEFAULT_TIMEOUT)

    @cached_property
    def backoff(self) -> float:
        return self.seconds("PAPERTRACK_BACKOFF", DEFAULT_BACKOFF)

    @cached_property
    def budget(self) -> float:
        return self.seconds("PAPERTRACK_BUDGET", DEFAULT_BUDGET)

    @cached_property
    def arxiv_delay(self) -> float:
        return self.seconds("PAPERTRACK_ARXIV_DELAY", DEFAULT_ARXIV_DELAY)

    def seconds(self, name: str, default: float) -> float:
        """A duration in seconds from the variable *name*, or *default* when it is unset."""
        raw = self.environ.get(name, "").strip()
        if not raw:
            return default
        try:
            value = float(raw)
        except ValueError:
            raise UsageError(f"{name}={raw!r} is not a number of seconds") from None
        if not value >= 0:  # also refuses nan
            raise UsageError(f"{name}={raw!r} must be 0 or more seconds")
        if value > 86_400:
            raise UsageError(f"{name}={raw!r} is more than a day; papertrack waits at most 86400 s")
        return value

    def _url(self, variable: str, default: str) -> str:
        from urllib.parse import urlsplit  # only a fetch needs it

        value = self.environ.get(variable, "").strip().rstrip("/") or default
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise UsageError(f"{variable}={value!r} is not an http(s) URL (default {default})")
        return value
