"""The inbox sensor and the registration of claimed files, evaluated through Dagster's testing APIs
against a real results database and a real (temporary) Dagster instance."""

import os
import time
import uuid

import pytest
from dagster import DagsterRunStatus, SensorResult, build_sensor_context, instance_for_test
from dagster._core.storage.dagster_run import DagsterRun

from fintrace_pipeline import inbox
from fintrace_pipeline.defs.jobs import process_file_job
from fintrace_pipeline.defs.partitions import JOB_ID_TAG
from fintrace_pipeline.defs.registration import register_inbox
from fintrace_pipeline.defs.resources import fintrace_resources
from fintrace_pipeline.defs.sensors.inbox import inbox_sensor
from fintrace_pipeline.inbox_registration import register_claimed
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


@pytest.fixture
def instance():
    with instance_for_test() as instance:
        yield instance


def _tick(instance, cursor=None) -> SensorResult:
    context = build_sensor_context(instance=instance, cursor=cursor, resources=fintrace_resources(get_settings()))
    return inbox_sensor(context)


def _file_requests(result: SensorResult):
    return [r for r in result.run_requests if r.job_name == process_file_job.name]


def _asks_for_registration(result: SensorResult) -> bool:
    return any(r.job_name == register_inbox.name for r in result.run_requests)


def _launch(instance, result: SensorResult) -> None:
    """What the daemon does with a tick's result: the partitions, then one run per request."""
    for request in result.dynamic_partitions_requests:
        instance.add_dynamic_partitions(request.partitions_def_name, request.partition_keys)
    for request in result.run_requests:
        tags = {**request.tags, "dagster/run_key": request.run_key or ""}
        instance.add_run(DagsterRun(job_name=request.job_name, tags=tags, status=DagsterRunStatus.NOT_STARTED))


def _register(engine, limit=500):
    return register_claimed(engine, get_settings(), limit)


def _drop(folder, name, text=LEDGER, age_seconds=0.0):
    path = folder / name
    path.write_text(text)
    if age_seconds:
        old = time.time() - age_seconds
        os.utime(path, (old, old))
    return path


def _job_count(engine) -> int:
    with engine.connect() as connection:
        return len(jobs.waiting_for_a_run(connection, 10_000))


def test_new_file_is_claimed_once_stable_registered_and_given_one_run(inbox_dir, instance, engine):
    _drop(inbox_dir, "ledger.csv")
    first = _tick(instance)
    assert first.run_requests == [] and "ledger.csv" in first.cursor  # seen once, not yet known complete
    second = _tick(instance, first.cursor)
    assert _asks_for_registration(second) and _file_requests(second) == []
    claimed = inbox.intake_dir(inbox_dir) / "ledger.csv"
    assert claimed.is_file() and not (inbox_dir / "ledger.csv").exists()
    done = _register(engine)
    assert len(done.new_jobs) == 1 and done.known == [] and not claimed.exists()
    assert list((inbox_dir / inbox.PROCESSED_DIR).rglob("ledger.csv"))
    third = _tick(instance, second.cursor)
    [request] = _file_requests(third)
    assert not _asks_for_registration(third)
    assert request.partition_key == third.dynamic_partitions_requests[0].partition_keys[0]
    assert request.run_key == request.tags[JOB_ID_TAG] == done.new_jobs[0]
    _launch(instance, third)
    fourth = _tick(instance, third.cursor)
    assert fourth.run_requests == [] and fourth.dynamic_partitions_requests == []
    with engine.connect() as connection:
        job = jobs.get_job(connection, uuid.UUID(done.new_jobs[0]))
    assert job.dagster_run_id is not None and job.status == "PENDING"  # the run exists; it has not started


def test_growing_file_is_not_taken_until_complete(inbox_dir, instance):
    path = _drop(inbox_dir, "big.csv", "Posting Date,Amount\n")
    cursor = _tick(instance).cursor
    with path.open("a") as handle:
        handle.write("2024-01-02,5.00\n")
    assert _tick(instance, cursor).run_requests == [] and path.exists()


def test_hidden_and_temporary_files_are_ignored(inbox_dir, instance):
    for name in (".hidden.csv", "upload.csv.part", "~$book.xlsx", "notes.pdf"):
        _drop(inbox_dir, name, age_seconds=120)
    assert _tick(instance).run_requests == []
    assert not inbox.intake_dir(inbox_dir).exists()


