"""Exceptions papertrack raises on purpose; the CLI turns each into one line and an exit code."""

from __future__ import annotations

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_EMPTY = 3
EXIT_INTERNAL = 70
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141
EXIT_TERMINATED = 143


class PapertrackError(Exception):
    """An expected failure: a message for the user and an optional hint on what to do."""

    exit_code = EXIT_FAILURE

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message} ({self.hint})"


class UsageError(PapertrackError):
    """Bad input on the command line or in the environment."""

    exit_code = EXIT_USAGE


class FetchError(PapertrackError):
    """A request failed: the network, the server, or a body we cannot use."""

    def __init__(
        self,
        url: str,
        cause: str,
        *,
        hint: str | None = None,
        retryable: bool = False,
        status: int | None = None,
    ) -> None:
        super().__init__(f"{url}: {cause}", hint=hint)
        self.url = url
        self.cause = cause
        self.retryable = retryable
        self.status = status
        """The HTTP status the server answered with, when it answered with an error."""


class NotCachedError(PapertrackError):
    """--offline was asked for and the cache does not hold the listing."""


class Interrupted(BaseException):
    """Ctrl-C (SIGINT) or SIGTERM. A BaseException, like KeyboardInterrupt, so that no
    ``except Exception`` on the way up can swallow it."""

    def __init__(self, reason: str, exit_code: int) -> None:
        super().__init__(reason)
        self.reason = reason
        self.exit_code = exit_code

    @classmethod
    def from_keyboard(cls) -> Interrupted:
        return cls("interrupted", EXIT_INTERRUPTED)


class OutputClosed(Exception):
    """Whoever read our standard output (head, less) closed it; not an error to report."""


class ParseError(ValueError):
    """A response body that is not what the service documents; the fetcher adds the URL."""
