"""Cleaning remote text so it can be shown anywhere: one line, no control characters."""

from __future__ import annotations

import re

from papertrack.charsets import FORMAT

# Control characters (C0 except whitespace, DEL, C1), lone surrogates (json.loads lets
# "\ud800" through and it would crash the encoder on write), every invisible format
# character (category Cf: zero-width, bidi controls that reorder what a terminal shows,
# the "trojan source" trick, soft hyphens, tag characters, BOM), and the invisible
# fillers that are letters by category (Hangul fillers, Khmer and Mongolian marks, CGJ).
# ESC is among them, so an escape sequence in a title is left as harmless visible text;
# U+FFFE and U+FFFF too, which XML (RSS, Atom, HTML mail) cannot carry.
_UNSAFE = re.compile(
    f"[\x00-\x08\x0e-\x1f\x7f-\x9f{FORMAT}\u034f\u115f\u1160\u17b4\u17b5"
    "\u180b-\u180f\u3164\uffa0\ud800-\udfff\ufffe\uffff]"
)
_ASCII_UNSAFE = re.compile("[\x00-\x08\x0e-\x1f\x7f]")

TEXT_MAX = 1000
"""Characters kept of a title, name, comment or keyword: the longest real arXiv title is
under 400. Longer values are cut (ending with "…") so no field can cost unbounded time
or memory in matching and rendering."""
ABSTRACT_MAX = 10_000
"""arXiv limits abstracts to 1,920 characters; AI summaries are shorter."""
NAME_MAX = 300
"""An author's name."""
AUTHORS_MAX = 10_000
"""Authors kept per paper: the longest real author lists (particle physics) are ~3,000."""
URL_MAX = 2048
CUT = "…"


def clean_line(value: object, limit: int = TEXT_MAX) -> str:
    """Return remote text as a single safe line: controls dropped, whitespace runs collapsed,
    at most *limit* characters.

    Hard-wrapped titles and abstracts (arXiv wraps at ~80 columns with "\\n  ") become one
    line; LaTeX, ``&`` and ``<`` are kept exactly as written.
    """
    if not isinstance(value, str):
        return ""
    # Cleaning can only shrink text; what lies far past the limit is never looked at.
    text = value[: limit * 4]
    # Most remote text is ASCII, and the small class scans it several times faster.
    text = (_ASCII_UNSAFE if text.isascii() else _UNSAFE).sub("", text)
    # str.split() splits on what \s matches (the controls among them are gone already).
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + CUT


def safe_text(value: str) -> str:
    """*value* with everything dropped that could act on a terminal (controls, CR, bidi and
    format characters) but line breaks and tabs: for messages, which may span lines."""
    return _UNSAFE.sub("", value).replace("\r", "")


_TERMINAL_UNSAFE = re.compile(f"[\x7f-\x9f{FORMAT}]")


def terminal_safe(text: str) -> str:
    """What may reach a terminal: C1 controls (which an 8-bit terminal obeys like escape
    sequences), DEL and format characters (bidi overrides) dropped; C0 and ESC are kept,
    as Rich draws colour and progress bars with them and remote text never carries them
    this far (clean_line removed them at parsing)."""
    return _TERMINAL_UNSAFE.sub("", text)


def clean_optional(value: object, limit: int = TEXT_MAX) -> str | None:
    """Like clean_line, but None for a missing or empty value."""
    text = clean_line(value, limit)
    return text or None


def was_cut(text: str | None, limit: int) -> bool:
    """Whether clean_line cut *text* at *limit*."""
    return text is not None and len(text) >= limit - 1 and text.endswith(CUT)


def clean_url(value: object) -> str | None:
    """An absolute http(s) URL that is printable ASCII and at most URL_MAX long, else None:
    URLs go into links, terminals and HTML digests, and there is no safe way to show a
    control or bidi character inside one."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if (
        len(text) > URL_MAX
        or not text.isascii()
        or not text.isprintable()
        or _URL_UNSAFE.search(text)
        or not _URL_SHAPE.match(text)
    ):
        return None
    return text


_URL_SHAPE = re.compile(r"https?://[^/?#\s]+", re.IGNORECASE)
_URL_UNSAFE = re.compile(r'[\s<>"|\\^`{}]')


def redact_url(url: str) -> str:
    """A notification URL (``slack://TOKEN/TOKEN/#chan``, ``json://user:pass@host/path``)
    fit to print: the scheme, and the host when it looks like one (a name with a dot,
    ``localhost`` or an IP address, with its port); the user, password, path and query,
    where services keep tokens, become ``***``."""
    from urllib.parse import urlsplit

    scheme, sep, _ = url.partition("://")
    if not sep or not re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]{0,31}", scheme):
        return "***"
    try:
        parts = urlsplit(url)
        host, port = parts.hostname or "", parts.port
    except ValueError:
        return f"{scheme}://***"
    shown = ""
    if host and ("." in host or host == "localhost" or ":" in host):
        shown = f"[{host}]" if ":" in host else host
        shown += f":{port}" if port else ""
    userinfo = "***@" if "@" in parts.netloc else ""
    path = "/***" if parts.path.strip("/") or not shown else ""
    query = "?***" if parts.query or parts.fragment else ""
    return f"{scheme}://{userinfo}{shown or '***'}{path}{query}"


def redact(text: str, secrets: object) -> str:
    """*text* with every secret (a token, a password) replaced by ``***``, in clear or as
    it reads inside base64 (a server echoing an ``Authorization`` header or an SMTP
    ``AUTH PLAIN`` blob)."""
    if not isinstance(secrets, (list, tuple, set, frozenset)):
        return text
    for secret in secrets:
        if isinstance(secret, str) and len(secret) >= 4:
            for form in secret_forms(secret):
                text = text.replace(form, "***")
    return text


def secret_forms(secret: str) -> list[str]:
    """*secret*, and what it looks like inside base64 text at each of the three byte
    alignments it can have there (only the characters that depend on it alone)."""
    import base64

    forms = [secret]
    raw = secret.encode("utf-8", errors="replace")
    for pad in range(3):
        encoded = base64.b64encode(b"\x00" * pad + raw).decode("ascii")
        start = -(-pad * 4 // 3)  # characters that mix in the bytes before the secret
        end = (pad + len(raw)) // 3 * 4  # the last whole group: no bytes after it mix in
        core = encoded[start:end]
        if len(core) >= 8:
            forms.append(core)
    return forms