def test_settled_file_is_claimed_on_first_look(inbox_dir, instance):
    _drop(inbox_dir, "old.csv", age_seconds=120)
    assert _asks_for_registration(_tick(instance))
    assert inbox.claimed_files(inbox_dir, 10) == [inbox.intake_dir(inbox_dir) / "old.csv"]


def test_byte_identical_copy_gets_no_second_job(inbox_dir, instance, engine):
    _drop(inbox_dir, "a.csv", age_seconds=120)
    _tick(instance)
    assert len(_register(engine).new_jobs) == 1
    _drop(inbox_dir, "copy-of-a.csv", age_seconds=120)
    _launch(instance, _tick(instance))
    done = _register(engine)
    assert done.new_jobs == [] and done.known == ["copy-of-a.csv"]
    assert list((inbox_dir / inbox.PROCESSED_DIR).rglob("copy-of-a.csv"))
    assert _job_count(engine) == 1


def test_upload_with_pending_job_is_run_under_that_job(inbox_dir, instance, engine, tmp_path):
    path = _drop(tmp_path, "uploaded.csv")
    data_file, _ = register_file(engine, path, received_via="upload", archive_dir=get_settings().archive_dir)
    job = jobs.create_job(engine, data_file.id, trigger="upload")
    [request] = _file_requests(_tick(instance))
    assert request.tags[JOB_ID_TAG] == str(job.id) and request.partition_key == str(data_file.id)


def test_jobs_of_other_triggers_are_not_the_sensors(inbox_dir, instance, engine, tmp_path):
    data_file, _ = register_file(engine, _drop(tmp_path, "cli.csv"), received_via="cli", archive_dir=tmp_path / "a")
    jobs.create_job(engine, data_file.id, trigger="cli")  # `fintrace process` runs it in process
    assert _tick(instance).run_requests == []


def test_many_files_are_requested_in_bounded_batches_each_once(inbox_dir, instance, engine, monkeypatch):
    monkeypatch.setenv("FINTRACE_SENSOR_MAX_FILES_PER_TICK", "40")
    for i in range(500):
        _drop(inbox_dir, f"f{i:03}.csv", LEDGER + f"2024-01-03,{i}.00,Acme\n", age_seconds=120)
    first = _tick(instance)
    assert len(inbox.claimed_files(inbox_dir, 1_000)) == 500 and not list(inbox_dir.glob("*.csv"))
    _launch(instance, first)
    assert len(_register(engine, limit=200).new_jobs) == 200  # a bounded batch per registration run
    assert len(_register(engine, limit=500).new_jobs) == 300
    cursor, run_keys, ticks = first.cursor, [], 0
    while True:
        result = _tick(instance, cursor)
        cursor, ticks = result.cursor, ticks + 1
        assert len(result.run_requests) <= 40
        run_keys += [r.run_key for r in _file_requests(result)]
        _launch(instance, result)
        if not result.run_requests:
            break
    assert len(run_keys) == len(set(run_keys)) == 500
    assert ticks == 14  # 13 batches of at most 40, then an empty tick
    assert len(cursor) < 1000  # nothing remembered about files already taken


def test_cursor_stays_bounded_with_many_files_still_being_written(tmp_path):
    folder = tmp_path / "inbox"
    folder.mkdir()
    for i in range(inbox.MAX_TRACKED + 50):
        (folder / f"f{i}.csv").write_text("x")
    ready, state = inbox.scan(folder, inbox.InboxState(), limit=10)
    assert ready == [] and len(state.seen) == inbox.MAX_TRACKED


def test_a_claimed_file_left_unregistered_is_registered_by_the_next_run(inbox_dir, instance, engine):
    _drop(inbox_dir, "a.csv", age_seconds=120)
    _launch(instance, _tick(instance))  # the registration run is created, then its process dies
    [run] = instance.get_runs()
    assert not _asks_for_registration(_tick(instance))  # one is under way
    instance.report_run_failed(run)
    assert _asks_for_registration(_tick(instance))  # the claimed file is asked for again
    assert len(_register(engine).new_jobs) == 1


