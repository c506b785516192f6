"""What an analyst does on the dashboard, in a real browser: upload, watch progress, read and filter
the findings, download an export; see why a bad file failed; give the API token when one is set."""

from __future__ import annotations

import json
import re
import urllib.request

import pytest

from fintrace_pipeline.generate import generate_ledger, write_ledger

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("browser")]

PROCESSING_TIMEOUT_MS = 180_000


def api(system, path: str) -> dict:
    with urllib.request.urlopen(f"{system.url}{path}", timeout=10) as response:
        return json.load(response)


@pytest.fixture(scope="module")
def ledger(tmp_path_factory):
    path = tmp_path_factory.mktemp("upload") / "march_ledger.csv"
    write_ledger(generate_ledger(2_000, seed=21), path)
    return path


def upload(page, system, path):
    page.goto(f"{system.url}/")
    page.set_input_files("#file-input", str(path))


def test_upload_reaches_completed_and_the_file_view_shows_the_results(page, system, ledger, screenshot_dir):
    upload(page, system, ledger)
    page.wait_for_function(
        "document.getElementById('upload-status').textContent === 'COMPLETED'", timeout=PROCESSING_TIMEOUT_MS
    )
    steps = page.locator("#upload-steps li")
    assert steps.count() == 6
    assert all(text.endswith("COMPLETED") for text in steps.all_text_contents())
    assert page.get_attribute("#upload-bar", "aria-valuenow") == "100"
    page.click("text=Open the results")
    page.wait_for_url(re.compile(r"/files/[0-9a-f-]{36}$"))
    file_id = page.url.rsplit("/", 1)[1]
    page.screenshot(path=str(screenshot_dir / "upload.png"))

    page.wait_for_selector("#tb-table tbody tr")
    page.wait_for_selector("#chart-category .main-svg")
    page.wait_for_selector("#chart-benford .main-svg")
    page.screenshot(path=str(screenshot_dir / "file_view.png"))
    page.screenshot(path=str(screenshot_dir / "file_view_full.png"), full_page=True)

    assert page.text_content("#file-title") == "march_ledger.csv"
    details = {
        r["analytics_type"]: r["detailed_results"]
        for r in api(system, f"/api/analytics-results/?file_id={file_id}&analytics_type=all")["results"]
    }
    trial_balance = details["default_analytics"]["trial_balance_data"]
    verdict = "Balanced" if trial_balance["balance_check"]["balanced"] else "Not balanced"
    assert page.text_content("#tb-check").startswith(verdict)
    assert page.locator("#tb-table tbody tr").count() == len(trial_balance["accounts"]["items"])
    benford = details["anomaly_detection"]["risk_assessment"]["benford"]["first_digit"]
    assert page.text_content("#benford-verdict").startswith(benford["conformity"])
    cards = dict(
        zip(
            page.locator(".card .label").all_text_contents(),
            page.locator(".card .value").all_text_contents(),
            strict=True,
        )
    )
    assert cards["Rows read"] == "2,000"
    assert cards["Unique accounts"] == f"{trial_balance['totals']['unique_accounts']:,}"

    # Filtering the flagged transactions: the table and count follow the API's answer.
    flagged = api(system, f"/api/flagged-transactions/?file_id={file_id}&limit=1")
    assert page.text_content("#flag-count") == f"{flagged['total']:,} flagged transactions match"
    summary = api(system, f"/api/processing-results/?file_id={file_id}")["processing_summary"]
    rule = min(summary["flags_by_rule"], key=summary["flags_by_rule"].get)  # a rule with few rows
    page.select_option("#flag-rule", rule)
    page.fill("#flag-min-risk", "0")
    page.click("#flag-filter button[type=submit]")
    expected = api(system, f"/api/flagged-transactions/?file_id={file_id}&rule={rule}&limit=100")
    page.wait_for_function(f"document.getElementById('flag-count').textContent.startsWith('{expected['total']:,} ')")
    rows = page.locator("#flag-table tbody tr")
    assert rows.count() == min(expected["total"], 25)
    assert all(rule in text for text in page.locator("#flag-table tbody tr td:last-child").all_text_contents())

    page.select_option("#flag-rule", "")
    page.fill("#flag-min-risk", "90")
    page.click("#flag-filter button[type=submit]")
    risky = api(system, f"/api/flagged-transactions/?file_id={file_id}&min_risk=90&limit=1")
    page.wait_for_function(f"document.getElementById('flag-count').textContent.startsWith('{risky['total']:,} ')")

    # An export downloads the stored scores.
    with page.expect_download() as download_info:
        page.click("text=Risk scores (CSV)")
    download = download_info.value
    assert download.suggested_filename == f"fintrace-scores-{file_id}.csv"
    header = open(download.path(), encoding="utf-8").readline().strip().lstrip("\ufeff")
    assert header.startswith("row_number,transaction_id,risk_score,reasons")


def test_an_unreadable_file_ends_failed_with_its_reason_on_the_page(page, system, tmp_path, screenshot_dir):
    broken = tmp_path / "scrambled.xlsx"
    broken.write_bytes(b"PK\x03\x04 this is not really a workbook" * 20)
    upload(page, system, broken)
    page.wait_for_function(
        "document.getElementById('upload-status').textContent === 'FAILED'", timeout=PROCESSING_TIMEOUT_MS
    )
    listed = api(system, "/api/files/?status=FAILED")["files"]
    job_id = next(f["latest_job_id"] for f in listed if f["file_name"] == "scrambled.xlsx")
    error = api(system, f"/api/processing-progress/?job_id={job_id}")["progress"]["error_message"]
    assert error
    assert page.text_content("#upload-message") == f"FAILED: {error}"
    page.screenshot(path=str(screenshot_dir / "failed_upload.png"))

    page.goto(f"{system.url}/")
    page.wait_for_selector("#files-table tbody tr")
    page.screenshot(path=str(screenshot_dir / "file_list.png"))
    assert "FAILED" in page.text_content("#files-table")


def wait_for_file_list(page, system):
    """Waits until the page lists what the API lists (the empty notice when there is nothing)."""
    expected = len(api(system, "/api/files/?limit=50")["files"])
    page.wait_for_function(
        "([expected]) => document.querySelectorAll('#files-table tbody tr').length === expected"
        " && (expected > 0 || !document.getElementById('files-empty').hidden)",
        arg=[expected],
    )


def test_the_page_asks_for_the_api_token_once_and_then_works(page, system, serve_with_token):
    url = serve_with_token("s3cret-token")
    page.goto(f"{url}/")
    page.wait_for_selector("#token-form:not([hidden])")
    page.fill("#token-input", "wrong")
    page.click("#token-form button")
    page.wait_for_function("document.getElementById('token-error').textContent.includes('not accepted')")
    page.fill("#token-input", "s3cret-token")
    page.click("#token-form button")
    wait_for_file_list(page, system)
    assert page.is_hidden("#token-form")
    # Kept for the session: another page of the same tab does not ask again.
    page.goto(f"{url}/")
    wait_for_file_list(page, system)
    assert page.is_hidden("#token-form")
