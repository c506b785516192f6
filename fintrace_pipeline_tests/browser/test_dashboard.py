"""What an analyst does on the dashboard, in a real browser: upload (dropped, chosen with the keyboard or
set), watch progress, read, page and filter the findings, download exports, reopen a file's address, use a
phone-sized screen; see why a bad file failed; see a notice when nothing picks a job up; give the API token
when one is set."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import urllib.request
from contextlib import contextmanager

import pytest

from fintrace_pipeline.generate import GeneratedLedger, generate_ledger, write_ledger
from fintrace_pipeline.stages import STAGES

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("browser")]

PROCESSING_TIMEOUT_MS = 180_000
PHONE = {"width": 390, "height": 844}
# Two lines the reader rejects, so the file view has rejected rows with their reasons.
BAD_LINES = (
    "TX90000001,JE-900001,not a date,2025-03-01 10:00:00,,6200,Office Supplies,klewis,ethompson,,,Bad date,"
    "CC-110,USD,12.00,\n"
    "TX90000002,JE-900002,2025-03-01,2025-03-01 10:00:00,,6200,Office Supplies,klewis,ethompson,,,Bad debit,"
    "CC-110,USD,12.0x,\n"
)


def api(system, path: str) -> dict:
    with urllib.request.urlopen(f"{system.url}{path}", timeout=10) as response:
        return json.load(response)


@pytest.fixture(scope="module")
def ledger(tmp_path_factory):
    path = tmp_path_factory.mktemp("upload") / "march_ledger.csv"
    write_ledger(generate_ledger(2_000, seed=21), path)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(BAD_LINES)
    return path


def process_after_preview(page):
    """Presses Process once the preview of the chosen file has answered."""
    page.wait_for_selector("#preview:not([hidden]) #process-file:not([disabled])")
    page.click("#process-file")


def upload(page, system, path):
    page.goto(f"{system.url}/")
    page.set_input_files("#file-input", str(path))
    process_after_preview(page)


def drop_file(page, path):
    """Drops the file on the drop zone as a browser does: dragover, then drop, carrying a DataTransfer."""
    transfer = page.evaluate_handle(
        """([name, text]) => {
            const transfer = new DataTransfer();
            transfer.items.add(new File([text], name, { type: "text/csv" }));
            return transfer;
        }""",
        [path.name, path.read_text(encoding="utf-8")],
    )
    page.dispatch_event("#drop-zone", "dragover", {"dataTransfer": transfer})
    page.dispatch_event("#drop-zone", "drop", {"dataTransfer": transfer})


def stray_drop_is_prevented(page) -> bool:
    """A file dropped outside the drop zone: whether the page keeps the browser from opening it."""
    return page.evaluate(
        """() => {
            const transfer = new DataTransfer();
            transfer.items.add(new File(["a,b"], "stray.csv", { type: "text/csv" }));
            const event = new DragEvent("drop", { bubbles: true, cancelable: true, dataTransfer: transfer });
            document.querySelector("header").dispatchEvent(event);
            return event.defaultPrevented;
        }"""
    )


def tab_to(page, element_id: str, limit: int = 8) -> list[str]:
    """Presses Tab until the element has the focus; returns what got the focus on the way."""
    seen = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        seen.append(page.evaluate("document.activeElement.id || document.activeElement.tagName"))
        if seen[-1] == element_id:
            return seen
    raise AssertionError(f"Tab never reached #{element_id}: {seen}")


def assert_fits_the_screen(page):
    """No horizontal page scroll, and every card value on one line within its card."""
    width, inner = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
    assert width <= inner
    overflowing = page.evaluate(
        "[...document.querySelectorAll('.card .value')].filter((v) => v.scrollWidth > v.clientWidth)"
        ".map((v) => v.textContent)"
    )
    assert overflowing == []


def cell_texts(page, selector: str) -> list[str]:
    return [text.strip() for text in page.locator(selector).all_text_contents()]


def check_file_view(page, system, file_id):
    """Everything the file view shows against what the API gives for the same file."""
    details = {
        r["analytics_type"]: r["detailed_results"]
        for r in api(system, f"/api/analytics-results/?file_id={file_id}&analytics_type=all")["results"]
    }
    summary = api(system, f"/api/processing-results/?file_id={file_id}")["processing_summary"]
    trial_balance = details["default_analytics"]["trial_balance_data"]
    verdict = "Balanced" if trial_balance["balance_check"]["balanced"] else "Not balanced"
    assert page.text_content("#tb-check").startswith(verdict)
    assert page.locator("#tb-table tbody tr").count() == len(trial_balance["accounts"]["items"])

    # The Benford MAD keeps enough digits to be read against its cut-offs.
    benford = details["anomaly_detection"]["risk_assessment"]["benford"]["first_digit"]
    text = page.text_content("#benford-verdict")
    assert text.startswith(benford["conformity"])
    mad = float(f"{benford['mad']:.3g}")  # three significant digits, as the page shows values below 1
    assert f"MAD {mad} " in text
    assert all(f"up to {limit}" in text for limit in benford["mad_limits"].values())

    cards = dict(zip(cell_texts(page, ".card .label"), cell_texts(page, ".card .value"), strict=True))
    assert cards["Rows read"] == f"{summary['data_file']['rows_read']:,}" == "2,002"
    assert cards["Rows rejected"] == "2"
    assert cards["Unique accounts"] == f"{trial_balance['totals']['unique_accounts']:,}"

    reasons = summary["progress"]["step_details"]["ingest"]["details"]["rejection_reasons"]
    assert cell_texts(page, "#rejected-table tbody td:first-child") == [r["reason"] for r in reasons]

    # Each chart drawn, with a text alternative naming its first bar as the API gives it.
    charts = details["comprehensive_expense"]["chart_data"]
    for name in ("category", "vendor", "month"):
        page.wait_for_selector(f"#chart-{name} .main-svg")
        label = page.get_attribute(f"#chart-{name}", "aria-label")
        assert page.get_attribute(f"#chart-{name}", "role") == "img"
        assert label.startswith(f"Bar chart of expenses by {name}. {charts[f'expense_by_{name}']['labels'][0]}: ")
    assert "observed" in page.get_attribute("#chart-benford", "aria-label")

    groups = details["duplicate_analysis"]["risk_assessment"]["top_groups"]
    assert page.locator("#dup-table tbody tr").count() == sum(len(g) for g in groups.values()) > 0
    # A member is named by its journal entry where the file numbers its entries.
    member = next(g for g in groups.values() if g)[0]["members"][0]
    named = f"{member['je_number']} (row {member['row_number']}" if member.get("je_number") else "row "
    assert page.locator("#dup-table tbody tr:first-child li").first.inner_text().startswith(named)

    # Each model's own metrics, key by key.
    models = api(system, f"/api/ml-processing-results/?file_id={file_id}")["results"]
    rows = {
        row[0]: row
        for row in (cell_texts(page, f"#ml-table tbody tr:nth-child({i + 1}) td") for i in range(len(models)))
    }
    for model in models:
        metrics_cell = rows[model["model_type"]][6]
        assert all(key.replace("_", " ") + ": " in metrics_cell for key in model["model_metrics"])
    assert "threshold: " in rows["random_forest"][6]


def check_flag_paging(page, system, file_id, job_id):
    flagged = api(system, f"/api/flagged-transactions/?file_id={file_id}&limit=26")
    assert page.text_content("#flag-count") == f"{flagged['total']:,} flagged transactions match"
    assert flagged["total"] > 25
    assert page.text_content("#flag-page").startswith("1–25 ")
    first_row = page.text_content("#flag-table tbody tr:first-child td:first-child")
    assert first_row == f"{flagged['transactions'][0]['row_number']:,}"
    with page.expect_request(re.compile(r"/api/flagged-transactions/")) as sent:
        page.click("#flag-next")
    assert f"job_id={job_id}" in sent.value.url
    page.wait_for_function("document.getElementById('flag-page').textContent.startsWith('26–')")
    assert page.text_content("#flag-table tbody tr:first-child td:first-child") == (
        f"{flagged['transactions'][25]['row_number']:,}"
    )
    page.click("#flag-prev")
    page.wait_for_function("document.getElementById('flag-page').textContent.startsWith('1–')")


def check_flag_filters(page, system, file_id):
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


def check_exports(page, file_id, job_id):
    with page.expect_download() as download_info, page.expect_request(re.compile(r"/api/exports/")) as sent:
        page.click("text=Risk scores (CSV)")
    assert f"job_id={job_id}" in sent.value.url
    download = download_info.value
    assert download.suggested_filename == f"fintrace-scores-{file_id}.csv"
    header = open(download.path(), encoding="utf-8").readline().strip().lstrip("\ufeff")
    assert header.startswith("row_number,transaction_id,risk_score,reasons")

    with page.expect_download() as download_info:
        page.click("text=Findings (XLSX)")
    download = download_info.value
    assert download.suggested_filename == f"fintrace-flags-{file_id}.xlsx"
    with open(download.path(), "rb") as workbook:
        assert workbook.read(2) == b"PK"

    with page.expect_download() as download_info, page.expect_request(re.compile(r"/api/reports/")) as sent:
        page.click("text=Report (PDF)")
    assert f"job_id={job_id}" in sent.value.url and "format=pdf" in sent.value.url
    download = download_info.value
    assert download.suggested_filename == f"fintrace-report-{file_id}.pdf"
    with open(download.path(), "rb") as report:
        assert report.read(5) == b"%PDF-"


def check_model_only_row(page, system, file_id):
    """A row only the models mark high-risk (no rule finding) shows the models' reasons, on its page."""
    flagged = api(system, f"/api/flagged-transactions/?file_id={file_id}&limit=1000")["transactions"]
    position = next(i for i, row in enumerate(flagged) if not row["rule_codes"])
    for page_number in range(position // 25):
        page.click("#flag-next")
        page.wait_for_function(
            f"document.getElementById('flag-page').textContent.startsWith('{(page_number + 1) * 25 + 1}–')"
        )
    row = page.locator("#flag-table tbody tr").nth(position % 25)
    assert row.locator("td").first.text_content() == f"{flagged[position]['row_number']:,}"
    assert row.locator("td").last.text_content() == f"Models (no rule finding): {flagged[position]['model_reasons']}"


def first_entry_number(page) -> str:
    """The entry number on the first entry's button (after its open/closed marker)."""
    return page.locator("#entry-table tbody tr.entry button.toggle").first.text_content()[1:].strip()


def check_entry_view(page, system, file_id, job_id, screenshot_dir):
    """A file with journal entries: the flagged view lists entries, each opening its lines from the keyboard."""
    flagged = api(system, f"/api/flagged-entries/?file_id={file_id}&limit=26")
    assert flagged["total"] > 25
    assert page.text_content("#flags-title") == "Flagged entries"
    assert page.is_visible("#entry-note") and page.is_hidden("#flag-table")
    assert page.text_content("#flag-count") == f"{flagged['total']:,} flagged entries match"
    cards = dict(zip(cell_texts(page, ".card .label"), cell_texts(page, ".card .value"), strict=True))
    assert cards["Flagged entries"] == f"{flagged['total']:,}"
    first = flagged["entries"][0]
    row = page.locator("#entry-table tbody tr.entry").first
    cells = row.locator("td")
    assert first_entry_number(page) == first["je_number"]
    assert cells.nth(2).text_content() == f"{first['line_count']:,}"
    assert cells.nth(6).text_content() == first["reason_text"]
    assert page.locator("#entry-table tbody tr.entry").count() == 25

    # The entry's lines open and close with the keyboard on its button, which says what it does.
    toggle = row.locator("button.toggle")
    lines = page.locator(f"#{toggle.get_attribute('aria-controls')}")
    assert lines.is_hidden() and toggle.get_attribute("aria-expanded") == "false"
    assert toggle.get_attribute("aria-label") == f"{first['je_number']}: show its {first['line_count']} lines"
    toggle.focus()
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    page.keyboard.press("Enter")
    assert toggle.get_attribute("aria-expanded") == "true" and lines.is_visible()
    shown = [text.replace(",", "") for text in lines.locator("tbody tr td:first-child").all_text_contents()]
    assert shown == [str(line["row_number"]) for line in first["lines"]]
    flagged_line = next(line for line in first["lines"] if line["rule_codes"])
    assert ", ".join(flagged_line["rule_codes"]) in lines.text_content()
    page.locator("#flags-title").scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_dir / "flagged_entries.png"))
    page.keyboard.press("Space")
    assert toggle.get_attribute("aria-expanded") == "false" and lines.is_hidden()

    with page.expect_request(re.compile(r"/api/flagged-entries/")) as sent:
        page.click("#flag-next")
    assert f"job_id={job_id}" in sent.value.url
    page.wait_for_function("document.getElementById('flag-page').textContent.startsWith('26–')")
    assert first_entry_number(page) == flagged["entries"][25]["je_number"]
    page.click("#flag-prev")
    page.wait_for_function("document.getElementById('flag-page').textContent.startsWith('1–')")

    summary = api(system, f"/api/processing-results/?file_id={file_id}")["processing_summary"]
    rule = min(summary["flags_by_rule"], key=summary["flags_by_rule"].get)
    page.select_option("#flag-rule", rule)
    page.click("#flag-filter button[type=submit]")
    expected = api(system, f"/api/flagged-entries/?file_id={file_id}&rule={rule}&limit=100")
    page.wait_for_function(f"document.getElementById('flag-count').textContent.startsWith('{expected['total']:,} ')")
    assert page.locator("#entry-table tbody tr.entry").count() == min(expected["total"], 25)
    page.select_option("#flag-rule", "")
    page.click("#flag-filter button[type=submit]")
    page.wait_for_function(f"document.getElementById('flag-count').textContent.startsWith('{flagged['total']:,} ')")

    with page.expect_download() as download_info:
        page.click("text=Entry scores (CSV)")
    download = download_info.value
    assert download.suggested_filename == f"fintrace-entries-{file_id}.csv"
    header = open(download.path(), encoding="utf-8").readline().strip().lstrip("\ufeff")
    assert header.startswith("je_number,risk_score,line_count")