def test_a_file_registered_just_before_a_stop_gets_no_second_job(inbox_dir, instance, engine):
    _drop(inbox_dir, "a.csv", age_seconds=120)
    _tick(instance)
    [claimed] = inbox.claimed_files(inbox_dir, 10)
    # The registration stopped after the file's data file and job, before it moved the file on.
    data_file, _ = register_file(engine, claimed, received_via="inbox", archive_dir=get_settings().archive_dir)
    job = jobs.create_job(engine, data_file.id, trigger="inbox")
    done = _register(engine)
    assert done.new_jobs == [] and done.known == ["a.csv"] and not claimed.exists()
    [request] = _file_requests(_tick(instance))
    assert request.run_key == str(job.id)


def test_a_request_lost_with_its_tick_is_made_again_and_starts_one_run(inbox_dir, instance, engine):
    _drop(inbox_dir, "a.csv", age_seconds=120)
    _tick(instance)
    _register(engine)
    lost = _tick(instance)  # the daemon stopped before it created the run
    again = _tick(instance, lost.cursor)
    assert [r.run_key for r in _file_requests(again)] == [r.run_key for r in _file_requests(lost)]
    _launch(instance, again)
    assert _file_requests(_tick(instance, again.cursor)) == []


def test_registration_runs_as_a_dagster_job(inbox_dir, instance, engine):
    _drop(inbox_dir, "a.csv", age_seconds=120)
    _tick(instance)
    result = register_inbox.execute_in_process(instance=instance, resources=fintrace_resources(get_settings()))
    assert result.success and _job_count(engine) == 1
    assert inbox.claimed_files(inbox_dir, 10) == [] and list((inbox_dir / inbox.PROCESSED_DIR).rglob("a.csv"))


def _source_of_request(engine, request) -> str:
    with engine.connect() as connection:
        return get_data_file(connection, uuid.UUID(request.partition_key)).source


def test_a_file_in_a_source_folder_belongs_to_that_source(inbox_dir, instance, engine):
    (inbox_dir / "acme").mkdir()
    _drop(inbox_dir / "acme", "march.csv", age_seconds=120)
    _drop(inbox_dir, "top.csv", LEDGER + "2024-01-03,2.00,Acme\n", age_seconds=120)
    _tick(instance)
    _register(engine)
    requests = _file_requests(_tick(instance))
    sources = {r.tags["fintrace/file_name"]: _source_of_request(engine, r) for r in requests}
    assert sources == {"march.csv": "acme", "top.csv": "default"}
    assert list((inbox_dir / "acme" / inbox.PROCESSED_DIR).rglob("march.csv"))
    assert not (inbox_dir / "acme" / "march.csv").exists()


def test_a_new_file_in_a_source_folder_is_taken_once_stable_like_any_other(inbox_dir, instance):
    (inbox_dir / "globex").mkdir()
    _drop(inbox_dir / "globex", "april.csv")
    first = _tick(instance)
    assert first.run_requests == [] and "globex/april.csv" in first.cursor
    assert _asks_for_registration(_tick(instance, first.cursor))
    assert inbox.claimed_files(inbox_dir, 10) == [inbox.intake_dir(inbox_dir) / "globex" / "april.csv"]


def test_folders_not_named_like_a_source_are_left_alone(inbox_dir, instance):
    for folder in ("Acme Corp", ".hidden", "processed"):
        (inbox_dir / folder).mkdir(exist_ok=True)
        _drop(inbox_dir / folder, "x.csv", age_seconds=120)
    assert _tick(instance).run_requests == []
    assert (inbox_dir / "Acme Corp" / "x.csv").exists()


def test_a_known_file_dropped_in_another_sources_folder_keeps_its_source(inbox_dir, instance, engine):
    _drop(inbox_dir, "a.csv", age_seconds=120)
    _tick(instance)
    [job_id] = _register(engine).new_jobs
    (inbox_dir / "acme").mkdir()
    _drop(inbox_dir / "acme", "a-again.csv", age_seconds=120)
    _tick(instance)
    assert _register(engine).known == ["a-again.csv"]
    with engine.connect() as connection:
        job = jobs.get_job(connection, uuid.UUID(job_id))
        assert get_data_file(connection, job.data_file_id).source == "default"
