"""Command-line entry point: runs the Typer app and turns every failure into one line.

Exit codes (README "Exit codes"): 0 success, 1 failure (network, server, cache),
2 usage error, 3 empty digest with --fail-if-empty, 70 internal error (a bug),
130 interrupted, 141 output pipe closed early.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from papertrack.errors import (
    EXIT_BROKEN_PIPE,
    EXIT_FAILURE,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_OK,
    OutputClosed,
    PapertrackError,
)


def error_line(message: str) -> None:
    sys.stderr.write(f"papertrack: error: {message}\n")
    sys.stderr.flush()


def run(argv: Sequence[str] | None = None) -> int:
    """Run papertrack with *argv* (default: sys.argv[1:]) and return the exit code."""
    for stream in (sys.stdout, sys.stderr):
        # A title in a script the terminal's encoding lacks must not crash the run.
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="replace")
    args = list(argv) if argv is not None else sys.argv[1:]
    try:
        return _dispatch(args)
    except PapertrackError as exc:
        error_line(str(exc))
        return exc.exit_code
    except KeyboardInterrupt:
        sys.stderr.write("papertrack: interrupted\n")
        return EXIT_INTERRUPTED
    except (BrokenPipeError, OutputClosed):
        # The reader (head, less) went away: stop quietly, as Unix tools do.
        _silence_stdout()
        return EXIT_BROKEN_PIPE
    except Exception as exc:
        # A bug, not bad input: say so in one line; the traceback is there when asked for.
        if os.environ.get("PAPERTRACK_DEBUG"):
            raise
        error_line(
            f"internal error: {type(exc).__name__}: {exc} (this is a bug; please report it "
            "with the command you ran, or set PAPERTRACK_DEBUG=1 to see the traceback)"
        )
        return EXIT_INTERNAL


def _dispatch(args: list[str]) -> int:
    from papertrack.cli import fast

    if fast.run(args):
        sys.stdout.flush()
        return EXIT_OK
    from typer import Abort
    from typer._click.exceptions import ClickException, NoArgsIsHelpError

    from papertrack.cli.app import app

    try:
        result = app(args=args, prog_name="papertrack", standalone_mode=False)
        sys.stdout.flush()
    except NoArgsIsHelpError as exc:
        # A bare "papertrack" (or "papertrack config"): the help is the answer.
        sys.stdout.write(f"{exc.format_message().rstrip()}\n")
        return exc.exit_code
    except ClickException as exc:
        # Click would print usage, a blank line and a message; one line says it all.
        message = exc.format_message()
        context = getattr(exc, "ctx", None)
        if context is not None:
            message = f"{message.rstrip('.')}. See '{context.command_path} --help'."
        error_line(message)
        return exc.exit_code
    except Abort:
        raise KeyboardInterrupt from None
    return result if isinstance(result, int) else EXIT_OK


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def main(argv: Sequence[str] | None = None) -> NoReturn:
    try:
        code = run(argv)
    except BrokenPipeError:
        _silence_stdout()
        code = EXIT_BROKEN_PIPE
    sys.exit(code if code is not None else EXIT_FAILURE)