def test_upload_reaches_completed_and_the_file_view_shows_the_results(page, system, ledger, screenshot_dir):
    page.goto(f"{system.url}/")
    assert stray_drop_is_prevented(page)
    assert page.is_hidden("#upload-progress")
    drop_file(page, ledger)
    process_after_preview(page)
    page.wait_for_function(
        "document.getElementById('upload-status').textContent === 'COMPLETED'", timeout=PROCESSING_TIMEOUT_MS
    )
    steps = page.locator("#upload-steps li")
    assert steps.count() == len(STAGES)
    assert all(text.endswith(("COMPLETED", "SKIPPED")) for text in steps.all_text_contents())
    assert page.get_attribute("#upload-bar", "aria-valuenow") == "100"
    assert page.text_content("#upload-name") == "march_ledger.csv"
    page.screenshot(path=str(screenshot_dir / "upload.png"))
    page.click("text=Open the results")
    page.wait_for_url(re.compile(r"/files/[0-9a-f-]{36}$"))
    file_id = page.url.rsplit("/", 1)[1]
    job_id = api(system, f"/api/processing-results/?file_id={file_id}")["processing_summary"]["job"]["id"]

    page.wait_for_selector("#tb-table tbody tr")
    page.wait_for_selector("#ml-table tbody tr")
    assert page.text_content("#file-title") == "march_ledger.csv"
    check_file_view(page, system, file_id)
    # The top of the view down to the expense charts (the README's picture), and the whole page.
    charts_bottom = page.evaluate(
        "document.getElementById('expense-title').parentElement.getBoundingClientRect().bottom"
    )
    page.screenshot(
        path=str(screenshot_dir / "file_view.png"),
        full_page=True,
        clip={"x": 0, "y": 0, "width": 1280, "height": charts_bottom + 16},
    )
    page.screenshot(path=str(screenshot_dir / "file_view_full.png"), full_page=True)
    assert_fits_the_screen(page)

    check_entry_view(page, system, file_id, job_id, screenshot_dir)
    check_exports(page, file_id, job_id)

    # The file's address opened directly (a bookmark, a reload) shows the same view.
    page.goto(f"{system.url}/files/{file_id}")
    page.wait_for_selector("#chart-month .main-svg")
    assert page.text_content("#file-title") == "march_ledger.csv"
    assert page.locator("#entry-table tbody tr.entry").count() == 25

    # On a phone the page reflows: nothing wider than the screen.
    page.set_viewport_size(PHONE)
    page.wait_for_function("document.documentElement.scrollWidth <= innerWidth")
    assert_fits_the_screen(page)
    page.screenshot(path=str(screenshot_dir / "file_view_phone.png"))


