"""A stand-in for arXiv's OAI-PMH service on 127.0.0.1 (path ``/oai``).

Two modes, after the stand-in the project's reference describes:

- recorded pages (``OaiServer(recorded=[paths])``): the files, in order, are one list; the
  first request without a token gets the first file, each page's token is rewritten to lead
  to the next file, and the last page's token is emptied. ``from``/``until``/``set`` are not
  applied (the recordings answered them already).
- synthetic records (``OaiServer(synthetic=N)``): N records in the ``arXivRaw`` format, in
  (datestamp, id) order as the 2025 service lists them, ``from``/``until``/``set`` applied
  (new and old set names), pages of ``per_page``, tokens carrying ``cursor`` and
  ``completeListSize`` and signed, so a token the server did not issue (or one a test
  expired) gets ``badResumptionToken``; ``noRecordsMatch`` for an empty selection.

Tests change the data between harvests (``touch``, ``delete``, ``add``), queue 503s with
``Retry-After``, expire every token issued so far, and add latency.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import random
import threading
import time
from base64 import urlsafe_b64decode, urlsafe_b64encode
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape

from tests.hubserver import LocalServer

OAI_FIXTURES = Path(__file__).parent / "fixtures" / "arxiv" / "oai"
_KEY = b"stand-in"
_VOCABULARY = (
    "learning model language neural network data training transformer graph attention "
    "reinforcement policy agent reasoning quantum optimization inference diffusion retrieval "
    "benchmark robust efficient sparse kernel theorem manifold bound algebra protein "
    "molecule vision speech translation embedding contrastive causal bayesian"
)
_WORDS = tuple(_VOCABULARY.split())
CATEGORY_MIXES = (
    ("cs.CL",),
    ("cs.CL", "cs.LG"),
    ("cs.LG",),
    ("cs.LG", "stat.ML"),
    ("cs.AI", "cs.CL"),
    ("math.NA", "cs.LG"),
    ("hep-th",),
    ("quant-ph", "hep-th"),
    ("cs.CV",),
    ("astro-ph.HE",),
)
GROUPS = {"cs": "cs", "math": "math", "stat": "stat", "hep-th": "physics",
          "quant-ph": "physics", "astro-ph": "physics"}  # fmt: skip


def sets_of(categories: tuple[str, ...]) -> set[str]:
    """Every set name (2025 and old) a paper with *categories* is in."""
    names: set[str] = set()
    for code in categories:
        archive, _, subject = code.partition(".")
        group = GROUPS[archive]
        names.add(group)
        if group == archive:
            names.add(f"{group}:{archive}:{subject}")
            names.add(f"{group}:{archive}")
        else:
            names.add(f"{group}:{archive}")
            if subject:
                names.add(f"{group}:{archive}:{subject}")
    return names


@dataclass
class Rec:
    id: str
    datestamp: str
    categories: tuple[str, ...]
    title: str
    abstract: str
    versions: list[str]
    """RFC 822 dates of v1, v2, …"""
    deleted: bool = False
    sets: set[str] = field(default_factory=set)


def _rfc822(moment: datetime) -> str:
    return moment.strftime("%a, %d %b %Y %H:%M:%S GMT")


def synthetic_records(
    count: int, *, start: date = date(2023, 1, 2), per_day: int = 1000, deleted_every: int = 0
) -> list[Rec]:
    """*count* records, *per_day* a weekday (a tenth on weekends), numbered by month."""
    rng = random.Random(7)
    records: list[Rec] = []
    day = start
    in_month: dict[str, int] = {}
    made_today = 0
    while len(records) < count:
        quota = per_day if day.weekday() < 5 else max(1, per_day // 10)
        if made_today >= quota:
            day += timedelta(days=1)
            made_today = 0
            continue
        yymm = day.strftime("%y%m")
        number = in_month.get(yymm, 0) + 1
        in_month[yymm] = number
        categories = CATEGORY_MIXES[rng.randrange(len(CATEGORY_MIXES))]
        words = [_WORDS[min(int(rng.paretovariate(0.7)) - 1, len(_WORDS) - 1)] for _ in range(60)]
        submitted = datetime(day.year, day.month, day.day, 9, tzinfo=timezone.utc) - timedelta(
            days=1, minutes=len(records) % 600
        )
        index = len(records) + 1
        records.append(
            Rec(
                id=f"{yymm}.{number:05d}",
                datestamp=day.isoformat(),
                categories=categories,
                title=" ".join(words[:8]).capitalize(),
                abstract=" ".join(words),
                versions=[_rfc822(submitted)],
                deleted=bool(deleted_every and index % deleted_every == 0),
                sets=sets_of(categories),
            )
        )
        made_today += 1
    return records


def record_xml(rec: Rec) -> str:
    sets = "".join(
        f"<setSpec>{s}</setSpec>" for s in sorted(s for s in rec.sets if s.count(":") == 2)
    )
    if rec.deleted:
        return (
            f'<record><header status="deleted"><identifier>oai:arXiv.org:{rec.id}</identifier>'
            f"<datestamp>{rec.datestamp}</datestamp>{sets}</header></record>"
        )
    versions = "".join(
        f'<version version="v{n}"><date>{when}</date><size>{100 + n}kb</size></version>'
        for n, when in enumerate(rec.versions, 1)
    )
    return (
        f"<record><header><identifier>oai:arXiv.org:{rec.id}</identifier>"
        f"<datestamp>{rec.datestamp}</datestamp>{sets}</header><metadata>"
        '<arXivRaw xmlns="http://arxiv.org/OAI/arXivRaw/">'
        f"<id>{rec.id}</id><submitter>A. Submitter</submitter>{versions}"
        f"<title>{escape(rec.title)}</title><authors>Ada Lovelace, Alan Turing and Grace "
        f"Hopper</authors><categories>{' '.join(rec.categories)}</categories>"
        "<license>http://creativecommons.org/licenses/by/4.0/</license>"
        f"<abstract>  {escape(rec.abstract)}\n</abstract></arXivRaw></metadata></record>"
    )


HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">'
    "<responseDate>{now}</responseDate><request>{base}</request>"
)


class OaiServer(LocalServer):
    def __init__(
        self,
        *,
        synthetic: int = 0,
        recorded: list[Path] | None = None,
        per_page: int = 1000,
        start: date = date(2023, 1, 2),
        per_day: int = 1000,
        deleted_every: int = 0,
        now: datetime | None = None,
    ) -> None:
        self.records = synthetic_records(
            synthetic, start=start, per_day=per_day, deleted_every=deleted_every
        )
        self.recorded = recorded or []
        self.per_page = per_page
        self.now = now or datetime(2026, 12, 2, 15, tzinfo=timezone.utc)
        self.requests: list[dict[str, str]] = []
        self.latency = 0.0
        self.busy: list[int] = []
        """Retry-After values of 503 answers to give before the next real answers."""
        self.broken = False
        """Answer 500 to every request with a token (a harvest cut off mid-list)."""
        self.generation = 0
        """Tokens carry it; expire_tokens() makes every token issued so far invalid."""
        self._lists: dict[tuple[str, str, str], list[Rec]] = {}
        self._lock = threading.Lock()
        self.listen(self._handler_class())

    # -- control -----------------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"{self.base}/oai"

    def expire_tokens(self) -> None:
        self.generation += 1

    def _changed(self) -> None:
        self.records.sort(key=lambda r: (r.datestamp, r.id))
        self._lists.clear()

    def touch(self, ids: list[str], day: date, *, new_version: bool = True) -> None:
        """Records changed on *day* (a new version, or a metadata fix)."""
        for rec in self.records:
            if rec.id in ids:
                rec.datestamp = day.isoformat()
                if new_version:
                    moment = datetime(day.year, day.month, day.day, 8, tzinfo=timezone.utc)
                    rec.versions.append(_rfc822(moment))
                    rec.title = rec.title + " (revised)"
        self._changed()

    def delete(self, ids: list[str], day: date) -> None:
        for rec in self.records:
            if rec.id in ids:
                rec.deleted = True
                rec.datestamp = day.isoformat()
        self._changed()

    def add(self, count: int, day: date) -> list[str]:
        """*count* new records, submitted and stamped on *day*."""
        made = synthetic_records(count, start=day, per_day=count)
        taken = {r.id for r in self.records}
        fresh = []
        for n, rec in enumerate(made):
            rec.id = f"{day:%y%m}.{90000 + n:05d}"
            if rec.id not in taken:
                fresh.append(rec)
        self.records.extend(fresh)
        self._changed()
        return [r.id for r in fresh]

    def list_requests(self) -> list[dict[str, str]]:
        return [r for r in self.requests if r.get("verb") == "ListRecords"]

    # -- answers -----------------------------------------------------------------------
    def _selection(self, start: str, until: str, set_spec: str) -> list[Rec]:
        key = (start, until, set_spec)
        with self._lock:
            if key not in self._lists:
                self._lists[key] = [
                    r
                    for r in self.records
                    if (not start or r.datestamp >= start)
                    and (not until or r.datestamp <= until)
                    and (not set_spec or set_spec in r.sets)
                ]
            return self._lists[key]

    def _sign(self, payload: dict[str, Any]) -> str:
        data = urlsafe_b64encode(json.dumps(payload).encode()).decode()
        mac = hmac.new(_KEY, data.encode(), hashlib.sha256).hexdigest()[:16]
        return f"{data}.{mac}"

    def _unsign(self, token: str) -> dict[str, Any] | None:
        data, _, mac = token.partition(".")
        good = hmac.new(_KEY, data.encode(), hashlib.sha256).hexdigest()[:16]
        if not hmac.compare_digest(mac, good):
            return None
        try:
            payload: dict[str, Any] = json.loads(urlsafe_b64decode(data.encode()))
        except ValueError:
            return None
        return payload if payload.get("generation") == self.generation else None

    def _envelope(self, inner: str) -> bytes:
        now = self.now.strftime("%Y-%m-%dT%H:%M:%SZ")
        return (HEAD.format(now=now, base=self.url) + inner + "</OAI-PMH>").encode()

    def _error(self, code: str, message: str) -> bytes:
        return self._envelope(f'<error code="{code}">{escape(message)}</error>')

    def answer(self, query: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        with self._lock:
            if self.busy:
                wait = self.busy.pop(0)
                # The recorded flow-control body (its wording is the 2018 recording's too).
                body = (OAI_FIXTURES / "http503_retry-after-1_2023-03-08.html").read_bytes()
                body = body.replace(b"after 1 seconds", f"after {wait} seconds".encode())
                return 503, {"Retry-After": str(wait), "content-type": "text/html"}, body
        if self.broken and "resumptionToken" in query:
            return 500, {"content-type": "text/plain"}, b"Internal Server Error"
        if query.get("verb") != "ListRecords":
            return 200, {}, self._error("badVerb", "Illegal OAI verb")
        if self.recorded:
            return 200, {}, self._recorded(query)
        token = query.get("resumptionToken")
        if token is not None:
            if set(query) != {"verb", "resumptionToken"}:
                return 200, {}, self._error("badArgument", "token with other arguments")
            payload = self._unsign(token)
            if payload is None:
                return 200, {}, self._error("badResumptionToken", "Invalid resumption token")
            start, until, set_spec, cursor = (
                payload["from"], payload["until"], payload["set"], payload["cursor"]
            )  # fmt: skip
        else:
            if query.get("metadataPrefix") != "arXivRaw":
                return 200, {}, self._error("cannotDisseminateFormat", "only arXivRaw here")
            start, until = query.get("from", ""), query.get("until", "")
            set_spec, cursor = query.get("set", ""), 0
            if set_spec and not any(set_spec in r.sets for r in self.records):
                return 200, {}, self._error("badArgument", "Set does not exist")
        chosen = self._selection(start, until, set_spec)
        if not chosen:
            return 200, {}, self._error("noRecordsMatch", "No records match")
        page = chosen[cursor : cursor + self.per_page]
        listed = "".join(record_xml(r) for r in page)
        after = cursor + len(page)
        if after < len(chosen):
            next_token = self._sign(
                {"from": start, "until": until, "set": set_spec, "cursor": after,
                 "generation": self.generation}
            )  # fmt: skip
            listed += (
                f'<resumptionToken cursor="{cursor}" completeListSize="{len(chosen)}">'
                f"{next_token}</resumptionToken>"
            )
        elif token is not None:
            listed += f'<resumptionToken cursor="{cursor}" completeListSize="{len(chosen)}"/>'
        return 200, {}, self._envelope(f"<ListRecords>{listed}</ListRecords>")

    def _recorded(self, query: dict[str, str]) -> bytes:
        token = query.get("resumptionToken")
        number = 0
        if token is not None:
            if not token.startswith("fakeoai-page-"):
                return self._error("badResumptionToken", "Invalid resumption token")
            number = int(token.removeprefix("fakeoai-page-"))
        text = self.recorded[number].read_text(encoding="utf-8")
        import re

        last = number == len(self.recorded) - 1
        replacement = "" if last else f"fakeoai-page-{number + 1}"

        def swap(match: re.Match[str]) -> str:
            return f"{match.group(1)}{replacement}</resumptionToken>"

        return re.sub(r"(<resumptionToken[^>]*>)[^<]*</resumptionToken>", swap, text).encode()

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
                server.requests.append(query)
                if server.latency:
                    time.sleep(server.latency)
                status, headers, body = server.answer(query)
                try:
                    self.send_response(status)
                    for name, value in {"content-type": "text/xml", **headers}.items():
                        self.send_header(name, value)
                    self.send_header("content-length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler
