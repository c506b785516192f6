"""The workpaper and the PDF of a processed file, read back: openpyxl for the workbook, pdftotext and
pdftoppm for the PDF (as a reader and a printer would see it)."""

import io
import shutil
import subprocess
from datetime import datetime

import openpyxl
import pandas as pd
import pytest

from fintrace_pipeline.cli import main
from fintrace_pipeline.reports.content import Chart, FileReport
from fintrace_pipeline.reports.pdf import pdf_bytes
from fintrace_pipeline.reports.workbook import workbook_bytes
from fintrace_pipeline_tests.api.conftest import error


def _poppler(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.fail(f"{tool} is needed to read the PDF back (apt-get install poppler-utils)")
    return path


def _pdf_text(body: bytes, tmp_path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(body)
    return subprocess.run(
        [_poppler("pdftotext"), "-layout", str(path), "-"], capture_output=True, check=True
    ).stdout.decode()


def _dark_share_of_first_page(body: bytes, tmp_path) -> tuple[int, int, float]:
    """(width, height, share of dark pixels) of page 1 rendered in grey at 50 dpi."""
    path = tmp_path / "report.pdf"
    path.write_bytes(body)
    subprocess.run(
        [_poppler("pdftoppm"), "-gray", "-r", "50", "-f", "1", "-l", "1", str(path), str(tmp_path / "p")], check=True
    )
    pgm = next(tmp_path.glob("p*.pgm")).read_bytes()
    magic, width, height, depth, pixels = pgm.split(maxsplit=4)
    assert magic == b"P5" and depth == b"255"
    width, height = int(width), int(height)
    data = pixels[: width * height]
    return width, height, sum(1 for value in data if value < 128) / len(data)


def test_the_cli_writes_the_workpaper_with_every_part(processed, tmp_path, monkeypatch, capsys):
    settings, outcome = processed
    monkeypatch.setenv("FINTRACE_DATABASE_URL", settings.database_url)
    out = tmp_path / "workpaper.xlsx"
    assert main(["report", "--file-id", str(outcome.data_file_id), "--out", str(out)]) == 0
    assert f"wrote the xlsx report of job {outcome.job_id}" in capsys.readouterr().out
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == [
        "Summary",
        "Findings by rule",
        "Flagged journal entries",
        "Duplicate groups",
        "Trial balance",
        "MUS sample",
    ]
    # The sample is the one `fintrace sample --size 25 --seed 0` draws, with the steps to re-perform it.
    sample = list(book["MUS sample"].values)
    assert "sampling interval" in sample[0][0].lower() and sample[2][:3] == ("row_number", "amount", "selection")
    assert len(sample) - 3 == 25 or any(row[2] == "top stratum" for row in sample[3:])
    summary = {row[0]: row[1] for row in book["Summary"].iter_rows(values_only=True) if row and row[0]}
    assert summary["SHA-256"] == outcome.summary["data_file"]["sha256"]
    assert summary["Rows read"] == summary["Rows loaded"] + summary["Rows rejected"]
    findings = list(book["Findings by rule"].iter_rows(values_only=True))
    assert findings[0][:3] == ("rule_code", "title", "family")
    assert sum(row[6] for row in findings[1:]) == sum(outcome.summary["flags_by_rule"].values())
    flagged = list(book["Flagged journal entries"].iter_rows(values_only=True))
    assert flagged[2][:2] == ("je_number", "risk_score") and flagged[3][1] >= flagged[4][1]
    assert book["Findings by rule"].freeze_panes == "A2"


def test_the_cli_refuses_an_unknown_report_format(processed, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("FINTRACE_DATABASE_URL", processed[0].database_url)
    out = tmp_path / "r.docx"
    assert main(["report", "--file-id", str(processed[1].data_file_id), "--out", str(out)]) == 1
    assert "--out must end in .xlsx or .pdf, not 'r.docx'" in capsys.readouterr().err
    assert not out.exists()


def test_the_pdf_reads_back_with_its_summary_charts_and_top_findings(client, processed, tmp_path):
    _, outcome = processed
    response = client.get(f"/api/reports/?file_id={outcome.data_file_id}&format=pdf")
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == (
        f'attachment; filename="fintrace-report-{outcome.data_file_id}.pdf"'
    )
    text = _pdf_text(response.content, tmp_path)
    assert "FinTrace report: ledger.csv" in text
    assert outcome.summary["data_file"]["sha256"] in text
    for heading in (
        "Summary",
        "Stages",
        "Findings by rule",
        "Expenses by vendor",
        "Benford first digit",
        "Top findings: the 25 highest-risk journal entries",
    ):
        assert heading in text
    top_rule = max(outcome.summary["flags_by_rule"], key=outcome.summary["flags_by_rule"].get)
    assert top_rule in text.replace("\n", " ") or top_rule[:18] in text
    workbook = client.get(f"/api/reports/?file_id={outcome.data_file_id}&format=xlsx")
    top_entry = list(openpyxl.load_workbook(io.BytesIO(workbook.content))["Flagged journal entries"].values)[3][0]
    assert top_entry in text
    width, height, dark = _dark_share_of_first_page(response.content, tmp_path)
    assert (width, height) == (414, 585)  # A4 (210 × 297 mm) at 50 dpi
    assert 0.005 < dark < 0.3  # printed text, not a blank or a black page


@pytest.mark.parametrize(
    "query, status",
    [("format=pdf", 400), ("file_id=00000000-0000-4000-8000-000000000000&format=pdf", 404), ("format=docx", 400)],
)
def test_report_errors(client, processed, query, status):
    if "file_id" not in query and status == 400 and "docx" in query:
        query = f"file_id={processed[1].data_file_id}&{query}"
    error(client.get(f"/api/reports/?{query}"), status)


def _hand_built(vendor: str) -> FileReport:
    frame = pd.DataFrame({"row_number": [1], "vendor": [vendor], "amount": [12.5]})
    return FileReport(
        data_file={"file_name": "=evil.csv"},
        job={},
        generated_at=datetime(2026, 1, 2, 3, 4),
        facts=[("File", "=evil.csv"), ("Rows read", 1)],
        stage_results=pd.DataFrame(
            {
                "stage": ["Default analytics"],
                "status": ["COMPLETED"],
                "rows": [1],
                "flagged": [None],
                "high_risk": [None],
                "seconds": [0.1],
            }
        ),
        settings=pd.DataFrame({"stage": ["Default analytics"], "option": ["top_n"], "value": ["10"]}),
        findings=pd.DataFrame(columns=["rule_code", "title", "family", "high", "medium", "low", "findings", "lines"]),
        unit="transaction",
        flagged=pd.DataFrame(
            {"row_number": [1], "risk_score": [99.5], "reason_text": [f"paid to {vendor}"], "verdict": ["confirmed"]}
        ),
        duplicates=frame,
        trial_balance=pd.DataFrame(columns=["account"]),
        charts=[Chart("Expenses by vendor", [vendor], [12.5])],
    )


def test_text_that_a_spreadsheet_would_run_stays_text():
    book = openpyxl.load_workbook(io.BytesIO(workbook_bytes(_hand_built('=HYPERLINK("http://x","y")'))))
    assert book["Summary"]["B4"].value == "'=evil.csv"
    assert book["Duplicate groups"]["B2"].value == '\'=HYPERLINK("http://x","y")'
    assert book["Duplicate groups"]["C2"].value == 12.5  # numbers stay numbers
    assert book.sheetnames[2] == "Flagged transactions"


def test_names_in_any_script_survive_into_the_pdf(tmp_path):
    text = _pdf_text(pdf_bytes(_hand_built("Dodavatel Žluťoučký s.r.o.")), tmp_path)
    assert "paid to Dodavatel Žluťoučký s.r.o." in text
    assert "Top findings: the 1 highest-risk transactions" in text and "confirmed" in text