def test_a_file_without_entry_numbers_lists_its_flagged_lines(page, system, tmp_path):
    generated = generate_ledger(2_000, seed=22)
    register = tmp_path / "payment_register.csv"
    write_ledger(GeneratedLedger(generated.ledger.drop(columns=["JE Number"]), generated.labels), register)
    upload(page, system, register)
    page.wait_for_function(
        "document.getElementById('upload-status').textContent === 'COMPLETED'", timeout=PROCESSING_TIMEOUT_MS
    )
    page.click("text=Open the results")
    page.wait_for_url(re.compile(r"/files/[0-9a-f-]{36}$"))
    file_id = page.url.rsplit("/", 1)[1]
    job_id = api(system, f"/api/processing-results/?file_id={file_id}")["processing_summary"]["job"]["id"]
    page.wait_for_selector("#flag-table tbody tr")
    assert page.text_content("#flags-title") == "Flagged transactions"
    assert page.is_hidden("#entry-note") and page.is_hidden("#entry-table")
    assert page.locator("text=Entry scores (CSV)").count() == 0
    # Its review queue is of lines too, highest risk first, as the flagged view lists them.
    page.wait_for_selector("#review-items .review-item")
    assert page.text_content("#review-title") == "Review queue: transactions"
    first = api(system, f"/api/flagged-transactions/?file_id={file_id}&limit=1")["transactions"][0]
    assert page.locator("#review-items .name").first.text_content() == f"row {first['row_number']:,}"
    check_flag_paging(page, system, file_id, job_id)
    check_flag_filters(page, system, file_id)
    page.goto(f"{system.url}/files/{file_id}")
    page.wait_for_selector("#flag-table tbody tr")
    check_model_only_row(page, system, file_id)


