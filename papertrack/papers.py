"""Searching the services and looking up single papers, through the same cache policy."""

from __future__ import annotations

from datetime import date, datetime, time

from papertrack import freshness
from papertrack.choices import Source
from papertrack.errors import FetchError, NotCachedError, UsageError
from papertrack.join import fill_missing, join_sources, unique
from papertrack.listings import Loaded, combine
from papertrack.models import Paper, is_new_style
from papertrack.record import replace
from papertrack.session import Fetched, Session
from papertrack.store import keys

MAX_SEARCH_RESULTS = 500


def search(
    session: Session,
    query: str,
    *,
    source: Source,
    since: date | None,
    until: date | None,
    limit: int,
) -> Loaded:
    """Search Hugging Face's paper search, arXiv's API, or both (joined by id)."""
    text = " ".join(query.split())
    if not text:
        raise UsageError('search needs a query, e.g. papertrack search "speculative decoding"')
    if limit > MAX_SEARCH_RESULTS:
        raise UsageError(f"--limit for search is at most {MAX_SEARCH_RESULTS} (got {limit})")
    if session.mode == "offline":
        return search_cache(session, text, source=source, since=since, until=until, limit=limit)
    parts: list[Loaded] = []
    if source in ("hf", "all"):
        parts.append(_search_hf(session, text, since=since, until=until, limit=limit))
    if source in ("arxiv", "all"):
        parts.append(_search_arxiv(session, text, since=since, until=until, limit=limit))
    return combine(parts)


def search_cache(
    session: Session,
    text: str,
    *,
    source: Source,
    since: date | None,
    until: date | None,
    limit: int,
) -> Loaded:
    """Search every cached paper (the local full-text index): what --offline searches."""
    from papertrack.store import index

    sources = ("hf", "arxiv") if source == "all" else (source,)
    papers, total = index.search(
        text,
        limit=limit,
        root=session.root,
        sources=sources,
        since=since,
        until=until,
        warn=session.warn,
    )
    label = f"cache search {text!r}"
    if total > len(papers):
        label += f" (best {len(papers)} of {total})"
    return Loaded("all", label, papers)


def _within(paper: Paper, since: date | None, until: date | None) -> bool:
    day = paper.published.date() if paper.published else None
    if day is None:
        return since is None and until is None
    return (since is None or day >= since) and (until is None or day <= until)


def _search_hf(
    session: Session, text: str, *, since: date | None, until: date | None, limit: int
) -> Loaded:
    from papertrack.parsers import hf as parse_hf
    from papertrack.sources import hf

    if len(text) > hf.MAX_QUERY_LENGTH:
        raise UsageError(
            f"Hugging Face searches take at most {hf.MAX_QUERY_LENGTH} characters (got {len(text)})"
        )
    size = min(limit, hf.MAX_SEARCH_LIMIT)

    def fetch() -> Fetched:
        url, items = hf.fetch_search(session.client, session.network, text, size)
        return Fetched(url, items, {"query": text})

    got = session.through_cache(
        keys.search("hf", text, size),
        what=f"Hugging Face search for {text!r}",
        fetch=fetch,
        fresh=freshness.within(freshness.SEARCH_TTL),
    )
    papers, skipped = parse_hf.parse_search(got.items)
    if skipped:
        session.warn(f"warning: skipped {skipped} malformed search result(s) from {got.url}")
    # HF's search has no date parameters: the window is applied to the arXiv date here.
    papers = unique(p for p in papers if _within(p, since, until))
    return Loaded("hf", f"Hugging Face search {text!r}", papers, stale=got.stale)


def arxiv_query(text: str, since: date | None, until: date | None) -> str:
    """The user's arXiv query, with --since/--until as a ``submittedDate`` window (GMT)."""
    if since is None and until is None:
        return text
    start = datetime.combine(since or date(1991, 8, 1), time(0, 0))
    end = datetime.combine(until or date(9999, 12, 31), time(23, 59))
    return f"({text}) AND submittedDate:[{start:%Y%m%d%H%M} TO {end:%Y%m%d%H%M}]"


def _search_arxiv(
    session: Session, text: str, *, since: date | None, until: date | None, limit: int
) -> Loaded:
    from papertrack.sources import arxiv

    query = arxiv_query(text, since, until)
    # Relevance is arXiv's default; a dated search reads better newest first.
    sort_by = "submittedDate" if since or until else "relevance"

    def fetch() -> Fetched:
        papers = arxiv.search(
            session.client, session.gate, session.network, query, max_results=limit, sort_by=sort_by
        )
        return Fetched(
            f"{session.network.arxiv_api}?search_query={query}",
            [p.to_dict() for p in papers],
            {"query": query},
        )

    got = session.through_cache(
        keys.search("arxiv", query, limit, sort_by),
        what=f"arXiv search for {query!r}",
        fetch=fetch,
        fresh=freshness.within(freshness.SEARCH_TTL),
    )
    papers = unique(Paper.from_dict(item) for item in got.items)
    asked = [p for p in papers if _within(p, since, until)]
    if len(asked) < len(papers):
        session.warn(
            f"warning: arXiv's API returned {len(papers) - len(asked)} paper(s) submitted "
            f"outside {since or '…'} to {until or '…'}; left out"
        )
    return Loaded("arxiv", f"arXiv search {query!r}", asked, stale=got.stale)


