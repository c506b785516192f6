"""The progress stream: an event per change, ending with the terminal state, on SQLite and PostgreSQL."""

import json
import queue
import threading

import pytest

from fintrace_pipeline.api import progress_stream
from fintrace_pipeline.db.engine import get_engine
from fintrace_pipeline.persistence import jobs, tracker
from fintrace_pipeline_tests.api.conftest import error

# A notified stream must not need its fallback read: with this long a wait, only a notification
# (PostgreSQL) or the poll (SQLite) can deliver the next event within EVENT_DEADLINE_S.
NO_FALLBACK_S = 600.0
EVENT_DEADLINE_S = 20.0


def _events(client, job_id, sink: queue.Queue) -> None:
    with client.stream("GET", f"/api/processing-progress/stream?job_id={job_id}") as response:
        sink.put(("status", response.status_code, response.headers["content-type"]))
        event = None
        for line in response.iter_lines():
            if line.startswith("event:"):
                event = line.partition(":")[2].strip()
            elif line.startswith("data:") and event == "progress":
                sink.put(("progress", json.loads(line.partition(":")[2])))
    sink.put(("closed",))


def _next(sink: queue.Queue):
    return sink.get(timeout=EVENT_DEADLINE_S)


def test_a_finished_job_streams_one_event_and_ends(client, seeded):
    sink: queue.Queue = queue.Queue()
    _events(client, seeded.completed_job_id, sink)
    assert _next(sink)[0:2] == ("status", 200)
    kind, progress = _next(sink)
    assert kind == "progress" and progress["status"] == "COMPLETED" and progress["overall_progress"] == 100.0
    assert _next(sink) == ("closed",)


def test_each_change_is_an_event_until_the_job_ends(client, seeded, monkeypatch):
    monkeypatch.setattr(progress_stream, "NOTIFIED_WAIT_S", NO_FALLBACK_S)
    monkeypatch.setattr(progress_stream, "POLL_S", 0.05)
    engine = get_engine(seeded.settings.database_url)
    job = jobs.create_job(engine, seeded.file_id, trigger="cli")
    jobs.mark_running(engine, job.id, "run-stream")
    sink: queue.Queue = queue.Queue()
    reader = threading.Thread(target=_events, args=(client, job.id, sink), daemon=True)
    reader.start()
    status = _next(sink)
    assert status[1] == 200 and status[2].startswith("text/event-stream")
    first = _next(sink)[1]
    assert first["status"] == "RUNNING" and first["overall_progress"] == 0.0

    tracker.update_step(engine, job.id, "ingest", status="RUNNING", progress=50.0)
    moved = _next(sink)[1]
    ingest = next(s for s in moved["steps"] if s["name"] == "ingest")
    assert ingest["status"] == "RUNNING" and moved["overall_progress"] == pytest.approx(10.0)

    tracker.update_step(engine, job.id, "ingest", status="COMPLETED", progress=100.0)
    assert _next(sink)[1]["overall_progress"] == pytest.approx(20.0)
    jobs.finish_job(engine, job.id, "FAILED", "the file could not be read")
    last = _next(sink)[1]
    assert last["status"] == "FAILED"
    assert _next(sink) == ("closed",)
    reader.join(EVENT_DEADLINE_S)
    feed = client.app.state.reader.change_feed
    if seeded.settings.database_url.startswith("postgresql"):
        assert feed is not None and feed.listening  # the events after the first were notified, not polled


@pytest.mark.parametrize("query, status", [("", 400), ("?job_id=00000000-0000-4000-8000-000000000000", 404)])
def test_stream_errors_are_json_before_the_stream_starts(client, query, status):
    error(client.get(f"/api/processing-progress/stream{query}"), status)
