"""Delivering a digest by email: SMTP (starttls, ssl or plain) or a sendmail-compatible
command. The password comes from ``$PAPERTRACK_SMTP_PASSWORD`` or ``mail.password_command``,
never from the config file, and never appears in a message papertrack prints."""

from __future__ import annotations

import contextlib
import shlex
import shutil
import subprocess
from collections.abc import Mapping
from datetime import datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import TYPE_CHECKING

from papertrack import __version__
from papertrack.config import PASSWORD_ENV, Config
from papertrack.errors import PapertrackError, UsageError
from papertrack.record import record
from papertrack.text import clean_line, redact

if TYPE_CHECKING:
    import smtplib

SMTP_TIMEOUT = 30.0
COMMAND_TIMEOUT = 60.0
DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}


class MailError(PapertrackError):
    """Sending failed; the digest state is left as it was, so the next run retries."""


@record
class MailSettings:
    sender: str
    to: tuple[str, ...]
    host: str | None = None
    port: int | None = None
    username: str | None = None
    security: str = "starttls"
    password_command: str | None = None
    sendmail_command: str | None = None
    subject_prefix: str = "papertrack"

    @property
    def smtp_port(self) -> int:
        return self.port or DEFAULT_PORTS[self.security]


def settings_from(config: Config, *, smtp: bool) -> MailSettings:
    """Mail settings from the config, checked before anything is fetched."""
    sender = config.text("mail.from")
    to = config.strings("mail.to")
    missing = [k for k, v in (("mail.from", sender), ("mail.to", to)) if not v]
    host = config.text("mail.host")
    if smtp and not host:
        missing.append("mail.host")
    if missing or sender is None:
        raise UsageError(
            f"mail is not configured: set {', '.join(missing)} "
            f"(e.g. papertrack config set {missing[0]} …)"
        )
    return MailSettings(
        sender=sender,
        to=tuple(to),
        host=host,
        port=config.number("mail.port"),
        username=config.text("mail.username"),
        security=config.text("mail.security") or "starttls",
        password_command=config.text("mail.password_command"),
        sendmail_command=config.text("mail.sendmail_command"),
        subject_prefix=config.text("mail.subject") or "papertrack",
    )


def build_message(
    settings: MailSettings, *, subject: str, text: str, html: str, now: datetime
) -> EmailMessage:
    """A multipart/alternative message: plain text first, the HTML digest preferred."""
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = settings.sender
    message["To"] = ", ".join(settings.to)
    message["Date"] = formatdate(now.timestamp(), localtime=True)
    message["Message-ID"] = make_msgid(domain=settings.sender.rpartition("@")[2] or None)
    message["X-Mailer"] = f"papertrack {__version__}"
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message


def password(settings: MailSettings, environ: Mapping[str, str]) -> str | None:
    from_env = environ.get(PASSWORD_ENV)
    if from_env:
        return from_env
    if not settings.password_command:
        return None
    try:
        result = subprocess.run(
            shlex.split(settings.password_command),
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT,
            check=False,
            env=dict(environ),
        )
    except (OSError, ValueError, subprocess.TimeoutExpired) as exc:
        raise MailError(f"mail.password_command could not run: {type(exc).__name__}") from None
    if result.returncode != 0:
        # Its output is not shown: it may be the password, or part of it.
        raise MailError(f"mail.password_command failed with exit status {result.returncode}")
    lines = result.stdout.splitlines()
    return lines[0] if lines else ""


