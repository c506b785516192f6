"""History across files in a real browser: a file's "Compared with earlier files" section (new vendors,
changes with their sparklines, a duplicate paid in an earlier file, linked to that file) and a source's
page of months, over four monthly files of one source processed by the pipeline."""

from __future__ import annotations

import json
import urllib.request

import pytest
from dagster import DagsterInstance

from fintrace_pipeline.generate.monthly import generate_monthly_files, write_monthly_file
from fintrace_pipeline.runtime.process import process_file
from fintrace_pipeline.settings import Settings
from fintrace_pipeline_tests.browser.test_dashboard import assert_fits_the_screen, cell_texts

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("browser")]

MONTHS = (5, 6, 7, 9)


@pytest.fixture(scope="module")
def processed(system, tmp_path_factory, browser):
    """Months 5, 6, 7 and 9 of the generated source, processed oldest first into the served database."""
    folder = tmp_path_factory.mktemp("months")
    generated = generate_monthly_files(lines_per_month=30, seed=5)
    instance = DagsterInstance.ephemeral()
    ids = {}
    with pytest.MonkeyPatch.context() as patch:
        for name in ("FINTRACE_VAR_DIR", "FINTRACE_DATABASE_URL", "DAGSTER_HOME", "FINTRACE_INBOX"):
            patch.setenv(name, system.env[name])
        settings = Settings.from_env()
        for number in MONTHS:
            path = folder / f"acme-2025-{number:02d}.csv"
            write_monthly_file(generated.files[number - 1], path)
            ids[number] = str(process_file(path, settings, source="acme", instance=instance).data_file_id)
    return ids, generated.cases


def post_json(system, path: str, body) -> dict:
    request = urllib.request.Request(
        f"{system.url}{path}", data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def test_a_files_comparison_with_new_vendors_changes_and_an_earlier_duplicate(page, system, processed, screenshot_dir):
    ids, cases = processed
    page.goto(f"{system.url}/files/{ids[9]}")
    page.wait_for_selector("#history-body:not([hidden])", timeout=60_000)
    assert page.text_content("#history-status") == "Compared with 3 earlier files of the source."
    assert cell_texts(page, "#history-new-vendors tbody tr:first-child td") == [
        "Brand New Consulting",
        "2025-09-09",
        "1",
        "48,000.00",
    ]
    # Each change carries a sparkline of its earlier months, described in words.
    first_change = page.locator("#history-changes tbody tr").first
    label = first_change.locator("svg.sparkline").get_attribute("aria-label")
    assert "2025-05" in label and "2025-07" in label and "this file" in label
    assert page.locator("#history-changes tbody tr").count() >= 3
    page.locator("#history").screenshot(path=str(screenshot_dir / "history-section.png"))
    assert_fits_the_screen(page)

    # July: May's invoice paid again, linked to May's page.
    row = int(cases.loc[cases["rule_code"] == "HIST_DUP_INVOICE", "row_number"].iloc[0])
    page.goto(f"{system.url}/files/{ids[7]}")
    page.wait_for_selector("#history-body:not([hidden])", timeout=60_000)
    duplicate = cell_texts(page, "#history-duplicates tbody tr:first-child td")
    assert duplicate[:5] == [str(row), "Supplier 03 Ltd", "INV-DUP-0505", "7,425.50", "same invoice"]
    assert duplicate[5] == "acme-2025-05.csv"
    page.click("#history-duplicates tbody tr:first-child a")
    page.wait_for_selector("#history-status:has-text('no earlier file')", timeout=60_000)
    assert page.url.endswith(f"/files/{ids[5]}")
    assert page.is_hidden("#history-body")


def test_a_sources_page_shows_its_months_with_flagged_share_and_confirmed_findings(
    page, system, processed, screenshot_dir
):
    ids, cases = processed
    row = int(cases.loc[cases["rule_code"] == "HIST_DUP_INVOICE", "row_number"].iloc[0])
    post_json(system, "/api/verdicts/", {"file_id": ids[7], "row_number": row, "verdict": "confirmed"})
    page.goto(f"{system.url}/sources/acme")
    page.wait_for_selector("#trend-table tbody tr")
    rows = page.locator("#trend-table tbody tr")
    assert [rows.nth(i).locator("td").first.text_content() for i in range(rows.count())] == [
        "2025-05",
        "2025-06",
        "2025-07",
        "2025-09",
    ]
    july = cell_texts(page, "#trend-table tbody tr:nth-child(3) td")
    assert july[1] == "31" and july[5] == "1"
    trends = json.load(urllib.request.urlopen(f"{system.url}/api/source-trends/?source=acme", timeout=10))
    share = trends["months"][2]["flagged_share"]
    assert july[4] == f"{share * 100:.1f}%".replace(".0%", "%")
    assert "2025-07" in page.get_attribute("#trend-flagged", "aria-label")
    assert cell_texts(page, "#source-files tbody tr td:first-child") == [f"acme-2025-{n:02d}.csv" for n in MONTHS]
    page.screenshot(path=str(screenshot_dir / "source-trends.png"), full_page=True)
    assert_fits_the_screen(page)
