"""The HTML leaderboard in a real headless browser (Debian's chromium + chromium-driver).

Loads the generated page from file://, checks the console stays clean, that clicking a
column header sorts the rows, and that every heat map image decoded; a screenshot of the
page is saved under the test's tmp dir and its path printed.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from harness.leaderboard import regenerate
from harness.results import RunDir

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")

pytestmark = pytest.mark.skipif(
    not (CHROMIUM and CHROMEDRIVER),
    reason="needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)",
)

# xnli average per (intermediate, seed); rows start ordered by intermediate name, which is
# neither ascending nor descending in xnli, so a sort must move rows
XNLI = {"anli": (61.0, 63.0), "mnli": (40.0, 44.0), "none": (52.0, 50.0), "qqp": (70.0, 72.0)}


def _records() -> list[dict]:
    records = []
    for inter, per_seed in XNLI.items():
        for seed, value in enumerate(per_seed):
            for lang, shift in (("en", 10.0), ("de", -10.0), ("sw", 0.0)):
                for target, offset in (("xnli", 0.0), ("pawsx", 5.0)):
                    if target == "pawsx" and lang == "sw":
                        continue
                    records.append(
                        {
                            "suite": "xtreme-zs",
                            "model": "minilm",
                            "intermediate": None if inter == "none" else inter,
                            "target": target,
                            "role": "target",
                            "language": lang,
                            "split": "test",
                            "metric": "accuracy",
                            "value": value + shift + offset,
                            "main": True,
                            "seed": seed,
                            "run_id": "r1",
                            "n_examples": 10,
                            "data": "sample",
                        }
                    )
    return records


def _driver(tmp_path: Path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1400,2400",
        f"--user-data-dir={tmp_path / 'chromium-profile'}",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))


def _column(driver, table_id: str, header: str) -> list[str]:
    from selenium.webdriver.common.by import By

    table = driver.find_element(By.ID, table_id)
    headers = [th.text.strip(" ▲▼") for th in table.find_elements(By.CSS_SELECTOR, "thead th")]
    col = headers.index(header)
    return [
        row.find_elements(By.TAG_NAME, "td")[col].text
        for row in table.find_elements(By.CSS_SELECTOR, "tbody tr")
    ]


def test_leaderboard_page_in_headless_chromium(tmp_path, capsys):
    from selenium.webdriver.common.by import By

    RunDir(tmp_path / "runs", "r1").add_records(_records())
    out = tmp_path / "leaderboards"
    written, problems = regenerate([tmp_path / "runs"], out)
    assert problems == [] and out / "index.html" in written

    driver = _driver(tmp_path)
    try:
        driver.get((out / "index.html").as_uri())
        assert driver.title == "Leaderboard"

        # every heat map decoded: one transfer map + one language map per setup
        images = driver.find_elements(By.CSS_SELECTOR, "figure img")
        assert len(images) == 1 + len(XNLI)
        for image in images:
            width = driver.execute_script(
                "return arguments[0].complete ? arguments[0].naturalWidth : 0", image
            )
            assert width > 0, image.get_attribute("src")

        # sorting: click the xnli header of the average table, then again
        before = _column(driver, "table-average", "xnli")
        assert before == [
            "62.00 ± 1.41 (n=2)",
            "42.00 ± 2.83 (n=2)",
            "51.00 ± 1.41 (n=2)",
            "71.00 ± 1.41 (n=2)",
        ]
        header = next(
            th
            for th in driver.find_elements(By.CSS_SELECTOR, "#table-average thead th")
            if th.text.strip(" ▲▼") == "xnli"
        )
        header.click()
        ascending = _column(driver, "table-average", "xnli")
        assert ascending == sorted(before, key=lambda c: float(c.split()[0]))
        assert ascending != before
        assert header.get_attribute("aria-sort") == "ascending"
        assert _column(driver, "table-average", "intermediate") == ["mnli", "none", "anli", "qqp"]
        header.click()
        assert _column(driver, "table-average", "xnli") == ascending[::-1]
        assert header.get_attribute("aria-sort") == "descending"

        screenshot = tmp_path / "leaderboard.png"
        assert driver.save_screenshot(str(screenshot))
        with capsys.disabled():  # shown even without -s
            print(f"\nleaderboard screenshot: {screenshot}")

        # no console errors or warnings while loading and sorting
        logs = driver.get_log("browser")
        assert [entry for entry in logs if entry["level"] in ("SEVERE", "WARNING")] == []
        # ...and the check above can fail: an error now is seen
        driver.execute_script("console.error('probe')")
        assert any("probe" in entry["message"] for entry in driver.get_log("browser"))
    finally:
        driver.quit()