def send_smtp(message: EmailMessage, settings: MailSettings, environ: Mapping[str, str]) -> None:
    import smtplib
    import ssl

    assert settings.host is not None
    where = f"{settings.host}:{settings.smtp_port}"
    secret = password(settings, environ) if settings.username else None
    if secret is not None and not (secret.isascii() and secret.isprintable()):
        # smtplib encodes AUTH as ASCII, and its error would quote a character of it.
        raise UsageError(
            "the SMTP password has a character that is not printable ASCII; smtplib can only "
            "send ASCII passwords (check $PAPERTRACK_SMTP_PASSWORD or mail.password_command)"
        )
    try:
        context = ssl.create_default_context()
        client: smtplib.SMTP
        if settings.security == "ssl":
            client = smtplib.SMTP_SSL(
                settings.host, settings.smtp_port, timeout=SMTP_TIMEOUT, context=context
            )
        else:
            client = smtplib.SMTP(settings.host, settings.smtp_port, timeout=SMTP_TIMEOUT)
        try:
            client.ehlo()
            if settings.security == "starttls":
                if not client.has_extn("starttls"):
                    # Going on without TLS would send the login and the digest in clear: a
                    # downgrade an attacker on the path gets by deleting one line.
                    raise MailError(
                        f"{where} does not offer STARTTLS (mail.security = starttls); refusing "
                        'to send in clear. Use security = "ssl" for a server with TLS from '
                        'the start (port 465), or "none" only for a relay you trust'
                    )
                client.starttls(context=context)
                client.ehlo()
            if settings.username:
                if secret is None:
                    raise MailError(
                        f"mail.username is set but no password: set ${PASSWORD_ENV} or "
                        "mail.password_command"
                    )
                _login(client, settings.username, secret)
            refused = client.send_message(message)
        except BaseException:
            # No polite QUIT on the way out: it would wait up to SMTP_TIMEOUT for a server
            # that may be the reason we are leaving (Ctrl-C during a stalled send).
            client.close()
            raise
        with contextlib.suppress(smtplib.SMTPException, OSError):
            client.quit()
    except MailError:
        raise
    except smtplib.SMTPException as exc:
        reason = redact(_smtp_reason(exc), [secret])
        raise MailError(f"could not send mail via {where}: {reason}") from None
    except ssl.SSLCertVerificationError as exc:
        reason = clean_line(exc.verify_message or exc.reason or str(exc))
        raise MailError(
            f"could not send mail via {where}: its TLS certificate is not trusted ({reason}); "
            "nothing was sent. A private CA's certificate can be trusted with SSL_CERT_FILE"
        ) from None
    except (OSError, ssl.SSLError) as exc:
        raise MailError(f"could not send mail via {where}: {redact(str(exc), [secret])}") from None
    if refused:
        raise MailError(f"{where} refused recipients: {', '.join(sorted(refused))}")


def _login(client: smtplib.SMTP, username: str, secret: str) -> None:
    """Log in with one mechanism (PLAIN, else LOGIN, else CRAM-MD5). smtplib's login() tries
    every one the server offers after a failure: more failed logins (lockouts) for nothing."""
    import smtplib

    offered = (client.esmtp_features.get("auth") or "").upper().split()
    mechanism = next((m for m in ("PLAIN", "LOGIN", "CRAM-MD5") if m in offered), None)
    if mechanism is None:
        raise smtplib.SMTPException("the server offers no login method papertrack knows")
    client.user, client.password = username, secret
    handler = getattr(client, f"auth_{mechanism.lower().replace('-', '_')}")
    client.auth(mechanism, handler, initial_response_ok=True)


def _smtp_reason(exc: Exception) -> str:
    code = getattr(exc, "smtp_code", None)
    detail = getattr(exc, "smtp_error", b"")
    text = detail.decode("utf-8", "replace") if isinstance(detail, bytes) else str(detail)
    return f"{code} {text}".strip() if code else (str(exc) or type(exc).__name__)


def sendmail_argv(settings: MailSettings, environ: Mapping[str, str]) -> list[str]:
    if settings.sendmail_command:
        return shlex.split(settings.sendmail_command)
    found = shutil.which("sendmail", path=environ.get("PATH")) or shutil.which(
        "sendmail", path="/usr/sbin:/usr/lib"
    )
    if found is None:
        raise MailError(
            "no sendmail on PATH", hint="install one (msmtp, postfix) or set mail.sendmail_command"
        )
    return [found, "-t", "-oi"]


def send_sendmail(
    message: EmailMessage, settings: MailSettings, environ: Mapping[str, str]
) -> None:
    argv = sendmail_argv(settings, environ)
    try:
        result = subprocess.run(
            argv,
            input=message.as_bytes(),
            capture_output=True,
            timeout=COMMAND_TIMEOUT,
            check=False,
            env=dict(environ),
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise MailError(f"could not run {argv[0]}: {exc}") from None
    if result.returncode != 0:
        reason = result.stderr.decode("utf-8", "replace").strip().splitlines()
        detail = f": {reason[-1][:200]}" if reason else ""
        raise MailError(f"{argv[0]} failed with exit status {result.returncode}{detail}")
