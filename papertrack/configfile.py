"""Changing the config file: read-modify-write under a lock, atomic replacement, and the
dotted-key edits of ``config set``/``unset``. Reading it is papertrack.config's job."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from papertrack.config import checked, find_key, load, parse_toml
from papertrack.errors import PapertrackError, UsageError


@contextmanager
def editing(path: Path) -> Iterator[dict[str, Any]]:
    """Read-modify-write the config under a lock; the new file replaces the old atomically."""
    import tomli_w

    with locked(path):
        document = dict(load(path).document)
        yield document
        data = tomli_w.dumps(document).encode("utf-8")
        parse_toml(data.decode("utf-8"))  # never write what we could not read back
        write_file(path, data)


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """The config's edit lock (a file beside it), so concurrent edits all land."""
    from filelock import FileLock, Timeout

    lock = FileLock(path.with_name(f".{path.name}.lock"), timeout=30)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        lock.acquire()
    except Timeout:
        raise PapertrackError(
            f"another papertrack has been editing {path} for 30 s", hint="try again"
        ) from None
    except OSError as exc:
        raise PapertrackError(
            f"cannot write the config file {path}: {exc.strerror or exc}",
            hint="make its folder writable, or point PAPERTRACK_CONFIG elsewhere",
        ) from None
    try:
        yield
    finally:
        lock.release()


def write_file(path: Path, data: bytes) -> None:
    """Replace the config file atomically, user-only; a refusing disk is one clear error."""
    from papertrack.files import atomic_write_bytes

    try:
        atomic_write_bytes(path, data, mode=0o600)
    except OSError as exc:
        raise PapertrackError(
            f"cannot write the config file {path}: {exc.strerror or exc}; it is unchanged"
        ) from None


def set_value(document: dict[str, Any], name: str, raw: str) -> Any:
    key, parts = find_key(name)
    value = checked(key, raw, what=name, from_text=True)
    table = document
    for part in parts[:-1]:
        child = table.setdefault(part, {})
        if not isinstance(child, dict):
            raise UsageError(f"cannot set {name}: {part} is not a table in the config")
        table = child
    table[parts[-1]] = value
    return value


def unset_value(document: dict[str, Any], name: str) -> bool:
    _, parts = find_key(name)
    tables = [document]
    for part in parts[:-1]:
        child = tables[-1].get(part)
        if not isinstance(child, dict):
            return False
        tables.append(child)
    if parts[-1] not in tables[-1]:
        return False
    del tables[-1][parts[-1]]
    # Drop tables the removal emptied, innermost first, so no "[mail]" is left hanging.
    for depth in range(len(tables) - 1, 0, -1):
        if not tables[depth]:
            del tables[depth - 1][parts[depth - 1]]
    return True
