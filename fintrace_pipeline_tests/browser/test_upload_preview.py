"""The upload's preview in a real browser: a dropped file whose amount column no header rule names shows
the problem, the person chooses the column (and leaves one out) from the keyboard, the preview follows,
and Process stores and runs the file with exactly those choices."""

from __future__ import annotations

import random

import pytest

from fintrace_pipeline_tests.browser.test_dashboard import PROCESSING_TIMEOUT_MS, api, drop_file, tab_to

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("browser")]

ROWS = 60
VENDORS = ("Acme Ltd", "Globex plc", "Initech")


@pytest.fixture
def odd_headers(tmp_path):
    """A payment register whose amount sits under a header no dictionary has ("Quantum")."""
    pick = random.Random(3)
    lines = [
        f"{day:02d}/03/2024,{pick.choice(VENDORS)},{pick.randint(100, 99_999) / 100:.2f},PO-{i:04d}"
        for i, day in enumerate(1 + i % 28 for i in range(ROWS))
    ]
    path = tmp_path / "quantum_register.csv"
    path.write_text("Payment Date,Supplier,Quantum,Reference\n" + "\n".join(lines) + "\n")
    return path, [float(line.split(",")[2]) for line in lines]


def row_cells(page, canonical: str) -> tuple[str, str, list[str]]:
    """A canonical column's row of the preview: confidence, how it was decided, its sample values."""
    row = page.locator(f"#preview-table tbody tr:has(#map-{canonical})")
    cells = row.locator("td")
    return cells.nth(1).text_content(), cells.nth(2).text_content(), row.locator(".samples li").all_text_contents()


def listed(system, file_name: str) -> list[dict]:
    return [f for f in api(system, "/api/files/?limit=50")["files"] if f["file_name"] == file_name]


def test_choosing_the_amount_column_in_the_preview_processes_the_file_with_it(
    page, system, odd_headers, screenshot_dir
):
    path, amounts = odd_headers
    page.goto(f"{system.url}/")

    # A preview that is cancelled leaves nothing behind.
    drop_file(page, path)
    page.wait_for_function("document.getElementById('preview-status').textContent.startsWith('Preview ready')")
    page.click("#cancel-preview")
    assert page.is_hidden("#preview") and page.evaluate("document.activeElement.id") == "choose-file"
    assert listed(system, path.name) == []

    drop_file(page, path)
    page.wait_for_function("document.getElementById('preview-status').textContent.startsWith('Preview ready')")
    assert page.text_content("#preview-name") == path.name
    assert page.evaluate("document.activeElement.id") == "preview-title"
    assert page.text_content("#preview-status") == "Preview ready: required columns missing: amount."
    assert page.text_content("#preview-format") == (
        f"CSV · utf-8 · comma-separated · header on row 1 · dates day/month/year · {ROWS} rows looked at"
    )
    problem = page.text_content("#preview-problem")
    assert problem.startswith("Cannot be loaded as it is: no column looks like an amount")
    assert "closest: 'Quantum'" in problem
    assert page.text_content("#preview-unmapped") == "Not used: “Quantum”"
    # Every canonical column has its select, labelled, listing the file's headers and "not mapped".
    amount = page.get_by_label("Source column for amount", exact=True)
    assert amount.input_value() == ""
    assert amount.locator("option").all_text_contents() == [
        "not mapped",
        "Payment Date",
        "Supplier",
        "Quantum",
        "Reference",
    ]
    assert row_cells(page, "posting_date") == ("0.85", "by its header", ["2024-03-01", "2024-03-02", "2024-03-03"])
    assert page.locator("#preview-table tbody tr.missing th").all_text_contents() == ["amount (required, missing)"]
    assert page.get_by_label("Source column for vendor", exact=True).input_value() == "Supplier"
    page.screenshot(path=str(screenshot_dir / "upload_preview_problem.png"), full_page=True)

    # From the keyboard: the amount's select takes "Quantum" by typing it; the preview follows and
    # the focus stays where it was.
    amount.focus()
    page.keyboard.type("Quantum")
    page.wait_for_function("document.getElementById('preview-status').textContent.startsWith('Preview updated')")
    assert page.text_content("#preview-status") == "Preview updated: every required column is mapped."
    assert page.is_hidden("#preview-problem")
    assert page.evaluate("document.activeElement.id") == "map-amount"
    shown = [f"{value:,.2f}".rstrip("0").rstrip(".") for value in amounts[:3]]
    assert row_cells(page, "amount") == ("1.00", "your choice", shown)
    assert page.locator("#preview-table tbody tr.missing").count() == 0
    page.screenshot(path=str(screenshot_dir / "upload_preview_mapped.png"), full_page=True)

    # The vendor left out on purpose: the preview shows it unmapped and its column unused.
    page.select_option("#map-vendor", "")
    page.wait_for_function("document.getElementById('preview-unmapped').textContent.includes('Supplier')")
    assert page.get_by_label("Source column for vendor", exact=True).input_value() == ""
    assert row_cells(page, "vendor") == ("–", "", [])

    # Process, from the keyboard too.
    tab_to(page, "process-file", limit=60)
    page.keyboard.press("Enter")
    assert page.is_hidden("#preview") and page.evaluate("document.activeElement.id") == "choose-file"
    page.wait_for_function(
        "document.getElementById('upload-status').textContent === 'COMPLETED'", timeout=PROCESSING_TIMEOUT_MS
    )
    (stored,) = listed(system, path.name)
    data_file = api(system, f"/api/processing-results/?file_id={stored['data_file_id']}")["processing_summary"][
        "data_file"
    ]
    assert data_file["user_mapping"] == {"amount": "Quantum", "vendor": ""}
    assert data_file["column_mapping"] == {
        "posting_date": "Payment Date",
        "amount": "Quantum",
        "transaction_id": "Reference",
    }
    assert (data_file["rows_read"], data_file["rows_loaded"], data_file["rows_rejected"]) == (ROWS, ROWS, 0)
    assert data_file["mapping_details"]["amount"]["decided_by"] == "user"