def lookup(session: Session, paper_id: str, version: int | None = None) -> Paper | None:
    """Everything known about one paper: what both services say (through the cache), with
    what the cached listings know besides (comments, thumbnail, the Daily Papers day);
    None when nobody knows it. Offline, only what is cached.

    One service failing is a warning; both failing, with no cached copy, is the error of
    the first.
    """
    from papertrack.store import index

    local = index.lookup(paper_id, root=session.root, warn=session.warn)
    # Hugging Face has pages for new-style ids only.
    hf_paper, hf_error = _lookup_hf(session, paper_id) if is_new_style(paper_id) else (None, None)
    arxiv_paper, arxiv_error = _lookup_arxiv(session, paper_id, version)
    if hf_error is not None and arxiv_error is not None and local is None:
        raise hf_error
    for error in (hf_error, arxiv_error):
        if error is not None:
            session.warn(f"warning: {error}")
    found = hf_paper or arxiv_paper
    if hf_paper is not None and arxiv_paper is not None:
        joined = join_sources([hf_paper], [arxiv_paper])[0]
        found = replace(joined, published=arxiv_paper.published or joined.published)
    if found is None or local is None:
        return found or local
    return fill_missing(found, local)


def _lookup_hf(session: Session, paper_id: str) -> tuple[Paper | None, FetchError | None]:
    from papertrack.parsers import hf as parse_hf
    from papertrack.sources import hf

    def fetch() -> Fetched:
        url, data = hf.fetch_paper(session.client, session.network, paper_id)
        return Fetched(url, [data] if data is not None else [])

    try:
        got = session.through_cache(
            keys.hf_paper(paper_id),
            what=f"Hugging Face page of {paper_id}",
            fetch=fetch,
            fresh=freshness.within(freshness.PAPER_TTL),
        )
    except NotCachedError:
        return None, None  # offline: the cached listings may still know it
    except FetchError as exc:
        return None, exc
    if not got.items:
        return None, None
    return parse_hf.parse_item({"paper": got.items[0]}), None


def _lookup_arxiv(
    session: Session, paper_id: str, version: int | None
) -> tuple[Paper | None, FetchError | None]:
    from papertrack.sources import arxiv

    wanted = f"{paper_id}v{version}" if version else paper_id

    def fetch() -> Fetched:
        found = arxiv.lookup(session.client, session.gate, session.network, [wanted])
        paper = found.get(paper_id)
        return Fetched(session.network.arxiv_api, [paper.to_dict()] if paper else [])

    try:
        got = session.through_cache(
            keys.arxiv_abstract(wanted),
            what=f"arXiv record of {wanted}",
            fetch=fetch,
            fresh=freshness.within(freshness.PAPER_TTL),
        )
    except NotCachedError:
        return None, None
    except FetchError as exc:
        return None, exc
    return (Paper.from_dict(got.items[0]) if got.items else None), None


def enrich(session: Session, papers: list[Paper], *, most: int = 200) -> list[Paper]:
    """Fill in what the feeds lack (primary category, comment, submission dates) from the
    API, ``arxiv.ID_BATCH`` ids per request, for at most *most* arXiv papers; cached per id.

    Best effort: a failed look-up leaves the papers as they were, with a warning.
    """
    wanted = [p.id for p in papers if "arxiv" in p.sources and p.primary_category is None][:most]
    if not wanted:
        return papers
    found = arxiv_records(session, wanted)
    return [_with_details(p, found[p.id]) if p.id in found else p for p in papers]


def arxiv_records(session: Session, ids: list[str]) -> dict[str, Paper]:
    """arXiv's API records of *ids*: each from the cache when it is there, the others
    asked ``arxiv.ID_BATCH`` at a time (none offline) and cached. Best effort: ids arXiv
    does not answer for are absent, with a warning when the request failed."""
    from papertrack.sources import arxiv

    found: dict[str, Paper] = {}
    missing: list[str] = []
    for paper_id in ids:
        cached = session.read(keys.arxiv_abstract(paper_id))
        if cached is not None and cached.items:
            found[paper_id] = Paper.from_dict(cached.items[0])
        elif session.mode != "offline":
            missing.append(paper_id)
    if missing:
        try:
            fetched = arxiv.lookup(session.client, session.gate, session.network, missing)
        except FetchError as exc:
            session.warn(f"warning: could not fetch arXiv details: {exc}")
            fetched = {}
        for paper_id, paper in fetched.items():
            session.write(
                keys.arxiv_abstract(paper_id),
                Fetched(session.network.arxiv_api, [paper.to_dict()]),
            )
        found.update(fetched)
    return found


def _with_details(paper: Paper, record: Paper) -> Paper:
    return replace(
        paper,
        primary_category=record.primary_category,
        categories=record.categories or paper.categories,
        arxiv_comment=record.arxiv_comment,
        published=paper.published or record.published,
        updated=record.updated,
        journal_ref=paper.journal_ref or record.journal_ref,
        doi=paper.doi or record.doi,
    )
