from __future__ import annotations

import numpy as np
import pytest

from fintrace_pipeline.ingest import reader
from fintrace_pipeline.ingest.reader import read_table, sniff_delimiter


def messy_csv(rows: int, seed: int = 3) -> str:
    """Rows with quoted newlines, blank lines and ragged records sprinkled through the file."""
    rng = np.random.default_rng(seed)
    lines = ["Date,Amount,Memo"]
    for i in range(rows):
        kind = rng.integers(0, 20)
        if kind == 0:
            lines.append(f"2024-01-02,{i}")  # too few cells
        elif kind == 1:
            lines.append(f"2024-01-02,{i},x,y")  # too many cells
        elif kind == 2:
            lines.append("")
        elif kind == 3:
            lines.append(f'2024-01-02,{i},"line one\nline two, with comma"')
        else:
            lines.append(f"2024-01-02,{i},memo {i}")
    return "\n".join(lines) + "\n"


def test_fast_and_tolerant_readers_agree_across_many_blocks(tmp_path, monkeypatch):
    path = tmp_path / "messy.csv"
    path.write_text(messy_csv(3000))
    monkeypatch.setattr(reader, "_ARROW_BLOCK", 2048)  # force many parser blocks
    fast = read_table(path, user_mapping=None, max_decompressed_bytes=2**24, max_rows=10_000)

    def refuse(*args, **kwargs):
        raise reader._ArrowCannot("test")

    monkeypatch.setattr(reader, "_parse_with_arrow", refuse)
    tolerant = read_table(path, user_mapping=None, max_decompressed_bytes=2**24, max_rows=10_000)

    assert fast.rows_read == tolerant.rows_read
    assert fast.row_numbers.tolist() == tolerant.row_numbers.tolist()
    assert fast.cells.equals(tolerant.cells)
    assert fast.ragged == tolerant.ragged
    # Row numbers cover 1..rows_read exactly once; amounts were written as the record's position.
    numbers = sorted(fast.row_numbers.tolist() + [n for n, _ in fast.ragged])
    assert numbers == list(range(1, fast.rows_read + 1))
    assert len(fast.ragged) > 100 and fast.cells["Memo"].str.contains("\n").sum() > 100


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        ("a,b,c\n1,2,3\n", ","),
        ("a;b;c\n1,5;2,5;3\n", ";"),
        ("a\tb\n1\t2\n", "\t"),
        ("a|b|c\n1|2|3\n", "|"),
        ('"x;y",b\n"1;2",3\n', ","),
    ],
)
def test_sniff_delimiter(head, expected):
    assert sniff_delimiter(head) == expected


def test_the_head_of_a_text_file_ends_after_a_whole_line():
    assert (
        reader.whole_lines("Date,Vendor\n2024-01-02,Müller\n2024-01-03,Mü".encode())
        == "Date,Vendor\n2024-01-02,Müller\n".encode()
    )
    utf16 = b"\xff\xfe" + "Datum\tBetrag\n02.01.2024\t1,5\n03.01".encode("utf-16-le")
    assert reader.whole_lines(utf16).decode("utf-16") == "Datum\tBetrag\n02.01.2024\t1,5\n"


def test_a_preview_reads_only_the_head_of_a_large_text_file(tmp_path):
    path = tmp_path / "big.csv"
    row = "2024-01-02,5.00,Acme Ltd with a long name to fill the file quickly\n"
    path.write_text("Date,Amount,Vendor\n" + row * 80_000)  # about 5 MB
    head = read_table(path, user_mapping=None, max_decompressed_bytes=2**30, max_rows=10, sample_rows=100)
    assert head.rows_read == 100  # the row limit applies to whole files, not to a preview
