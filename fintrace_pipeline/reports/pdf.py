"""A file's report as a PDF (fpdf2, no browser): the summary, the dashboard's charts and the top
findings with their reasons, in black and greys so it reads the same printed."""

from __future__ import annotations

import numbers
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from fpdf import FPDF, FontFace

from fintrace_pipeline.jsonsafe import is_missing
from fintrace_pipeline.reports.content import Chart, FileReport

# A Unicode font where the system has one (Debian's fonts-dejavu-core); otherwise the PDF core font,
# which knows only Latin-1, and text is folded to it.
UNICODE_FONTS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))
TOP_FINDINGS = 25
TOP_RULES = 20
MAX_BARS = 15
HEADING = FontFace(emphasis="BOLD", fill_color=(225, 225, 225))
BAR_GREY = (90, 90, 90)
MARK_BLACK = (0, 0, 0)


class _Pdf(FPDF):
    def __init__(self, title: str):
        super().__init__(format="A4")
        self.report_title = title
        self.family = self._choose_font()
        self.set_auto_page_break(True, margin=15)
        self.set_title(title)
        self.set_creator("FinTrace")

    def _choose_font(self) -> str:
        for folder in UNICODE_FONTS:
            regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
            if regular.exists() and bold.exists():
                self.add_font("DejaVu", "", str(regular))
                self.add_font("DejaVu", "B", str(bold))
                return "DejaVu"
        return "Helvetica"

    def text_of(self, value: Any) -> str:
        if is_missing(value):
            return ""
        if isinstance(value, numbers.Integral):
            text = f"{value:,}"
        elif isinstance(value, numbers.Real):
            text = f"{value:,.2f}"
        else:
            text = str(value)
        if self.family == "Helvetica":
            folded = unicodedata.normalize("NFKD", text)
            text = folded.encode("latin-1", "replace").decode("latin-1")
        return text

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(self.family, "", 8)
        self.cell(0, 6, self.text_of(f"{self.report_title} · page {self.page_no()} of {{nb}}"), align="C")

    def heading(self, text: str) -> None:
        if self.will_page_break(40):  # a heading is never left alone at the foot of a page
            self.add_page()
        self.ln(3)
        self.set_font(self.family, "B", 12)
        self.cell(0, 8, self.text_of(text), new_x="LMARGIN", new_y="NEXT")
        self.set_font(self.family, "", 9)

    def grid(self, header: Sequence[str] | None, rows: Sequence[Sequence[Any]], widths: Sequence[float]) -> None:
        """A table; ``header`` None: the rows are label/value pairs with no heading row."""
        self.set_font(self.family, "", 8)
        with self.table(
            col_widths=widths,
            headings_style=HEADING,
            first_row_as_headings=header is not None,
            line_height=4.5,
            text_align="LEFT",
        ) as table:
            if header is not None:
                table.row([self.text_of(h) for h in header])
            for row in rows:
                table.row([self.text_of(v) for v in row])
        self.set_font(self.family, "", 9)


def _bar_chart(pdf: _Pdf, chart: Chart) -> None:
    labels, values = chart.labels[:MAX_BARS], chart.values[:MAX_BARS]
    expected = chart.expected[:MAX_BARS] if chart.expected else None
    height, label_width = 5.0, 45.0
    if pdf.will_page_break(10 + height * len(labels)):
        pdf.add_page()
    pdf.set_font(pdf.family, "B", 10)
    pdf.cell(0, 7, pdf.text_of(chart.title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(pdf.family, "", 8)
    top = max([*values, *(expected or [])], default=0) or 1
    bar_room = pdf.epw - label_width - 28
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = pdf.get_y()
        pdf.set_x(pdf.l_margin)
        pdf.cell(label_width, height, pdf.text_of(label)[:30], align="R")
        pdf.set_fill_color(*BAR_GREY)
        width = bar_room * max(value, 0) / top
        if width > 0:
            pdf.rect(pdf.l_margin + label_width + 2, y + 0.8, width, height - 1.6, style="F")
        if expected is not None:
            x = pdf.l_margin + label_width + 2 + bar_room * expected[i] / top
            pdf.set_draw_color(*MARK_BLACK)
            pdf.set_line_width(0.6)
            pdf.line(x, y, x, y + height)
            pdf.set_line_width(0.2)
        pdf.set_xy(pdf.l_margin + label_width + 4 + bar_room, y)
        pdf.cell(24, height, pdf.text_of(chart.value_format.format(value)), align="R")
        pdf.ln(height)
    pdf.ln(2)


def _findings_table(pdf: _Pdf, report: FileReport) -> None:
    rows = report.findings.head(TOP_RULES)
    pdf.grid(
        ["Rule", "Title", "High", "Medium", "Low", "Lines"],
        rows[["rule_code", "title", "high", "medium", "low", "lines"]].itertuples(index=False, name=None),
        [50, 72, 15, 17, 13, 13],
    )


def _top_findings(pdf: _Pdf, report: FileReport) -> None:
    top = report.flagged.head(TOP_FINDINGS)
    key = "je_number" if report.unit == "entry" else "row_number"
    label = "Entry" if report.unit == "entry" else "Row"
    verdicts = top["verdict"] if "verdict" in top else [None] * len(top)
    rows = [
        (item, f"{risk:.1f}", reasons or "", verdict or "")
        for item, risk, reasons, verdict in zip(top[key], top["risk_score"], top["reason_text"], verdicts, strict=True)
    ]
    pdf.grid([label, "Risk", "Why it was flagged", "Verdict"], rows, [24, 12, 136, 18])


def pdf_bytes(report: FileReport) -> bytes:
    pdf = _Pdf(f"FinTrace report: {report.file_name}")
    pdf.add_page()
    pdf.set_font(pdf.family, "B", 16)
    pdf.cell(0, 10, pdf.text_of(pdf.report_title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(pdf.family, "", 9)
    pdf.cell(0, 5, pdf.text_of(f"Generated {report.generated_at:%Y-%m-%d %H:%M}"), new_x="LMARGIN", new_y="NEXT")
    pdf.heading("Summary")
    pdf.grid(None, [(k, v) for k, v in report.facts if k != "Columns mapped"], [45, 145])
    pdf.heading("Stages")
    stages = report.stage_results
    pdf.grid(
        ["Stage", "Status", "Rows", "Flagged", "High risk", "Seconds"],
        stages[["stage", "status", "rows", "flagged", "high_risk", "seconds"]].itertuples(index=False, name=None),
        [62, 28, 25, 25, 25, 25],
    )
    pdf.heading("Findings by rule")
    if report.findings.empty:
        pdf.cell(0, 6, "No findings.", new_x="LMARGIN", new_y="NEXT")
    else:
        _findings_table(pdf, report)
    pdf.heading("Charts")
    for chart in report.charts:
        _bar_chart(pdf, chart)
    shown = min(TOP_FINDINGS, len(report.flagged))
    units = "journal entries" if report.unit == "entry" else "transactions"
    pdf.heading(f"Top findings: the {shown} highest-risk {units}")
    _top_findings(pdf, report)
    return bytes(pdf.output())