def test_an_unreadable_file_ends_failed_with_its_reason_on_the_page(page, system, tmp_path, screenshot_dir):
    broken = tmp_path / "scrambled.xlsx"
    broken.write_bytes(b"PK\x03\x04 this is not really a workbook" * 20)
    # One visible keyboard focus stop for choosing a file (a native button, so Enter and Space work);
    # the hidden input is never focused.
    page.goto(f"{system.url}/")
    seen = tab_to(page, "choose-file")
    assert "file-input" not in seen
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    assert page.evaluate("document.activeElement.tagName") == "BUTTON"
    with page.expect_file_chooser() as chooser:
        page.click("#choose-file")
    chooser.value.set_files(str(broken))
    page.wait_for_selector("#preview-problem:not([hidden])")
    assert page.text_content("#preview-problem").startswith("This file cannot be read: ")
    assert page.is_hidden("#preview-table")
    process_after_preview(page)
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
    page.set_viewport_size(PHONE)
    assert_fits_the_screen(page)


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


@contextmanager
def paused(process: subprocess.Popen):
    """The pipeline worker stopped in its tracks: whatever is uploaded meanwhile stays PENDING."""
    process.send_signal(signal.SIGSTOP)
    try:
        yield
    finally:
        process.send_signal(signal.SIGCONT)


