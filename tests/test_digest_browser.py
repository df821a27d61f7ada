"""The HTML digest looked at in a real browser: headless Chromium (tests/chromium.py) renders
it at 375 and 1200 px, light and dark, and a probe evaluated in the page checks what a
reader would see.

Screenshots of every run go to tests/screenshots/latest/ (PAPERTRACK_SCREENSHOTS moves
them), for a developer to open; the reference images beside it are what the README shows,
rewritten with PAPERTRACK_UPDATE_SNAPSHOTS=1. Pixels are not compared: fonts and Chromium
versions differ between machines, and what matters is checked by the probe.
"""

from __future__ import annotations

import json
import os
import shutil
import struct
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from tests.chromium import Chromium
from tests.conftest import NOW, run_cli, stamp
from tests.hubserver import HubServer, hf_fixture

HERE = Path(__file__).parent
REFERENCE = HERE / "screenshots"
WIDTHS = (375, 1200)
SCHEMES = ("light", "dark")
MAX_SHOT_HEIGHT = 8000
PAGE_BACKGROUND = {"light": "rgb(246, 248, 250)", "dark": "rgb(13, 17, 23)"}

HOSTILE = "<script>alert(1)</script><img src=x onerror=alert(2)> Agents & <b>tags</b>"
LATEX = r"$\mathcal{O}(n \log n)$ agents: $\sum_i \alpha_i \le \varepsilon$ — ∑ᵢ αᵢ ≤ ε, ∀x∈ℝ"
EMOJI = "🚀 RocketAgent 🤗: agents that ship ✨ (and 🧪 test)"
LONG = "Agent" + "Supercalifragilisticexpialidocious" * 4 + " scaling"
NAMES = [
    "张伟", "राहुल शर्मा", "田中 さくら", "김민준", "Мария Иванова", "محمد علي",
    "Ελένη Παπαδοπούλου", "Zoë Łukasiewicz-Müller",
]  # fmt: skip
"""Eight: a digest shows eight authors, then "et al."."""


PROBE = """
(() => {
  const canvas = document.createElement('canvas');
  canvas.width = 64; canvas.height = 64;
  const ctx = canvas.getContext('2d', {willReadFrequently: true});
  // A glyph no font has draws as the missing-glyph box ("tofu"): a character that draws
  // exactly like it, or draws nothing, is broken.
  const draw = (ch, font) => {
    ctx.clearRect(0, 0, 64, 64); ctx.font = font; ctx.fillStyle = '#000';
    ctx.textBaseline = 'top'; ctx.fillText(ch, 4, 4);
    const d = ctx.getImageData(0, 0, 64, 64).data;
    let ink = 0, hash = 0;
    for (let i = 0; i < d.length; i += 4) {
      if (d[i + 3]) { ink++; hash = (hash * 31 + i + d[i + 3]) | 0; }
    }
    return ink + ':' + hash;
  };
  const width = window.innerWidth;
  const broken = [];
  for (const el of document.querySelectorAll('.pt-card a, .pt-card div')) {
    const style = getComputedStyle(el);
    const font = style.fontSize + ' ' + style.fontFamily;
    const tofu = draw('\\u{10FFFD}', font);
    for (const ch of new Set(el.textContent)) {
      if (/\\s/.test(ch) || ch.charCodeAt(0) < 128 || /\\p{M}/u.test(ch)) continue;
      const seen = draw(ch, font);
      if (seen === tofu || seen.startsWith('0:')) broken.push(ch);
    }
  }
  const titles = [...document.querySelectorAll('a.pt-title')].map(a => {
    a.scrollIntoView({block: 'center'});  // elementFromPoint sees the viewport only
    const box = a.getBoundingClientRect();
    const at = document.elementFromPoint(box.left + 2, box.top + 2);
    return {text: a.textContent, href: a.href, left: box.left, right: box.right,
            width: box.width, height: box.height,
            onTop: !!at && (a === at || a.contains(at)), color: getComputedStyle(a).color};
  });
  window.scrollTo(0, 0);
  const elements = [...document.querySelectorAll('*')];
  const result = {
    width, scrollWidth: document.documentElement.scrollWidth,
    height: document.documentElement.scrollHeight,
    dark: matchMedia('(prefers-color-scheme: dark)').matches,
    background: getComputedStyle(document.querySelector('body')).backgroundColor,
    titles, broken: [...new Set(broken)],
    scripts: document.scripts.length, images: document.images.length,
    handlers: elements.filter(e => [...e.attributes].some(a => a.name.startsWith('on'))).length,
    links: [...document.links].map(a => a.protocol),
    replacement: document.body.textContent.includes('\\ufffd'),
  };
  return result;
})()
"""


def png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    width, height = struct.unpack(">II", header[16:24])
    return width, height


