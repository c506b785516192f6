"""GET /api/file-comparison/ and /api/source-trends/ on real SQLite and PostgreSQL, read by a viewer."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from dagster import DagsterInstance, materialize
from sqlalchemy import func, select
from starlette.testclient import TestClient

from fintrace_pipeline.api.app import create_app
from fintrace_pipeline.db.engine import get_engine
from fintrace_pipeline.db.schema import transaction_flags
from fintrace_pipeline.defs.assets import PER_FILE_ASSETS
from fintrace_pipeline.defs.partitions import JOB_ID_TAG, TRIGGER_TAG, data_file_partitions
from fintrace_pipeline.defs.resources import fintrace_resources
from fintrace_pipeline.generate.monthly import generate_monthly_files, write_monthly_file
from fintrace_pipeline.persistence import jobs
from fintrace_pipeline.persistence.files import register_file
from fintrace_pipeline.persistence.users import add_user
from fintrace_pipeline_tests.api.conftest import error, make_settings, ok


def compare(settings, instance, path, source="acme"):
    """Ingest and compare one file (the stages the comparison reads), as its own job."""
    engine = get_engine(settings.database_url)
    data_file, _ = register_file(engine, path, received_via="cli", archive_dir=settings.archive_dir, source=source)
    job = jobs.create_job(engine, data_file.id, trigger="cli")
    instance.add_dynamic_partitions(data_file_partitions.name, [str(data_file.id)])
    result = materialize(
        PER_FILE_ASSETS,
        selection=["ingest", "history_comparison"],
        partition_key=str(data_file.id),
        instance=instance,
        resources=fintrace_resources(settings),
        tags={JOB_ID_TAG: str(job.id), TRIGGER_TAG: "cli"},
    )
    assert result.success
    return data_file, job


@pytest.fixture(scope="module")
def months(module_database_url, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("history-api")
    settings = make_settings(tmp / "var", module_database_url)
    generated = generate_monthly_files(lines_per_month=30, seed=5)
    instance = DagsterInstance.ephemeral()
    compared = {}
    for number in (5, 6, 7):
        path = tmp / f"acme-2025-{number:02d}.csv"
        write_monthly_file(generated.files[number - 1], path)
        compared[number] = compare(settings, instance, path)
    viewer_token = add_user(get_engine(module_database_url), settings.token_key(), "vera", "viewer", actor="test")[1]
    reviewer_token = add_user(get_engine(module_database_url), settings.token_key(), "rita", "reviewer", actor="test")[
        1
    ]
    with TestClient(create_app(settings)) as client:
        yield SimpleNamespace(
            client=client,
            compared=compared,
            generated=generated,
            viewer={"Authorization": f"Bearer {viewer_token}"},
            reviewer={"Authorization": f"Bearer {reviewer_token}"},
            engine=get_engine(module_database_url),
        )


def test_a_viewer_reads_a_files_comparison_with_its_cross_file_duplicate(months):
    client, compared, generated, viewer = months.client, months.compared, months.generated, months.viewer
    july, _ = compared[7]
    body = ok(client.get(f"/api/file-comparison/?file_id={july.id}", headers=viewer))
    assert body["source"] == "acme" and body["status"] == "COMPLETED"
    comparison = body["comparison"]
    assert [f["file_name"] for f in comparison["earlier_files"]] == ["acme-2025-05.csv", "acme-2025-06.csv"]
    row = int(generated.cases.loc[generated.cases["rule_code"] == "HIST_DUP_INVOICE", "row_number"].iloc[0])
    invoice = [d for d in comparison["cross_file_duplicates"] if d["rule_code"] == "HIST_DUP_INVOICE"]
    assert [(d["row_number"], d["earlier_file"], d["invoice"]) for d in invoice] == [
        (row, "acme-2025-05.csv", "INV-DUP-0505")
    ]
    assert [m["month"] for m in body["months"]["earlier_months"]] == ["2025-05", "2025-06"]
    assert body["months"]["file_months"][0]["rows"] == 31


def test_the_first_file_says_it_starts_the_history(months):
    client, compared, viewer = months.client, months.compared, months.viewer
    may, _ = compared[5]
    body = ok(client.get(f"/api/file-comparison/?file_id={may.id}", headers=viewer))
    assert body["note"] == "no earlier file of source 'acme' to compare with: this file starts its history"
    assert body["comparison"]["earlier_files"] == []


def test_a_sources_months_with_flagged_share_and_confirmed_findings(months):
    client, compared, generated, viewer = months.client, months.compared, months.generated, months.viewer
    july, july_job = compared[7]
    row = int(generated.cases.loc[generated.cases["rule_code"] == "HIST_DUP_INVOICE", "row_number"].iloc[0])
    ok(
        client.post(
            "/api/verdicts/",
            json={"file_id": str(july.id), "row_number": row, "verdict": "confirmed"},
            headers=months.reviewer,
        ),
        201,
    )
    body = ok(client.get("/api/source-trends/?source=acme", headers=viewer))
    by_month = {m["month"]: m for m in body["months"]}
    assert list(by_month) == ["2025-05", "2025-06", "2025-07"]
    assert [by_month[m]["rows"] for m in by_month] == [31, 30, 31]
    assert by_month["2025-07"]["confirmed"] == 1 and by_month["2025-05"]["confirmed"] == 0
    with months.engine.connect() as connection:
        flagged = connection.execute(
            select(func.count(func.distinct(transaction_flags.c.row_number))).where(
                transaction_flags.c.processing_job_id == july_job.id,
                transaction_flags.c.severity.in_(["medium", "high"]),
            )
        ).scalar_one()
    assert flagged >= 1
    assert by_month["2025-07"]["flagged_rows"] == flagged
    assert by_month["2025-07"]["flagged_share"] == round(flagged / 31, 4)
    # May is the first file: nothing to compare, nothing flagged.
    assert by_month["2025-05"]["flagged_rows"] == 0
    assert [f["file_name"] for f in body["files"]] == ["acme-2025-05.csv", "acme-2025-06.csv", "acme-2025-07.csv"]


def test_unknown_source_and_file_and_missing_parameters(months):
    client, viewer = months.client, months.viewer
    assert (
        error(client.get("/api/source-trends/?source=nobody", headers=viewer), 404)
        == "no file belongs to source 'nobody'"
    )
    assert "source is required" in error(client.get("/api/source-trends/", headers=viewer), 400)
    error(client.get("/api/source-trends/?source=Not%20A%20Name", headers=viewer), 400)
    assert (
        error(client.get("/api/file-comparison/?file_id=00000000-0000-0000-0000-000000000000", headers=viewer), 404)
        == "no such data file"
    )
    error(client.get("/api/file-comparison/", headers=viewer), 400)
