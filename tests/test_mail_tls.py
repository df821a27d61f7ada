"""Mail over TLS against a real local SMTP server (aiosmtpd) with a real certificate, made
for the test by openssl: a private CA and a server certificate for 127.0.0.1 and localhost.

Trusted only through SSL_CERT_FILE, the way a user trusts a private CA; without it the
certificate is refused. A server that does not offer STARTTLS is refused too, never used
in clear.
"""

from __future__ import annotations

import email
import email.policy
import ssl
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.conftest import run_cli
from tests.hubserver import HubServer
from tests.test_digest import free_port, state_file

pytestmark = pytest.mark.usefixtures("clock")  # every test on a weekday and on a weekend
DAY = "2025-08-25"
PASSWORD = "tls-only-pw-77"


@dataclass
class Certificates:
    ca: Path
    cert: Path
    key: Path


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> Certificates:
    """A CA, and a server certificate it signed with the extensions Python's strict
    verification (3.13) asks for."""
    folder = tmp_path_factory.mktemp("tls")

    def openssl(*args: str) -> None:
        subprocess.run(["openssl", *args], cwd=folder, check=True, capture_output=True)

    (folder / "ca.ext").write_text(
        "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n"
        "subjectKeyIdentifier=hash\n"
    )
    (folder / "server.ext").write_text(
        "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n"
        "extendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n"
        "subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n"
    )
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out",
            "ca.pem", "-days", "30", "-subj", "/CN=papertrack test CA", "-extensions", "v3_ca",
            "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign")  # fmt: skip
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out",
            "server.csr", "-subj", "/CN=localhost")  # fmt: skip
    openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
            "-CAcreateserial", "-out", "server.pem", "-days", "30",
            "-extfile", "server.ext")  # fmt: skip
    return Certificates(folder / "ca.pem", folder / "server.pem", folder / "server.key")


class Sink:
    def __init__(self, implicit_tls: bool) -> None:
        self.messages: list[Any] = []
        self.logins: list[bool] = []
        """For each login: whether it came over TLS."""
        self.implicit_tls = implicit_tls
        """A server whose socket speaks TLS from the first byte: every session is TLS
        (aiosmtpd marks only STARTTLS sessions)."""

    def over_tls(self, session: Any) -> bool:
        return self.implicit_tls or session.ssl is not None

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append((envelope, self.over_tls(session)))
        return "250 OK"


@dataclass
class Server:
    sink: Sink
    port: int


def serve(certificates: Certificates, mode: str) -> Iterator[Server]:
    """*mode*: ``starttls`` (plain, then STARTTLS), ``ssl`` (TLS from the first byte) or
    ``plain`` (no TLS offered at all)."""
    sink = Sink(implicit_tls=mode == "ssl")
    port = free_port()

    def authenticate(
        server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        sink.logins.append(sink.over_tls(session))
        ok = isinstance(data, LoginPassword) and data.password == PASSWORD.encode()
        return AuthResult(success=ok, handled=False)

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(certificates.cert, certificates.key)
    modes: dict[str, dict[str, Any]] = {
        "starttls": {"tls_context": context, "require_starttls": True},
        "ssl": {"ssl_context": context, "auth_require_tls": False},  # all of it is TLS
        "plain": {"auth_require_tls": False},
    }
    extra = modes[mode]
    controller = Controller(
        sink, hostname="127.0.0.1", port=port, authenticator=authenticate, **extra
    )
    controller.start()
    try:
        yield Server(sink, port)
    finally:
        controller.stop()


@pytest.fixture
def day(hub: HubServer, clock: date) -> None:
    hub.serve(clock, DAY)
    assert run_cli("watch", "add", "agents", "--term", "agent").returncode == 0


def configure(port: int, security: str) -> None:
    for key, value in {
        "mail.host": "127.0.0.1", "mail.port": str(port), "mail.security": security,
        "mail.from": "papertrack@example.org", "mail.to": "me@example.org",
        "mail.username": "me",
    }.items():  # fmt: skip
        assert run_cli("config", "set", key, value).returncode == 0


def send() -> Any:
    return run_cli("digest", "--mail", env={"PAPERTRACK_SMTP_PASSWORD": PASSWORD})


@pytest.mark.usefixtures("day")
@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_a_trusted_certificate_carries_login_and_mail(
    certificates: Certificates, security: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(certificates.ca))  # the user's private CA
    for server in serve(certificates, security):
        configure(server.port, security)
        result = send()
        assert result.returncode == 0, result.stderr
        assert server.sink.logins == [True]  # the password went over TLS only
        ((envelope, over_tls),) = server.sink.messages
        assert over_tls
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert message["Subject"].startswith("papertrack: 3 new papers (agents)")
        assert PASSWORD not in result.stderr


@pytest.mark.usefixtures("day")
@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_an_untrusted_certificate_is_refused(
    certificates: Certificates, security: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "no-such-bundle.pem"))  # trusts nothing
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    for server in serve(certificates, security):
        configure(server.port, security)
        result = send()
        assert result.returncode == 1
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, result.stderr
        assert lines[0].startswith(
            f"papertrack: error: could not send mail via 127.0.0.1:{server.port}: its TLS "
            "certificate is not trusted ("
        )
        assert "SSL_CERT_FILE" in lines[0] and "Traceback" not in result.stderr
        assert server.sink.logins == [] and server.sink.messages == []
        assert not state_file().exists()  # nothing recorded: the next run tries again


@pytest.mark.usefixtures("day")
def test_starttls_is_never_downgraded_to_clear_text(
    certificates: Certificates, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(certificates.ca))
    for server in serve(certificates, "plain"):
        configure(server.port, "starttls")
        result = send()
        assert result.returncode == 1
        assert result.stderr.strip() == (
            f"papertrack: error: 127.0.0.1:{server.port} does not offer STARTTLS (mail.security "
            '= starttls); refusing to send in clear. Use security = "ssl" for a server with TLS '
            'from the start (port 465), or "none" only for a relay you trust'
        )
        assert server.sink.logins == [] and server.sink.messages == []  # no password, no mail
        assert not state_file().exists()
