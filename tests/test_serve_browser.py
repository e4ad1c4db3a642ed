"""The web page of ``unspin serve`` in a real browser (Debian's Chromium, headless, Selenium).

A real uvicorn server on a free port, the seed documents pasted into the page, and what a
person would look at checked in the DOM: the verdict, passages highlighted on both sides,
a substitution marked with its original word on hover, the changed facts, the link between
the two sides of a passage, errors shown in the page, and the archive check.

Skipped when Chromium or chromedriver is missing. ``UNSPIN_SCREENSHOT=docs/serve-seeds.png``
saves the picture of the seed comparison used in the README.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

from .conftest import SEED_ORIGINAL, SEED_SPUN
from .test_serve_api import TOKEN, _make_index

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
WAIT_S = 30

pytestmark = pytest.mark.skipif(
    not (CHROMIUM and CHROMEDRIVER),
    reason="needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)",
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`unspin serve` as users run it: uvicorn on a socket, in a background thread."""
    import uvicorn

    from unspin.serve import create_app

    folder = _make_index(tmp_path_factory.mktemp("browser") / "idx")
    port = _free_port()
    config = uvicorn.Config(
        create_app(folder, token=TOKEN), host="127.0.0.1", port=port, log_level="warning"
    )
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + WAIT_S
    while not srv.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}/"
    srv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser():
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--window-size=1400,1000"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})  # to see script errors
    try:
        driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    except WebDriverException as e:  # e.g. a chromedriver that does not match chromium
        pytest.skip(f"cannot start headless Chromium: {e.msg}")
    driver.set_window_size(1400, 1000)
    yield driver
    driver.quit()


def _wait(driver, condition, what: str):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, WAIT_S).until(condition, message=f"timed out: {what}")


def _paste(driver, element_id: str, text: str) -> None:
    """What a paste does: the whole text lands in the box at once (typing 10,000 characters
    key by key would take minutes and test nothing more)."""
    driver.execute_script(
        "var a = document.getElementById(arguments[0]); a.focus(); a.value = arguments[1];"
        "a.dispatchEvent(new Event('input', {bubbles: true}));",
        element_id,
        text,
    )


def _open(driver, url: str) -> None:
    from selenium.webdriver.common.by import By

    driver.get(url)
    _wait(driver, lambda d: d.find_element(By.ID, "version").text, "page loaded (health)")


def _compare_seeds(driver, url: str) -> None:
    from selenium.webdriver.common.by import By

    _open(driver, url)
    _paste(driver, "text-a", SEED_ORIGINAL.read_text(encoding="utf-8"))
    _paste(driver, "text-b", SEED_SPUN.read_text(encoding="utf-8"))
    driver.find_element(By.ID, "compare-btn").click()
    _wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#result .us-headline"), "verdict")


