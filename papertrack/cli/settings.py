"""`config` and `watch`: reading and editing config.toml."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from papertrack import config, configfile
from papertrack.cli.context import Context
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


def _print_value(context: Context, value: Any) -> None:
    context.write(f"{value}\n" if isinstance(value, str) else f"{json.dumps(value)}\n")


def config_path(context: Context) -> None:
    context.write(f"{context.config_path}\n")


def config_show(context: Context) -> None:
    import tomli_w

    settings = context.config
    if settings.document:
        document = dict(settings.document)
        for secret in config.SECRET_KEYS:
            section, _, field = secret.partition(".")
            if isinstance(document.get(section), dict) and field in document[section]:
                table = dict(document[section])
                table[field] = config.redacted(secret, table[field])
                document[section] = table
        context.write(tomli_w.dumps(document))
    else:
        context.write(f"# no settings yet in {settings.path}\n")
    defaults = [
        k for k in config.KEYS if k.default not in (None, []) and settings.get(k.name) == k.default
    ]
    if defaults:
        context.write("\n# defaults in effect:\n")
        for key in defaults:
            context.write(f"# {key.name} = {json.dumps(key.default)}\n")


def config_get(context: Context, name: str) -> int:
    value = context.config.get(name)
    if value is None:
        context.note(f"{name} is not set")
        return 1
    _print_value(context, config.redacted(name, value))
    return 0


def config_set(context: Context, name: str, value: str) -> None:
    with configfile.editing(context.config_path) as document:
        stored = configfile.set_value(document, name, value)
    context.note(f"{name} = {json.dumps(config.redacted(name, stored))}")


def config_unset(context: Context, name: str) -> None:
    with configfile.editing(context.config_path) as document:
        removed = configfile.unset_value(document, name)
    context.note(f"{name} unset" if removed else f"{name} was not set")


def config_edit(context: Context) -> None:
    """Edit a copy in $VISUAL/$EDITOR; only a valid result replaces the file."""
    path = context.config_path
    editor = context.environ.get("VISUAL") or context.environ.get("EDITOR") or "vi"
    before = _read_or_none(path)
    original = before if before is not None else TEMPLATE
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
        context.note(
            "No changes." if status == 0 else f"The editor exited with status {status}; no changes."
        )
        return
    try:
        config.load(draft)
    except UsageError as exc:
        raise UsageError(f"{exc.message}; your edit is kept in {draft}") from None
    try:
        with configfile.locked(path):
            if _read_or_none(path) != before:
                # A config set or watch add landed while the editor was open: saving would
                # silently undo it.
                raise PapertrackError(
                    f"{path} changed while you were editing it (another papertrack "
                    "command?); not saved, so neither change is lost",
                    hint="merge your edit into the file, or run papertrack config edit again",
                )
            configfile.write_file(path, edited.encode("utf-8"))
    except PapertrackError as exc:
        raise PapertrackError(f"{exc}; your edit is kept in {draft}") from None
    draft.unlink(missing_ok=True)
    context.note(f"Saved {path}.")


def _read_or_none(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise PapertrackError(f"cannot read the config file {path}: {exc}") from None


def watch_add(context: Context, name: str, values: dict[str, Any], *, replace: bool) -> None:
    config.check_watch_name(name)
    table: dict[str, Any] = {}
    for key, value in values.items():
        if value in (None, [], False):
            continue
        spec = next(k for k in config.WATCH_KEYS if k.name == key)
        table[key] = config.checked(spec, value, what=f"{key} of watch {name}")
    if not set(table) - {"sort"}:
        raise UsageError(
            "a watch needs something to match: --term, --author, --category, --query, "
            "--min-score, …"
        )
    with configfile.editing(context.config_path) as document:
        watches = document.setdefault("watch", {})
        if name in watches and not replace:
            raise UsageError(f"watch {name} exists; use --replace, or papertrack watch rm {name}")
        watches[name] = table
    context.note(f"Watch {name} saved in {context.config_path}.")


def watch_list(context: Context) -> None:
    watches = context.config.watches
    if not watches:
        context.note("No watch profiles yet; add one with papertrack watch add NAME --term …")
        return
    for name, watch in sorted(watches.items()):
        summary = "; ".join(
            f"{key} {', '.join(map(str, value)) if isinstance(value, list) else value}"
            for key, value in watch.to_table().items()
        )
        context.write(f"{name}\t{summary}\n")


def watch_show(context: Context, name: str) -> None:
    import tomli_w

    watches = context.config.watches
    if name not in watches:
        raise UsageError(
            f"no watch profile named {name!r} (defined: {', '.join(sorted(watches)) or 'none'})"
        )
    context.write(tomli_w.dumps({"watch": {name: watches[name].to_table()}}))


def watch_rm(context: Context, name: str) -> None:
    with configfile.editing(context.config_path) as document:
        watches = document.get("watch", {})
        if name not in watches:
            raise UsageError(f"no watch profile named {name!r}")
        del watches[name]
        if not watches:
            del document["watch"]
    context.note(f"Watch {name} removed.")
