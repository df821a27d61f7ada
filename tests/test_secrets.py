"""Secrets stay secret: HF_TOKEN and the SMTP password never reach output, error messages,
the cache, the state or the config; the config is user-only once it holds mail settings."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from tests.conftest import TODAY, run_cli
from tests.hubserver import HubServer, Reply

TOKEN = "hf_SeCrEtToKeN0123456789"
PASSWORD = "pw-SeCrEt-9876"
SECRETS = {"HF_TOKEN": TOKEN, "PAPERTRACK_SMTP_PASSWORD": PASSWORD}


def assert_nowhere(texts: list[str], tmp_path: Path) -> None:
    for text in texts:
        assert TOKEN not in text and PASSWORD not in text, text
    for path in tmp_path.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert TOKEN.encode() not in data and PASSWORD.encode() not in data, path


def test_token_and_password_never_leak(hub: HubServer, tmp_path: Path) -> None:
    hub.serve(TODAY, "2025-08-25")
    outputs: list[str] = []
    for args in (
        ["today"],
        ["today", "-f", "json"],
        ["list", "--date", "2025-08-25", "--refresh"],
        ["watch", "add", "a", "--term", "agent"],
        ["config", "set", "mail.host", "127.0.0.1"],
        ["config", "set", "mail.port", "9"],
        ["config", "set", "mail.security", "none"],
        ["config", "set", "mail.username", "me"],
        ["config", "set", "mail.from", "a@example.org"],
        ["config", "set", "mail.to", "b@example.org"],
        ["digest", "--mail"],  # the SMTP server is not there: fails, naming host and port only
        ["digest", "-o", str(tmp_path / "digest.md")],
        ["config", "show"],
    ):
        result = run_cli(*args, env=SECRETS)
        outputs += [result.stdout, result.stderr]
    assert any("could not send mail via 127.0.0.1:9" in text for text in outputs)
    assert hub.api_requests()[0].headers["authorization"] == f"Bearer {TOKEN}"
    assert_nowhere(outputs, tmp_path)
    config = Path(os.environ["PAPERTRACK_CONFIG"])
    assert stat.S_IMODE(config.stat().st_mode) == 0o600


def test_a_server_echoing_the_token_is_redacted(hub: HubServer, tmp_path: Path) -> None:
    echoed = f'{{"error": "Invalid credentials in Authorization header: Bearer {TOKEN}"}}'
    hub.queue(Reply(401, echoed.encode()))
    result = run_cli("list", "--date", "2025-08-25", env=SECRETS)
    assert result.returncode == 1
    assert "HTTP 401 Unauthorized: Invalid credentials in Authorization header: Bearer ***" in (
        result.stderr
    )
    assert_nowhere([result.stdout, result.stderr], tmp_path)