def _screenshot_if_asked(driver) -> None:
    """The picture in the README: the Compare button on top, then the verdict and the two
    texts, with no passage under the mouse."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    shot = os.environ.get("UNSPIN_SCREENSHOT")
    if not shot:
        return
    driver.execute_script(
        "document.querySelectorAll('.us-text').forEach(function (t) { t.scrollTop = 0; });"
        "var top = document.querySelector('#panel-compare .pg-actions');"
        "window.scrollTo(0, top.getBoundingClientRect().top + window.scrollY - 12);"
    )
    ActionChains(driver).move_to_element(driver.find_element(By.ID, "status")).perform()
    time.sleep(0.5)
    Path(shot).parent.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(shot)


def test_seed_pair_side_by_side(server, browser):
    from selenium.webdriver.common.by import By

    _compare_seeds(browser, server)
    headline = browser.find_element(By.CSS_SELECTOR, "#result .us-headline").text
    assert headline.startswith(("Spun copy", "Partial reuse")), headline
    assert browser.find_element(By.ID, "error").get_attribute("hidden") is not None
    _screenshot_if_asked(browser)
    # No script error and no blocked resource (the page's security policy is strict).
    severe = [e["message"] for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert not severe, severe

    # Reused passages highlighted on both sides, with the same numbers.
    numbers = {}
    for side in ("a", "b"):
        spans = browser.find_elements(By.CSS_SELECTOR, f".us-col--{side} .us-passage")
        assert spans, f"no passage highlighted on side {side}"
        numbers[side] = {s.get_attribute("data-passage") for s in spans}
        assert all(
            s.value_of_css_property("background-color") != "rgba(0, 0, 0, 0)" for s in spans[:3]
        )
    assert numbers["a"] & numbers["b"]

    # A substitution, marked word by word, with the original word on hover.
    subs = browser.find_elements(By.CSS_SELECTOR, ".us-col--b mark.us-sub--b")
    assert len(subs) >= 10
    by_text = {m.text: m.get_attribute("title") for m in subs}
    assert "social gathering" in by_text
    assert "\u201cparty\u201d" in by_text["social gathering"]  # Was “party” in A

    # Changed facts listed.
    rows = browser.find_elements(By.CSS_SELECTOR, ".us-facts tbody tr")
    assert rows
    assert "tens of millions" in browser.find_element(By.CSS_SELECTOR, ".us-facts").text

    # Clicking a passage on one side highlights its counterpart on the other.
    shared = sorted(numbers["a"] & numbers["b"], key=int)[-1]
    browser.find_element(
        By.CSS_SELECTOR, f'.us-col--a .us-passage[data-passage="{shared}"]'
    ).click()
    other = browser.find_element(
        By.CSS_SELECTOR, f'.us-col--b .us-passage[data-passage="{shared}"]'
    )
    _wait(browser, lambda d: "is-active" in other.get_attribute("class"), "counterpart active")


def test_errors_are_shown_in_the_page(server, browser):
    from selenium.webdriver.common.by import By

    _open(browser, server)
    _paste(browser, "text-a", "Some text.")
    browser.find_element(By.ID, "compare-btn").click()
    error = browser.find_element(By.ID, "error")
    _wait(browser, lambda d: error.is_displayed(), "error for a missing text B")
    assert "both boxes" in error.text

    # An answer refused by the API (here: text B over the size the server accepts).
    _paste(browser, "text-b", "word " * 50_000)
    browser.find_element(By.ID, "compare-btn").click()
    _wait(browser, lambda d: "refused" in error.text, "API error shown")
    assert "body.b.text" in error.text
    assert not browser.find_elements(By.CSS_SELECTOR, "#result .us-headline")


def test_check_against_the_archive(server, browser):
    from selenium.webdriver.common.by import By

    _open(browser, server)
    assert "3 documents" in browser.find_element(By.ID, "archive-info").get_attribute("textContent")
    browser.find_element(By.ID, "tab-check").click()
    _paste(browser, "text-query", SEED_SPUN.read_text(encoding="utf-8"))
    browser.find_element(By.ID, "check-btn").click()
    _wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, ".pg-match"), "matches")
    first = browser.find_elements(By.CSS_SELECTOR, ".pg-match")[0]
    assert SEED_ORIGINAL.stem in first.text and "Spun copy" in first.text
    assert first.get_attribute("aria-pressed") == "true"
    _wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#result .us-headline"), "view")
    assert browser.find_elements(By.CSS_SELECTOR, ".us-col--a .us-passage")
    title = browser.find_element(By.CSS_SELECTOR, ".us-col--a .us-col-title").text
    assert title == SEED_ORIGINAL.stem


def test_dropped_files_are_read_and_named(server, browser):
    """Dropping .txt files onto the boxes fills them, and the file names become the ids."""
    from selenium.webdriver.common.by import By

    _open(browser, server)
    for box, path in (("text-a", SEED_ORIGINAL), ("text-b", SEED_SPUN)):
        browser.execute_script(
            "var area = document.getElementById(arguments[0]);"
            "var data = new DataTransfer();"
            "data.items.add(new File([arguments[2]], arguments[1], {type: 'text/plain'}));"
            "area.dispatchEvent(new DragEvent('drop', "
            "  {dataTransfer: data, bubbles: true, cancelable: true}));",
            box,
            path.name,
            path.read_text(encoding="utf-8"),
        )
        hint = browser.find_element(By.ID, box.replace("text-", "hint-"))
        _wait(browser, lambda d, h=hint, p=path: p.name in h.text, f"{path.name} loaded")
    assert browser.find_element(By.ID, "text-b").get_attribute("value") == SEED_SPUN.read_text(
        encoding="utf-8"
    )
    browser.find_element(By.ID, "compare-btn").click()
    _wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#result .us-headline"), "verdict")
    titles = [t.text for t in browser.find_elements(By.CSS_SELECTOR, ".us-col-title")]
    assert titles == [SEED_ORIGINAL.stem, SEED_SPUN.stem]