@pytest.fixture(scope="module")
def digest(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, list[str]]:
    """The HTML digest of a day whose papers carry hostile markup, LaTeX, emoji, long words
    and names in nine scripts, made by the CLI from the local server's answer; and the
    titles as the reader should see them."""
    home = tmp_path_factory.mktemp("browser")
    items = json.loads(hf_fixture("2025-08-25").read_bytes())[:6]
    for item, title in zip(items, (HOSTILE, LATEX, EMOJI, LONG), strict=False):
        item["paper"]["title"] = title
    items[0]["paper"]["githubRepo"] = "javascript:alert(3)"
    items[0]["paper"]["projectPage"] = "javascript:alert(4)"
    items[0]["paper"]["ai_summary"] = 'An agent <a href="javascript:alert(5)">click</a>'
    items[2]["paper"]["authors"] = [{"name": name} for name in NAMES]
    day = home / "day.json"
    day.write_text(json.dumps(items), encoding="utf-8")
    server = HubServer().start()
    try:
        server.serve(NOW.date(), day)
        env = {
            "HF_ENDPOINT": server.url,
            "PAPERTRACK_CACHE_DIR": str(home / "cache"),
            "PAPERTRACK_STATE_DIR": str(home / "state"),
            "PAPERTRACK_CONFIG": str(home / "config.toml"),
            "PAPERTRACK_NOW": stamp(NOW),  # module-wide: before the per-test clock is set
        }
        added = run_cli("watch", "add", "agents", "-q", "agent OR upvotes:>=3", env=env)
        assert added.returncode == 0, added.stderr
        result = run_cli("digest", "--dry-run", "-f", "html", env=env)
    finally:
        server.stop()
    assert result.returncode == 0, result.stderr
    titles = [" ".join(i["paper"]["title"].split()) for i in items]
    return result.stdout, titles


class Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, dict(attrs)))


TAGS = {"html", "head", "meta", "title", "style", "body", "table", "tr", "td", "div", "a",
        "strong", "em", "br"}  # fmt: skip
ATTRIBUTES = {"lang", "charset", "name", "content", "class", "style", "role", "width",
              "cellpadding", "cellspacing", "border", "align", "href"}  # fmt: skip


def test_the_document_is_email_safe(digest: tuple[str, list[str]]) -> None:
    html, _ = digest
    parser = Elements()
    parser.feed(html)
    tags = {tag for tag, _ in parser.found}
    assert tags <= TAGS, tags - TAGS  # no script, img, link, iframe, form…
    assert [tag for tag, _ in parser.found].count("style") == 1  # the dark variant, in <head>
    assert html.index("<style>") < html.index("</head>")
    for tag, attrs in parser.found:
        assert set(attrs) <= ATTRIBUTES, (tag, attrs)
        assert "url(" not in (attrs.get("style") or ""), attrs  # nothing fetched
        if tag == "a":
            assert (attrs.get("href") or "").startswith("https://"), attrs
    assert sum(1 for tag, a in parser.found if tag == "td" and a.get("style")) > 10  # inline
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # the hostile title, as text
    assert "@import" not in html and "url(" not in html


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("width", WIDTHS)
def test_the_digest_in_chromium(
    digest: tuple[str, list[str]], width: int, scheme: str, tmp_path: Path
) -> None:
    html, titles = digest
    page = tmp_path / "digest.html"
    page.write_text(html, encoding="utf-8")
    folder = Path(os.environ.get("PAPERTRACK_SCREENSHOTS", HERE / "screenshots" / "latest"))
    folder.mkdir(parents=True, exist_ok=True)
    shot = folder / f"digest-{width}-{scheme}.png"
    with Chromium() as browser:
        tab = browser.open(page, width=width, scheme=scheme)
        probe: dict[str, Any] = tab.evaluate(PROBE)
        height = min(probe["height"], MAX_SHOT_HEIGHT)
        tab.screenshot(shot, width=width, height=height)  # the page a developer opens

    assert probe["width"] == width
    assert probe["scrollWidth"] <= width, f"scrolls sideways: {probe['scrollWidth']} > {width}"
    assert {t["text"] for t in probe["titles"]} == set(titles)  # every title, as text
    for title in probe["titles"]:
        assert title["width"] > 0 and title["height"] > 0, title
        assert title["left"] >= 0 and title["right"] <= width, title
        assert title["onTop"], f"covered: {title['text']}"
        assert title["href"].startswith("https://huggingface.co/papers/"), title
    assert probe["broken"] == [], f"characters drawn as missing glyphs: {probe['broken']}"
    assert not probe["replacement"], "a U+FFFD replacement character: an encoding went wrong"
    assert probe["scripts"] == 0 and probe["images"] == 0 and probe["handlers"] == 0
    assert set(probe["links"]) == {"https:"}
    assert probe["dark"] is (scheme == "dark")
    assert probe["background"] == PAGE_BACKGROUND[scheme]
    if width == 375:
        assert max(t["right"] - t["left"] for t in probe["titles"]) > 250  # a column, not a sliver

    assert png_size(shot) == (width, height)
    reference = REFERENCE / shot.name
    if os.environ.get("PAPERTRACK_UPDATE_SNAPSHOTS") == "1":
        shutil.copyfile(shot, reference)
    assert reference.exists(), (
        f"no reference image {reference}: run with PAPERTRACK_UPDATE_SNAPSHOTS=1"
    )
    assert png_size(reference)[0] == width
