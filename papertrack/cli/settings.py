"""`config` and `watch`: reading and editing config.toml."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from papertrack import config
from papertrack.cli.listing import note
from papertrack.errors import PapertrackError, UsageError

TEMPLATE = """\
# papertrack configuration: see README "Configuration" for every key.
# sources = "all"
# categories = ["cs.CL", "cs.LG"]
#
# [watch.llm]
# terms = ["language model", "LLM"]
# categories = ["cs.CL"]
# min_upvotes = 5
"""


def _print_value(value: Any) -> None:
    sys.stdout.write(f"{value}\n" if isinstance(value, str) else f"{json.dumps(value)}\n")


def config_path() -> None:
    sys.stdout.write(f"{config.config_path()}\n")


def config_show() -> None:
    import tomli_w

    settings = config.load(warn=note)
    if settings.document:
        sys.stdout.write(tomli_w.dumps(settings.document))
    else:
        sys.stdout.write(f"# no settings yet in {settings.path}\n")
    defaults = [
        k for k in config.KEYS if k.default not in (None, []) and settings.get(k.name) == k.default
    ]
    if defaults:
        sys.stdout.write("\n# defaults in effect:\n")
        for key in defaults:
            sys.stdout.write(f"# {key.name} = {json.dumps(key.default)}\n")


def config_get(name: str) -> int:
    value = config.load(warn=note).get(name)
    if value is None:
        note(f"{name} is not set")
        return 1
    _print_value(value)
    return 0


def config_set(name: str, value: str) -> None:
    with config.editing() as document:
        stored = config.set_value(document, name, value)
    note(f"{name} = {json.dumps(stored)}")


def config_unset(name: str) -> None:
    with config.editing() as document:
        removed = config.unset_value(document, name)
    note(f"{name} unset" if removed else f"{name} was not set")


def config_edit() -> None:
    """Edit a copy in $VISUAL/$EDITOR; only a valid result replaces the file."""
    path = config.config_path()
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    original = path.read_text(encoding="utf-8") if path.exists() else TEMPLATE
    handle, name = tempfile.mkstemp(prefix="papertrack-config-", suffix=".toml")
    draft = Path(name)
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(original)
    try:
        status = subprocess.run([*shlex.split(editor), str(draft)], check=False).returncode
    except OSError as exc:
        draft.unlink(missing_ok=True)
        raise PapertrackError(
            f"cannot start the editor {editor!r}: {exc}", hint="set $EDITOR"
        ) from None
    edited = draft.read_text(encoding="utf-8")
    if status != 0 or edited == original:
        draft.unlink(missing_ok=True)
        note(
            "No changes." if status == 0 else f"The editor exited with status {status}; no changes."
        )
        return
    try:
        config.load(draft)
    except UsageError as exc:
        raise UsageError(f"{exc.message}; your edit is kept in {draft}") from None
    from filelock import FileLock

    from papertrack.store.files import atomic_write_bytes

    path.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(path.with_name(f".{path.name}.lock"), timeout=30):
        atomic_write_bytes(path, edited.encode("utf-8"), mode=0o600)
    draft.unlink(missing_ok=True)
    note(f"Saved {path}.")


def watch_add(name: str, values: dict[str, Any], *, replace: bool) -> None:
    config.check_watch_name(name)
    table: dict[str, Any] = {}
    for key, value in values.items():
        if value in (None, [], False):
            continue
        spec = next(k for k in config.WATCH_KEYS if k.name == key)
        table[key] = config.checked(spec, value, what=f"{key} of watch {name}")
    if not table:
        raise UsageError(
            "a watch needs something to match: --term, --author, --category, --query, …"
        )
    with config.editing() as document:
        watches = document.setdefault("watch", {})
        if name in watches and not replace:
            raise UsageError(f"watch {name} exists; use --replace, or papertrack watch rm {name}")
        watches[name] = table
    note(f"Watch {name} saved in {config.config_path()}.")


def watch_list() -> None:
    watches = config.load(warn=note).watches
    if not watches:
        note("No watch profiles yet; add one with papertrack watch add NAME --term …")
        return
    for name, watch in sorted(watches.items()):
        summary = "; ".join(
            f"{key} {', '.join(map(str, value)) if isinstance(value, list) else value}"
            for key, value in watch.to_table().items()
        )
        sys.stdout.write(f"{name}\t{summary}\n")


def watch_show(name: str) -> None:
    import tomli_w

    watches = config.load(warn=note).watches
    if name not in watches:
        raise UsageError(
            f"no watch profile named {name!r} (defined: {', '.join(sorted(watches)) or 'none'})"
        )
    sys.stdout.write(tomli_w.dumps({"watch": {name: watches[name].to_table()}}))


def watch_rm(name: str) -> None:
    with config.editing() as document:
        watches = document.get("watch", {})
        if name not in watches:
            raise UsageError(f"no watch profile named {name!r}")
        del watches[name]
        if not watches:
            del document["watch"]
    note(f"Watch {name} removed.")
