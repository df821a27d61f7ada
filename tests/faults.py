"""Faults the test server can inject into any answer, and places that refuse or never
accept connections. Each fault is a function ``(handler, path) -> True`` that writes a whole
(bad) response itself."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from http.server import BaseHTTPRequestHandler

from tests.hubserver import ARXIV_FIXTURES, hf_fixture

Fault = Callable[[BaseHTTPRequestHandler, str], bool]
XML_PATHS = ("/rss/", "/api/query")


def _reply(
    handler: BaseHTTPRequestHandler,
    status: int,
    body: bytes,
    headers: dict[str, str] | None = None,
    *,
    length: bool = True,
) -> bool:
    handler.send_response(status)
    for name, value in (headers or {}).items():
        handler.send_header(name, value)
    if length:
        handler.send_header("content-length", str(len(body)))
    else:
        handler.send_header("connection", "close")
        handler.close_connection = True
    handler.end_headers()
    handler.wfile.write(body)
    return True


def is_xml(path: str) -> bool:
    return path.startswith(XML_PATHS)


def status(code: int, body: bytes = b"", headers: dict[str, str] | None = None) -> Fault:
    return lambda h, path: _reply(h, code, body, headers)


def rate_limit_hf(seconds: int) -> Fault:
    """Hugging Face's 429, with the IETF RateLimit header saying when the window resets."""
    headers = {
        "RateLimit": f'"api";r=0;t={seconds}',
        "RateLimit-Policy": '"fixed window";"api";q=500;w=300',
    }
    return status(429, b'{"error":"You have been rate-limited"}', headers)


def rate_exceeded(code: int) -> Fault:
    """arXiv's answer when busy: the plain text 'Rate exceeded.', no Retry-After."""
    return status(code, b"Rate exceeded.", {"content-type": "text/plain"})


def truncated(h: BaseHTTPRequestHandler, path: str) -> bool:
    """A whole HTTP response whose document stops halfway."""
    if is_xml(path):
        body = (ARXIV_FIXTURES / "rss_cs.AI_2025-08-20_atom.xml").read_bytes()
    else:
        body = hf_fixture("2025-08-25").read_bytes()
    return _reply(h, 200, body[: len(body) // 2])


def html_page(h: BaseHTTPRequestHandler, path: str) -> bool:
    page = b"<!DOCTYPE html><html><head><title>Hugging Face</title></head><body>Oops</body></html>"
    return _reply(h, 200, page, {"content-type": "text/html"})


def json_body(value: object) -> Fault:
    return status(200, json.dumps(value).encode(), {"content-type": "application/json"})


def read_timeout(seconds: float) -> Fault:
    """Headers and half the body, then silence past the client's timeout."""

    def fault(h: BaseHTTPRequestHandler, path: str) -> bool:
        body = b'[{"paper": {"id": "2501.00001", "title": "half"}}]' * 4
        h.send_response(200)
        h.send_header("content-length", str(len(body)))
        h.end_headers()
        h.wfile.write(body[: len(body) // 2])
        h.wfile.flush()
        time.sleep(seconds)
        return True

    return fault


def huge(megabytes: int) -> Fault:
    """A body far beyond any listing, with no length announced, sent as fast as it goes."""

    def fault(h: BaseHTTPRequestHandler, path: str) -> bool:
        h.send_response(200)
        h.send_header("content-type", "application/json")
        h.send_header("connection", "close")
        h.close_connection = True
        h.end_headers()
        chunk = b"[" + b" " * (1024 * 1024 - 1)
        for _ in range(megabytes):
            h.wfile.write(chunk)
        return True

    return fault


def redirect_loop(h: BaseHTTPRequestHandler, path: str) -> bool:
    return _reply(h, 302, b"", {"location": path})


def xml_bomb(h: BaseHTTPRequestHandler, path: str) -> bool:
    """ "Billion laughs": a few hundred bytes that expand to gigabytes in a naive parser."""
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10)
    ]
    body = (
        '<?xml version="1.0"?><!DOCTYPE feed [' + "".join(entities) + "]>"
        '<feed xmlns="http://www.w3.org/2005/Atom"><title>&lol9;</title></feed>'
    ).encode()
    return _reply(h, 200, body, {"content-type": "application/atom+xml"})


@contextmanager
def refusing_port() -> Iterator[int]:
    """A port where nothing listens: connections are refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    yield port


@contextmanager
def unanswered_port() -> Iterator[int]:
    """A port whose accept queue is full: connecting hangs until the client's timeout."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(0)
    port = int(server.getsockname()[1])
    fillers = []
    for _ in range(8):
        filler = socket.socket()
        filler.setblocking(False)
        with suppress(BlockingIOError):
            filler.connect(("127.0.0.1", port))
        fillers.append(filler)
    time.sleep(0.1)
    try:
        yield port
    finally:
        for filler in fillers:
            filler.close()
        server.close()


def json_fixture_items(day: str) -> list[dict[str, object]]:
    items: list[dict[str, object]] = json.loads(hf_fixture(day).read_bytes())
    return items
