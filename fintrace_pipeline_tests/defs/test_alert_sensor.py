"""The failure alert: a real failed run (a file that cannot be read) reported to a local HTTP receiver
and a local SMTP server through Dagster's run-status sensor testing API."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from dagster import build_run_status_sensor_context

from fintrace_pipeline.alerts import AlertNotSent, RunFailureAlert, send_alert
from fintrace_pipeline.defs.resources import fintrace_resources
from fintrace_pipeline.defs.sensors.alerts import alert_on_failure_sensor
from fintrace_pipeline.settings import AlertSettings, get_settings
from fintrace_pipeline_tests.mail_sink import MailSink


class Receiver:
    """A local webhook: every JSON body POSTed to it, with the status it answers."""

    def __init__(self, status: int = 200):
        self.bodies: list[dict] = []
        received = self.bodies

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers["Content-Length"])
                received.append(json.loads(self.rfile.read(length)))
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/fintrace"

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def _evaluate(failed_run, **env):
    instance, run, failure_event, _ = failed_run
    context = build_run_status_sensor_context(
        sensor_name=alert_on_failure_sensor.name,
        dagster_instance=instance,
        dagster_run=run,
        dagster_event=failure_event,
    ).for_run_failure()
    resources = fintrace_resources(get_settings())
    return alert_on_failure_sensor(context, results_db=resources["results_db"], settings=resources["settings"])


def test_a_failed_run_is_posted_and_mailed_with_file_run_step_and_error(failed_run, monkeypatch):
    _, run, _, job = failed_run
    with Receiver() as receiver, MailSink() as mail:
        monkeypatch.setenv("FINTRACE_ALERT_WEBHOOK", receiver.url)
        monkeypatch.setenv("FINTRACE_ALERT_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("FINTRACE_ALERT_SMTP_PORT", str(mail.port))
        monkeypatch.setenv("FINTRACE_ALERT_SMTP_USER", "alerts")
        monkeypatch.setenv("FINTRACE_ALERT_SMTP_PASSWORD", "s3cret")
        monkeypatch.setenv("FINTRACE_ALERT_SMTP_FROM", "fintrace@example.org")
        monkeypatch.setenv("FINTRACE_ALERT_SMTP_TO", "audit@example.org, ops@example.org")
        _evaluate(failed_run)

    (posted,) = receiver.bodies
    assert posted["event"] == "run_failed"
    assert posted["run_id"] == run.run_id
    assert posted["file_name"] == "broken-ledger.csv"
    assert posted["data_file_id"] == job["data_file_id"]
    assert posted["failed_step"] == "ingest"
    assert posted["error"] == job["error_message"]  # the reason a person reads, as the job records it
    assert posted["error"].startswith("broken-ledger.csv: ")
    assert posted["will_retry"] is False

    ((envelope, message),) = mail.messages
    assert envelope == {"from": "fintrace@example.org", "to": ["audit@example.org", "ops@example.org"]}
    assert message["Subject"] == "FinTrace: broken-ledger.csv failed at ingest"
    body = message.get_content()
    assert run.run_id in body and job["error_message"] in body and "Failed step: ingest" in body
    assert len(mail.logins) == 1  # logged in with the configured user


def test_only_the_configured_channel_is_used_and_none_configured_sends_nothing(failed_run, monkeypatch):
    for name in ("FINTRACE_ALERT_WEBHOOK", "FINTRACE_ALERT_SMTP_HOST", "FINTRACE_ALERT_SMTP_TO"):
        monkeypatch.delenv(name, raising=False)
    with Receiver() as receiver:
        skipped = _evaluate(failed_run)
        assert "no alert channel configured" in skipped.skip_message
        monkeypatch.setenv("FINTRACE_ALERT_WEBHOOK", receiver.url)
        _evaluate(failed_run)
    assert [body["failed_step"] for body in receiver.bodies] == ["ingest"]


def test_a_channel_that_refuses_is_reported_and_the_others_still_get_the_alert():
    alert = RunFailureAlert("r-1", "process_file", "a.csv", "f-1", "ingest", "a.csv: no amount column", False)
    with Receiver(status=500) as receiver, MailSink() as mail:
        settings = AlertSettings(webhook=receiver.url, smtp_host="127.0.0.1", smtp_port=mail.port, mail_to=("x@y.z",))
        with pytest.raises(AlertNotSent, match=r"webhook .*500.*\(sent by mail\)"):
            send_alert(settings, alert)
    assert len(receiver.bodies) == 1 and len(mail.messages) == 1
