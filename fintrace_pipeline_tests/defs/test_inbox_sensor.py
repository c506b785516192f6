"""The inbox sensor evaluated directly, against a real results database."""

import os
import time
import uuid

import pytest
from dagster import SensorResult, build_sensor_context, instance_for_test

from fintrace_pipeline import inbox
from fintrace_pipeline.defs.partitions import JOB_ID_TAG
from fintrace_pipeline.defs.resources import fintrace_resources
from fintrace_pipeline.defs.sensors.inbox import inbox_sensor
from fintrace_pipeline.persistence import jobs
from fintrace_pipeline.persistence.files import get_data_file, register_file
from fintrace_pipeline.settings import get_settings

LEDGER = "Posting Date,Amount,Vendor\n2024-01-02,100.00,Acme\n"


@pytest.fixture
def inbox_dir(fintrace_env, monkeypatch):
    folder = fintrace_env / "inbox"
    folder.mkdir()
    monkeypatch.setenv("FINTRACE_INBOX", str(folder))
    return folder


def _tick(database_url, cursor=None) -> SensorResult:
    with instance_for_test() as instance:
        context = build_sensor_context(
            instance=instance, cursor=cursor, resources=fintrace_resources(get_settings())
        )
        return inbox_sensor(context)


def _drop(folder, name, text=LEDGER, age_seconds=0.0):
    path = folder / name
    path.write_text(text)
    if age_seconds:
        old = time.time() - age_seconds
        os.utime(path, (old, old))
    return path


def test_new_file_gives_one_run_after_it_is_stable(inbox_dir, database_url):
    _drop(inbox_dir, "ledger.csv")
    first = _tick(database_url)
    assert first.run_requests == [] and "ledger.csv" in first.cursor  # seen once, not yet known complete
    second = _tick(database_url, first.cursor)
    assert len(second.run_requests) == 1
    request = second.run_requests[0]
    assert request.partition_key == second.dynamic_partitions_requests[0].partition_keys[0]
    assert request.run_key == request.tags[JOB_ID_TAG]
    assert not (inbox_dir / "ledger.csv").exists()
    assert list((inbox_dir / inbox.PROCESSED_DIR).rglob("ledger.csv"))
    third = _tick(database_url, second.cursor)
    assert third.run_requests == [] and third.dynamic_partitions_requests == []


def test_growing_file_is_not_taken_until_complete(inbox_dir, database_url):
    path = _drop(inbox_dir, "big.csv", "Posting Date,Amount\n")
    cursor = _tick(database_url).cursor
    with path.open("a") as handle:
        handle.write("2024-01-02,5.00\n")
    assert _tick(database_url, cursor).run_requests == []


def test_hidden_and_temporary_files_are_ignored(inbox_dir, database_url):
    for name in (".hidden.csv", "upload.csv.part", "~$book.xlsx", "notes.pdf"):
        _drop(inbox_dir, name, age_seconds=120)
    assert _tick(database_url).run_requests == []


def test_settled_file_is_taken_on_first_look(inbox_dir, database_url):
    _drop(inbox_dir, "old.csv", age_seconds=120)
    assert len(_tick(database_url).run_requests) == 1


def test_byte_identical_copy_does_not_start_a_second_run(inbox_dir, database_url):
    _drop(inbox_dir, "a.csv", age_seconds=120)
    assert len(_tick(database_url).run_requests) == 1
    _drop(inbox_dir, "copy-of-a.csv", age_seconds=120)
    result = _tick(database_url)
    assert result.run_requests == [] and not (inbox_dir / "copy-of-a.csv").exists()


def test_upload_with_pending_job_is_run_under_that_job(inbox_dir, database_url, engine):
    path = _drop(inbox_dir, "uploaded.csv", age_seconds=120)
    data_file, _ = register_file(engine, path, received_via="upload", archive_dir=get_settings().archive_dir)
    job = jobs.create_job(engine, data_file.id, trigger="upload")
    [request] = _tick(database_url).run_requests
    assert request.tags[JOB_ID_TAG] == str(job.id) and request.partition_key == str(data_file.id)


def test_many_files_are_taken_in_bounded_batches_and_all_eventually(inbox_dir, database_url, monkeypatch):
    monkeypatch.setenv("FINTRACE_SENSOR_MAX_FILES_PER_TICK", "40")
    for i in range(500):
        _drop(inbox_dir, f"f{i:03}.csv", LEDGER + f"2024-01-03,{i}.00,Acme\n", age_seconds=120)
    cursor, requested, ticks = None, set(), 0
    while True:
        result = _tick(database_url, cursor)
        cursor = result.cursor
        ticks += 1
        assert len(result.run_requests) <= 40
        requested |= {r.partition_key for r in result.run_requests}
        if not result.run_requests:
            break
    assert len(requested) == 500 and ticks == 14  # 13 full-or-partial batches, then an empty tick
    assert len(cursor) < 1000  # nothing remembered about files already taken


def test_cursor_stays_bounded_with_many_files_still_being_written(tmp_path):
    folder = tmp_path / "inbox"
    folder.mkdir()
    for i in range(inbox.MAX_TRACKED + 50):
        (folder / f"f{i}.csv").write_text("x")
    ready, state = inbox.scan(folder, inbox.InboxState(), limit=10)
    assert ready == [] and len(state.seen) == inbox.MAX_TRACKED


def _source_of_request(engine, request) -> str:
    with engine.connect() as connection:
        return get_data_file(connection, uuid.UUID(request.partition_key)).source


def test_a_file_in_a_source_folder_belongs_to_that_source(inbox_dir, database_url, engine):
    (inbox_dir / "acme").mkdir()
    _drop(inbox_dir / "acme", "march.csv", age_seconds=120)
    _drop(inbox_dir, "top.csv", LEDGER + "2024-01-03,2.00,Acme\n", age_seconds=120)
    requests = _tick(database_url).run_requests
    sources = {r.tags["fintrace/file_name"]: _source_of_request(engine, r) for r in requests}
    assert sources == {"march.csv": "acme", "top.csv": "default"}
    assert list((inbox_dir / "acme" / inbox.PROCESSED_DIR).rglob("march.csv"))
    assert not (inbox_dir / "acme" / "march.csv").exists()
    # The folder of taken files is no source: nothing in it is taken again.
    assert _tick(database_url).run_requests == []


def test_a_new_file_in_a_source_folder_is_taken_once_stable_like_any_other(inbox_dir, database_url):
    (inbox_dir / "globex").mkdir()
    _drop(inbox_dir / "globex", "april.csv")
    first = _tick(database_url)
    assert first.run_requests == [] and "globex/april.csv" in first.cursor
    assert len(_tick(database_url, first.cursor).run_requests) == 1


def test_folders_not_named_like_a_source_are_left_alone(inbox_dir, database_url):
    for folder in ("Acme Corp", ".hidden", "processed"):
        (inbox_dir / folder).mkdir(exist_ok=True)
        _drop(inbox_dir / folder, "x.csv", age_seconds=120)
    assert _tick(database_url).run_requests == []
    assert (inbox_dir / "Acme Corp" / "x.csv").exists()


def test_a_known_file_dropped_in_another_sources_folder_keeps_its_source(inbox_dir, database_url, engine):
    _drop(inbox_dir, "a.csv", age_seconds=120)
    [request] = _tick(database_url).run_requests
    (inbox_dir / "acme").mkdir()
    _drop(inbox_dir / "acme", "a-again.csv", age_seconds=120)
    assert _tick(database_url).run_requests == []
    with engine.connect() as connection:
        assert get_data_file(connection, uuid.UUID(request.partition_key)).source == "default"
