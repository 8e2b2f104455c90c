"""Read the built documentation site in Debian's headless Chromium (through chromedriver) as a
reader would: start at the index, follow every internal link to every page it reaches, and report
what a reader would meet: links to missing files or anchors, images that did not load or have no
``alt``, and anything fetched from outside the machine."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlparse

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
MISSING = (
    None
    if Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()
    else "Chromium not found: install Debian's chromium and chromium-driver "
    "(apt-get install chromium chromium-driver) to run the browser check"
)


def driver(profile: Path):
    os.environ.setdefault("SE_AVOID_STATS", "true")  # Selenium Manager: no usage pings
    os.environ.setdefault("SE_OFFLINE", "true")  # and no driver downloads: we name the driver
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1280,1600",
        f"--user-data-dir={profile}",
        "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost",
    ):  # nothing leaves the machine
        opts.add_argument(arg)
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)


@dataclass
class Crawl:
    pages: list[Path] = field(default_factory=list)  # every page visited, in order
    images: dict[Path, list[tuple[str, str]]] = field(default_factory=dict)  # page -> (src, alt)
    broken_links: list[str] = field(default_factory=list)  # "page -> target (why)"
    broken_images: list[str] = field(default_factory=list)  # "page: src"
    missing_alt: list[str] = field(default_factory=list)  # "page: src"
    external: list[str] = field(default_factory=list)  # "page: url" of resources loaded from outside


_PAGE_JS = """
const imgs = Array.from(document.images).map(i => [i.currentSrc || i.src, (i.getAttribute('alt') || '').trim(),
                                                  i.complete && i.naturalWidth > 0]);
const links = Array.from(document.querySelectorAll('a[href]')).map(a => a.href);
const ids = Array.from(document.querySelectorAll('[id],a[name]')).map(e => e.id || e.getAttribute('name'));
const loaded = performance.getEntriesByType('resource').map(e => e.name);
const tags = Array.from(document.querySelectorAll('script[src],link[href],img[src],iframe[src]'))
                  .map(e => e.src || e.href);
return [imgs, links, ids, loaded.concat(tags)];
"""


def crawl(drv, index: Path, screenshots: dict[str, Path] | None = None) -> Crawl:
    """Visit every page reachable from ``index`` by internal links inside the site's folder;
    a link to a file must find it, a link with an anchor must find the anchor on its page."""
    root = index.parent.resolve()
    out = Crawl()
    queue, seen = [index.resolve()], {index.resolve()}
    anchors: dict[Path, set[str]] = {}
    wanted: list[tuple[Path, Path, str]] = []  # (from page, to page, anchor)
    while queue:
        page = queue.pop(0)
        drv.get(page.as_uri())
        images, links, ids, fetched = drv.execute_script(_PAGE_JS)
        out.pages.append(page)
        anchors[page] = set(ids)
        rel = page.relative_to(root).as_posix()
        if screenshots and rel in screenshots:
            drv.save_screenshot(str(screenshots[rel]))
        out.images[page] = [(src, alt) for src, alt, _ok in images]
        out.broken_images += [f"{rel}: {src}" for src, _alt, ok in images if not ok]
        out.missing_alt += [f"{rel}: {src}" for src, alt, _ok in images if not alt]
        out.external += [f"{rel}: {u}" for u in fetched if urlparse(u).scheme in ("http", "https")]
        for href in links:
            url, anchor = urldefrag(href)
            parsed = urlparse(url)
            if parsed.scheme != "file":
                continue
            target = Path(unquote(parsed.path))
            if not target.exists():
                out.broken_links.append(f"{rel} -> {href} (no such file)")
                continue
            if target.is_dir():
                target = target / "index.html"
                if not target.exists():
                    out.broken_links.append(f"{rel} -> {href} (a folder without index.html)")
                    continue
            if target.suffix == ".html" and target.is_relative_to(root):
                if anchor:
                    wanted.append((page, target, anchor))
                if target not in seen:
                    seen.add(target)
                    queue.append(target)
    for page, target, anchor in wanted:
        if anchor not in anchors.get(target, set()):
            out.broken_links.append(f"{page.relative_to(root)} -> {target.relative_to(root)}#{anchor} (no such anchor)")
    return out