def test_a_job_nothing_picks_up_gets_a_notice_until_it_moves(page, system, tmp_path, screenshot_dir):
    waiting = tmp_path / "april_ledger.csv"
    write_ledger(generate_ledger(400, seed=5), waiting)
    with paused(system.worker):
        page.goto(f"{system.url}/?stall_seconds=3")
        page.set_input_files("#file-input", str(waiting))
        process_after_preview(page)
        page.wait_for_selector("#upload-stall:not([hidden])", timeout=20_000)
        assert "No progress for 3 seconds — the job has not been picked up" in page.text_content("#upload-stall")
        assert page.text_content("#upload-message").startswith("PENDING")
        page.screenshot(path=str(screenshot_dir / "stalled_upload.png"))

        # The file's own view says the same, and shows the results once the job has run.
        listed = api(system, "/api/files/?limit=50")["files"]
        file_id = next(f["data_file_id"] for f in listed if f["file_name"] == "april_ledger.csv")
        page.goto(f"{system.url}/files/{file_id}?stall_seconds=3")
        page.wait_for_selector("#file-stall:not([hidden])", timeout=20_000)
    page.wait_for_selector("#tb-table tbody tr", timeout=PROCESSING_TIMEOUT_MS)
    assert page.is_hidden("#file-stall")
    assert page.is_hidden("#file-progress")
