"""The plain-text answer `fintrace inspect` prints for a file's preview."""

from __future__ import annotations

from typing import Any


def preview_text(preview: dict[str, Any]) -> str:
    where = [preview["file_format"]]
    if preview["compression"]:
        where.append(preview["compression"])
    if preview["encoding"]:
        where.append(preview["encoding"])
    if preview["delimiter"]:
        where.append(f"delimiter {_delimiter(preview['delimiter'])}")
    if preview["sheet_name"]:
        where.append(f"sheet {preview['sheet_name']}")
    where.append(f"header on row {preview['header_row']}")
    if preview["date_format"]:
        where.append(f"dates {preview['date_format']}")
    lines = [
        f"{preview['file_name']}: {', '.join(where)} ({preview['rows_sampled']:,} rows looked at)",
        "",
        f"{'column':<24} {'source':<30} {'confidence':>10}  samples",
    ]
    if not preview["columns"]:
        lines.append("(no column mapped)")
    for column in preview["columns"]:
        runner = column["runner_up"]
        samples = ", ".join(_value(v) for v in column["samples"])
        lines.append(f"{column['canonical']:<24} {column['column']!r:<30} {column['confidence']:>10.2f}  {samples}")
        if column.get("time_column"):
            lines.append(f"{'':<24} {'+ ' + repr(column['time_column']):<30} {'':>10}  (its time of day)")
        if runner:
            lines.append(f"{'':<24} {'or ' + repr(runner['column']):<30} {runner['confidence']:>10.2f}")
    if preview["unmapped_columns"]:
        lines += ["", "not used: " + ", ".join(repr(h) for h in preview["unmapped_columns"])]
    if preview["problem"]:
        lines += ["", f"cannot be loaded as it is: {preview['problem']}"]
    if preview["warnings"]:
        lines += ["", "warnings:", *(f"  - {w}" for w in preview["warnings"])]
    return "\n".join(lines)


def _delimiter(delimiter: str) -> str:
    return {"\t": "tab", ",": "','", ";": "';'", "|": "'|'"}.get(delimiter, repr(delimiter))


SHOWN_CHARACTERS = 28


def _value(value: Any) -> str:
    if value is None:
        return "-"
    text = str(value)
    if text.endswith("T00:00:00"):
        text = text[: -len("T00:00:00")]
    return text if len(text) <= SHOWN_CHARACTERS else text[: SHOWN_CHARACTERS - 1] + "…"
