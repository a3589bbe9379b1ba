"""The round trip in a real browser: export, a mentor comments in headless Chromium, save, import.

Debian's ``chromium`` and ``chromium-driver`` drive it (selenium is told where the driver
is, so it never downloads one). Without them these tests skip, saying why.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest

from tui.cli import main

CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or "/usr/bin/chromium"

webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed (pip install -e '.[test]')")
if not (Path(CHROMEDRIVER).is_file() and Path(CHROMIUM).is_file()):
    pytest.skip("no chromium and chromedriver here (apt-get install chromium chromium-driver)", allow_module_level=True)

from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402

pytestmark = [pytest.mark.timeout(180), pytest.mark.loopback]  # selenium talks to chromedriver on localhost


def browser(downloads: Path, width: int = 1280, height: int = 900):
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                f"--window-size={width},{height}", "--no-first-run", "--disable-background-networking",
                f"--user-data-dir={downloads.parent / 'chromium-profile'}"):
        options.add_argument(arg)
    options.add_experimental_option("prefs", {
        "download.default_directory": str(downloads),
        "download.prompt_for_download": False,
        "safebrowsing.enabled": False,
    })
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    # Headless Chromium needs downloads allowed explicitly (Browser.setDownloadBehavior).
    driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    if width < 500:  # a window is never narrower than 500 px: emulate a phone's viewport instead
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                               {"width": width, "height": height, "deviceScaleFactor": 2, "mobile": True})
    return driver


def exported_page(workspace, tmp_path: Path) -> Path:
    ws = workspace
    ws.annotations.set("intention", "Notice how long I wait after each question.")
    assert main(["mark", str(ws.recording), "--at", "0:05", "--to", "0:09", "--tag", "growth-edge",
                 "--note", "Closed question here"]) == 0
    assert main(["mark", str(ws.recording), "--at", "0:20", "--tag", "strength", "--note", "Good pause"]) == 0
    page = tmp_path / "out" / "page.html"
    assert main(["export", str(ws.recording), "--format", "html", "-o", str(page)]) == 0
    return page


def wait_for_file(folder: Path, pattern: str, seconds: float = 20.0) -> Path:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        done = [p for p in folder.glob(pattern) if not p.name.endswith(".crdownload")]
        if done:
            return done[0]
        time.sleep(0.1)
    raise AssertionError(f"no {pattern} was downloaded into {folder}: {sorted(p.name for p in folder.iterdir())}")


def reopened(driver, seconds: float = 10.0) -> str:
    """The name field once the page is opened again.

    Chromium hands localStorage writes to its storage asynchronously, so a reload at once can
    still read the page as it was before the last writes; a later visit reads them (the page
    never writes what it read on opening, so a stale read loses nothing).
    """
    deadline = time.monotonic() + seconds
    while True:
        driver.refresh()
        value = driver.find_element(By.ID, "fb-name").get_attribute("value")
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.5)


def test_a_mentor_comments_in_the_page_and_the_coach_imports_it(short_workspace, tmp_path, capfd):
    ws = short_workspace
    page = exported_page(ws, tmp_path)
    downloads = tmp_path / "Downloads"
    downloads.mkdir()
    driver = browser(downloads)
    try:
        driver.get(page.as_uri())
        errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
        assert not errors, errors  # the CSP let the script run, and it raised nothing
        toggle = driver.find_element(By.CSS_SELECTOR, "button.fb-toggle")
        assert not driver.find_element(By.ID, "fb-name").is_displayed()
        toggle.click()
        name = driver.find_element(By.ID, "fb-name")
        assert driver.switch_to.active_element == name  # asks for the name first
        name.send_keys("Dana Mentor", Keys.ENTER)

        first = driver.find_elements(By.CSS_SELECTOR, "article.moment")[0]
        first.find_element(By.CSS_SELECTOR, "button.fb-add-moment").click()
        area = driver.switch_to.active_element
        assert area.tag_name == "textarea"
        first.find_element(By.CSS_SELECTOR, "select").send_keys("try-instead")
        area.send_keys("Try an open question: <b>what</b> did you notice?")
        area.send_keys(Keys.CONTROL, Keys.ENTER)  # ctrl+enter adds it
        assert "Try an open question: <b>what</b> did you notice?" in first.text  # as text, not markup
        assert not first.find_elements(By.CSS_SELECTOR, ".fb-comment b")

        line = driver.find_elements(By.CSS_SELECTOR, "ol.lines li[data-start]")[-1]
        line_start = float(line.get_attribute("data-start"))
        line_end = float(line.get_attribute("data-end"))
        line.find_element(By.CSS_SELECTOR, "button.fb-add-line").send_keys(Keys.ENTER)  # keyboard only
        driver.switch_to.active_element.send_keys("Lovely reflection from the client here.")
        line.find_element(By.CSS_SELECTOR, ".fb-form button.fb-primary").click()

        panel = driver.find_element(By.CSS_SELECTOR, ".fb-panel")
        assert "Notice how long I wait" in panel.text  # the coach's look-fors, quoted
        areas = panel.find_elements(By.TAG_NAME, "textarea")
        areas[0].send_keys("You waited longer each time.")
        areas[1].send_keys("A warm, focused session.")
        areas[2].send_keys("Plan two open questions and count to five.")
        assert "2 comments" in panel.text
        panel.find_element(By.CSS_SELECTOR, "button.fb-primary").click()
        saved = wait_for_file(downloads, "*.feedback.json")

        assert reopened(driver) == "Dana Mentor"  # the work is kept in the browser between visits
        assert len(driver.find_elements(By.CSS_SELECTOR, ".fb-comment")) == 2
    finally:
        driver.quit()

    assert saved.name == f"{ws.info.title}.feedback.json"
    data = json.loads(saved.read_text())
    assert data["format"] == "debrief-feedback" and data["session"]["id"] == ws.info.id
    renamed = tmp_path / "from-dana.json"  # renamed, and kept far from the library
    saved.rename(renamed)
    capfd.readouterr()
    assert main(["import", str(renamed), "--db", str(ws.library.db_path)]) == 0
    assert "imported Dana Mentor's feedback" in capfd.readouterr().out

    marks = [m for m in ws.annotations.marks() if m.source == "feedback"]
    assert {m.author for m in marks} == {"Dana Mentor"}
    by_note = {m.note: m for m in marks}
    moment = by_note["Try an open question: <b>what</b> did you notice?"]
    assert (moment.start, moment.end, moment.tag) == (5.0, 9.0, "try-instead")
    on_line = by_note["Lovely reflection from the client here."]
    assert (on_line.start, on_line.end) == (line_start, line_end)
    assert by_note["A warm, focused session."].tag == "feedback"
    assert by_note["You waited longer each time."].tag == "look-fors"
    from tui.services.feedback import next_practice, unread_feedback

    assert unread_feedback(ws.annotations) == 4
    assert next_practice(ws.annotations)[:2] == ("Plan two open questions and count to five.", "Dana Mentor")
    before = ws.annotations.change_token()
    assert main(["import", str(renamed), "--db", str(ws.library.db_path)]) == 0
    assert ws.annotations.change_token() == before  # twice: not a byte changes


def test_without_storage_the_page_still_works_and_says_so(short_workspace, tmp_path):
    """A browser that refuses localStorage (Firefox on file:// with strict settings): comment, and save."""
    page = exported_page(short_workspace, tmp_path)
    html = page.read_text()
    # Make the script's storage probe fail as a browser that blocks it would (the CSP hash is kept valid
    # by blocking storage from outside the script: a getter that throws, installed before load).
    downloads = tmp_path / "Downloads"
    downloads.mkdir()
    driver = browser(downloads, width=375, height=800)
    try:
        driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": (
            "Object.defineProperty(window, 'localStorage', {get: function () { throw new DOMException('no', "
            "'SecurityError'); }});")})
        driver.get(page.as_uri())
        assert not [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
        driver.find_element(By.CSS_SELECTOR, "button.fb-toggle").click()
        assert "will not keep your work" in driver.find_element(By.CSS_SELECTOR, ".fb-bar").text
        driver.find_element(By.ID, "fb-name").send_keys("Dana")
        driver.find_elements(By.CSS_SELECTOR, "article.moment button.fb-add-moment")[0].click()
        driver.switch_to.active_element.send_keys("Fine.", Keys.CONTROL, Keys.ENTER)
        width = driver.execute_script("return document.documentElement.scrollWidth")
        assert width <= 375, f"the page scrolls sideways at phone width ({width} px)"
        driver.find_element(By.CSS_SELECTOR, ".fb-panel button.fb-primary").click()
        saved = wait_for_file(downloads, "*.feedback.json")
    finally:
        driver.quit()
    assert json.loads(saved.read_text())["comments"][0]["text"] == "Fine."
    assert "<script>" in html
