"""Open pages of the rendered site in Debian's headless Chromium (through chromedriver) and report
what a reader would see: images that did not load, internal links that lead nowhere."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from urllib.parse import unquote, urlparse

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


def inspect(drv, page: Path, screenshot: Path) -> dict[str, list[str]]:
    """Load one page; return its broken images, broken internal links and external resources."""
    drv.get(page.resolve().as_uri())
    images = drv.execute_script(
        "return Array.from(document.images).map(i => [i.currentSrc.slice(0, 80), i.complete && i.naturalWidth > 0]);"
    )
    links = drv.execute_script("return Array.from(document.querySelectorAll('a[href]')).map(a => a.href);")
    external = drv.execute_script(
        "return Array.from(document.querySelectorAll('script[src],link[href],img[src]'))"
        ".map(e => e.src || e.href).filter(u => /^https?:/.test(u));"
    )
    drv.save_screenshot(str(screenshot))
    broken_links = []
    for href in links:
        url = urlparse(href)
        if url.scheme == "file" and not Path(unquote(url.path)).exists():
            broken_links.append(href)
    return {
        "images": [src for src, ok in images],
        "broken_images": [src for src, ok in images if not ok],
        "broken_links": broken_links,
        "internal_links": [h for h in links if h.startswith("file:")],
        "external_resources": external,
    }
