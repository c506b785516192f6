"""The plain-text summary `fintrace process` prints for a processed file."""

from __future__ import annotations

from typing import Any


def _n(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.2f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def outcome_json(summary: dict[str, Any]) -> dict[str, Any]:
    data_file, job = summary["data_file"], summary["job"]
    return {
        "data_file_id": data_file["id"],
        "job_id": job["id"],
        "dagster_run_id": job["dagster_run_id"],
        "file_name": data_file["file_name"],
        "status": job["status"],
        "rows_in": data_file["rows_read"],
        "rows_loaded": data_file["rows_loaded"],
        "rows_rejected": data_file["rows_rejected"],
        "error_message": job["error_message"],
        "processing_time_s": (summary.get("progress") or {}).get("total_processing_time"),
        "analytics": {
            kind: {
                k: r.get(k)
                for k in (
                    "processing_status",
                    "total_transactions",
                    "total_amount",
                    "flagged_transactions",
                    "high_risk_transactions",
                    "anomalies_found",
                    "duplicates_found",
                )
            }
            for kind, r in summary["analytics_results"].items()
        },
        "models": {
            kind: {
                k: r.get(k)
                for k in (
                    "processing_status",
                    "anomalies_detected",
                    "duplicates_found",
                    "risk_score",
                    "confidence_score",
                )
            }
            for kind, r in summary["ml_results"].items()
        },
        "flags_by_rule": summary.get("flags_by_rule", {}),
    }


def outcome_text(summary: dict[str, Any]) -> str:
    out = outcome_json(summary)
    lines = [
        f"File       {out['file_name']}  (data file {out['data_file_id']})",
        f"Job        {out['job_id']}  {out['status']}"
        + (f" in {out['processing_time_s']:.1f} s" if out["processing_time_s"] is not None else ""),
        f"Rows       {_n(out['rows_in'])} read, {_n(out['rows_loaded'])} loaded, {_n(out['rows_rejected'])} rejected",
    ]
    if out["error_message"]:
        lines.append(f"Error      {out['error_message']}")
    for kind, result in out["analytics"].items():
        counts = ", ".join(
            f"{k.replace('_', ' ').replace('transactions', 'rows')} {_n(v)}"
            for k, v in result.items()
            if k != "processing_status" and v is not None
        )
        lines.append(f"{kind:<22} {result['processing_status']:<10} {counts}")
    for kind, result in out["models"].items():
        risk = result.get("risk_score")
        lines.append(
            f"{kind:<22} {result['processing_status']:<10} anomalies {_n(result.get('anomalies_detected'))}"
            + (f", duplicates {result['duplicates_found']:,}" if result.get("duplicates_found") else "")
            + (f", risk {risk:.1f}" if isinstance(risk, float) else "")
        )
    if out["flags_by_rule"]:
        top = ", ".join(f"{code} {count:,}" for code, count in list(out["flags_by_rule"].items())[:8])
        lines.append(f"Top rules  {top}")
    return "\n".join(lines)
