"""A time of day kept in its own column is read into the date it goes with."""

from __future__ import annotations

import pandas as pd
import pytest

from fintrace_pipeline.ingest import ingest_file
from fintrace_pipeline.ingest.preview import preview_file
from fintrace_pipeline.ingest.times import parse_times, time_share

LIMITS = {"max_decompressed_bytes": 50 * 2**20, "max_rows": 100_000}


def ingest(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return ingest_file(path, **LIMITS)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("93016", "09:30:16"),  # SAP HHMMSS without zero padding
        ("101205", "10:12:05"),
        ("235959", "23:59:59"),
        ("240000", None),
        ("09:30", "09:30:00"),
        ("9:30:16", "09:30:16"),
        ("2:30 PM", "14:30:00"),
        ("12:15 AM", "00:15:00"),
        ("13:00 PM", None),
        ("09.30.16", "09:30:16"),
        ("1899-12-30 07:05:00", "07:05:00"),  # a workbook's time-only cell
        ("0.75", "18:00:00"),  # a workbook's fraction of a day
        ("9:61", None),
        ("soon", None),
    ],
)
def test_parse_times(value, expected):
    parsed = parse_times(pd.Series([value, "120000"], dtype="string")).iloc[0]
    assert (None if pd.isna(parsed) else str(parsed).split()[-1]) == expected


def test_four_digit_columns_are_hours_and_minutes():
    parsed = parse_times(pd.Series(["1230", "845", "1715"], dtype="string"))
    assert [str(t).split()[-1] for t in parsed] == ["12:30:00", "08:45:00", "17:15:00"]


def test_small_numbers_are_no_times_of_day():
    assert time_share(pd.Series(["8", "7", "4", "8"], dtype="string")) == 0.0  # hours worked, say


def test_sap_entered_time_joins_the_entered_date(tmp_path):
    text = (
        "Journal_ID,Effective_Date,Amount,Entered_By,Entered_Date,Entered_Time\n"
        "100000000,20070101,9770.52,STEINER,20070122,101205\n"
        "100000001,20070101,5875.20,STEINER,20070122,93016\n"
        "100000002,20070102,12.00,D023132,20070123,5\n"
    )
    result = ingest(tmp_path, "gl.csv", text)
    assert result.column_mapping["entry_date"] == "Entered_Date"
    assert result.mapping_details["entry_date"]["time_column"] == "Entered_Time"
    assert "Entered_Time" not in result.unmapped_columns
    assert result.transactions["entry_date"].tolist() == [
        pd.Timestamp("2007-01-22 10:12:05"),
        pd.Timestamp("2007-01-22 09:30:16"),
        pd.Timestamp("2007-01-23 00:00:05"),
    ]
    assert result.transactions["posting_date"].tolist()[0] == pd.Timestamp("2007-01-01")  # untouched
    assert "entry dates take their time of day from 'Entered_Time'" in result.notes


@pytest.mark.parametrize(
    ("header", "delimiter"),
    [("Uhrzeit", ";"), ("Heure", ";"), ("Hora", ";"), ("Time", ",")],
)
def test_a_time_beside_the_date_joins_the_posting_date(tmp_path, header, delimiter):
    rows = [["Datum", header, "Betrag"], ["14.02.2024", "08:05:00", "10"], ["15.02.2024", "23:40", "5"]]
    text = "".join(delimiter.join(r) + "\n" for r in rows)
    result = ingest(tmp_path, "bank.csv", text)
    assert result.mapping_details["posting_date"]["time_column"] == header
    assert result.transactions["posting_date"].tolist() == [
        pd.Timestamp("2024-02-14 08:05"),
        pd.Timestamp("2024-02-15 23:40"),
    ]


def test_an_unreadable_time_keeps_the_date_alone_and_is_noted(tmp_path):
    times = ["later" if day == 15 else f"{day - 2:02d}:30" for day in range(10, 22)]
    text = "Date,Time,Amount\n" + "".join(f"2024-02-{10 + i},{t},{i}\n" for i, t in enumerate(times))
    result = ingest(tmp_path, "bank.csv", text)
    posted = result.transactions["posting_date"].tolist()
    assert posted[4:6] == [pd.Timestamp("2024-02-14 12:30"), pd.Timestamp("2024-02-15")]
    assert any("1 value(s) in 'Time' are no time of day" in n for n in result.notes)


def test_a_time_apart_from_any_date_or_of_another_event_is_left_alone(tmp_path):
    text = "Date,Amount,Time,Approval Time\n2024-02-14,10,08:05,09:00\n2024-02-15,5,23:40,10:00\n"
    result = ingest(tmp_path, "bank.csv", text)
    assert "time_column" not in result.mapping_details["posting_date"]
    assert result.transactions["posting_date"].dt.hour.tolist() == [0, 0]


def test_a_date_that_has_its_time_already_is_not_given_another(tmp_path):
    text = "Date,Time,Amount\n2024-02-14 10:30,08:05,10\n2024-02-15 11:00,23:40,5\n"
    result = ingest(tmp_path, "bank.csv", text)
    assert "time_column" not in result.mapping_details["posting_date"]
    assert result.transactions["posting_date"].tolist()[0] == pd.Timestamp("2024-02-14 10:30")


def test_preview_shows_the_dates_with_their_time(tmp_path):
    path = tmp_path / "gl.csv"
    path.write_text("Posting Date,Amount,Entry Date,Entry Time\n2024-01-02,5,2024-01-03,171500\n")
    preview = preview_file(path, **LIMITS)
    entry = next(c for c in preview["columns"] if c["canonical"] == "entry_date")
    assert entry["time_column"] == "Entry Time" and entry["samples"] == ["2024-01-03T17:15:00"]
