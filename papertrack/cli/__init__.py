"""Command-line entry point: builds the run's Context, runs the command, and turns every
failure into one line and an exit code.

Exit codes (README "Exit codes"): 0 success, 1 failure (network, server, cache),
2 usage error, 3 empty digest with --fail-if-empty, 70 internal error (a bug),
130 interrupted (Ctrl-C), 141 output pipe closed early, 143 terminated (SIGTERM).
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, NoReturn

from papertrack.errors import (
    EXIT_BROKEN_PIPE,
    EXIT_FAILURE,
    EXIT_INTERNAL,
    EXIT_OK,
    Interrupted,
    OutputClosed,
    PapertrackError,
)

if TYPE_CHECKING:
    from papertrack.cli.context import Context


def run(argv: Sequence[str] | None = None, context: Context | None = None) -> int:
    """Run papertrack with *argv* (default: sys.argv[1:]) in *context* (default: this
    process's streams, environment and clock) and return the exit code."""
    args = list(argv) if argv is not None else sys.argv[1:]
    if context is None:
        from papertrack.cli.context import Context

        try:
            context = Context.from_process()
        except PapertrackError as exc:  # a bad PAPERTRACK_NOW
            sys.stderr.write(f"papertrack: error: {exc}\n")
            return exc.exit_code
    try:
        code = _dispatch(args, context)
        context.stdout.flush()
        return code
    except PapertrackError as exc:
        _quietly(context.error, str(exc))
        return exc.exit_code
    except OutputClosed:
        # The reader (head, less) went away: stop quietly, as Unix tools do.
        return EXIT_BROKEN_PIPE
    except (KeyboardInterrupt, Interrupted) as exc:
        signal = exc if isinstance(exc, Interrupted) else Interrupted.from_keyboard()
        _quietly(context.note, f"papertrack: {signal.reason}")
        return signal.exit_code
    except OSError as exc:
        # The system said no where no command expected it (a full disk or a planted
        # symlink at a lock file): a failure to report, not a bug.
        where = f"{exc.filename}: " if exc.filename else ""
        _quietly(context.error, f"{where}{exc.strerror or exc}")
        return EXIT_FAILURE
    except Exception as exc:
        # A bug, not bad input: say so in one line; the traceback is there when asked for.
        if context.debug:
            raise
        _quietly(
            context.error,
            f"internal error: {type(exc).__name__}: {exc} (this is a bug; please report it "
            "with the command you ran, or set PAPERTRACK_DEBUG=1 to see the traceback)",
        )
        return EXIT_INTERNAL


def _quietly(say: Callable[[str], None], message: str) -> None:
    """Report on stderr unless stderr itself is gone."""
    with contextlib.suppress(OutputClosed, OSError):
        say(message)


def _dispatch(args: list[str], context: Context) -> int:
    from papertrack.cli import fast

    if fast.run(args, context):
        return EXIT_OK
    from contextlib import redirect_stderr, redirect_stdout

    from typer import Abort
    from typer._click.exceptions import ClickException, NoArgsIsHelpError

    from papertrack.cli.app import app

    try:
        # Click writes help, version and completion to sys.stdout: point it at the run's.
        with redirect_stdout(context.stdout), redirect_stderr(context.stderr):
            result = app(args=args, prog_name="papertrack", standalone_mode=False, obj=context)
    except NoArgsIsHelpError as exc:
        # A bare "papertrack" (or "papertrack config"): the help is the answer.
        context.write(f"{exc.format_message().rstrip()}\n")
        return exc.exit_code
    except ClickException as exc:
        # Click would print usage, a blank line and a message; one line says it all.
        message = exc.format_message().rstrip()
        click_context = getattr(exc, "ctx", None)
        if click_context is not None:
            stop = "" if message.endswith((".", "?", "!")) else "."
            message = f"{message}{stop} See '{click_context.command_path} --help'."
        context.error(message)
        return exc.exit_code
    except Abort:
        raise KeyboardInterrupt from None
    return result if isinstance(result, int) else EXIT_OK


def _silence_stdout() -> None:
    # After EPIPE, the interpreter's own flush at exit would complain on stderr.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def main(argv: Sequence[str] | None = None) -> NoReturn:
    """The console script: run, then leave at once.

    Ctrl-C and SIGTERM end the run within a second: the handlers turn them into an
    exception in the main thread, and the exit below does not wait for threads still
    blocked in a request (their cache writes are atomic: complete or absent).
    """
    from papertrack.cli import signals

    signals.install()
    try:
        code = run(argv)
        signals.ignore()  # from here on, the way out
    except Interrupted as exc:
        # The signal came while run() was already reporting something else: still one line.
        code = exc.exit_code
        with contextlib.suppress(OSError, ValueError):
            sys.stderr.write(f"papertrack: {exc.reason}\n")
    if code == EXIT_BROKEN_PIPE:
        _silence_stdout()
    # Every file, database and lock was closed by the command, and no thread is waited
    # for: the interpreter's own teardown (freeing every module and object, 15-30 ms
    # here, a sixth of a cached search) has nothing left to do. Leave once the streams
    # are out.
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(code)
