"""Telling people a run failed: one alert (file, run, failed step, error) posted as JSON to a webhook
and/or mailed through an SMTP server."""

from __future__ import annotations

import json
import smtplib
import ssl
import urllib.request
from dataclasses import asdict, dataclass
from email.message import EmailMessage

from fintrace_pipeline.settings import AlertSettings

TIMEOUT_SECONDS = 10


@dataclass(frozen=True)
class RunFailureAlert:
    run_id: str
    job_name: str
    file_name: str | None
    data_file_id: str | None
    failed_step: str | None
    error: str
    will_retry: bool

    def subject(self) -> str:
        what = self.file_name or self.data_file_id or f"run {self.run_id}"
        step = f" at {self.failed_step}" if self.failed_step else ""
        return f"FinTrace: {what} failed{step}" + (" (retrying)" if self.will_retry else "")

    def text(self) -> str:
        lines = [
            f"File:        {self.file_name or '-'} (data file {self.data_file_id or '-'})",
            f"Run:         {self.run_id} of {self.job_name}",
            f"Failed step: {self.failed_step or '-'}",
            f"Error:       {self.error}",
        ]
        if self.will_retry:
            lines.append("Dagster's run retries start the run again.")
        return "\n".join(lines) + "\n"

    def payload(self) -> dict:
        return {"event": "run_failed", "summary": self.subject(), **asdict(self)}


class AlertNotSent(RuntimeError):
    """A configured alert channel refused or could not be reached."""


def post_webhook(url: str, alert: RunFailureAlert) -> None:
    request = urllib.request.Request(
        url,
        data=json.dumps(alert.payload()).encode(),
        headers={"Content-Type": "application/json", "User-Agent": "fintrace-alerts"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            response.read()
    except OSError as exc:  # URLError and HTTPError (a 4xx/5xx answer) are OSErrors
        raise AlertNotSent(f"webhook {url}: {exc}") from exc


def send_mail(settings: AlertSettings, alert: RunFailureAlert) -> None:
    message = EmailMessage()
    message["Subject"] = alert.subject()
    message["From"] = settings.mail_from or f"fintrace@{settings.smtp_host}"
    message["To"] = ", ".join(settings.mail_to)
    message.set_content(alert.text())
    try:
        if settings.smtp_port == 465:
            smtp = smtplib.SMTP_SSL(settings.smtp_host, settings.smtp_port, timeout=TIMEOUT_SECONDS)
        else:
            smtp = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=TIMEOUT_SECONDS)
        with smtp:
            if settings.smtp_port != 465:
                smtp.ehlo()
                if smtp.has_extn("starttls"):
                    smtp.starttls(context=ssl.create_default_context())
                    smtp.ehlo()
            if settings.smtp_user:
                smtp.login(settings.smtp_user, settings.smtp_password or "")
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        raise AlertNotSent(f"mail through {settings.smtp_host}:{settings.smtp_port}: {exc}") from exc


def send_alert(settings: AlertSettings, alert: RunFailureAlert) -> list[str]:
    """Send to every configured channel; the channels used. Raises once all were tried if one failed."""
    sent, failures = [], []
    channels = []
    if settings.webhook:
        channels.append(("webhook", lambda: post_webhook(settings.webhook, alert)))
    if settings.mail:
        channels.append(("mail", lambda: send_mail(settings, alert)))
    for name, deliver in channels:
        try:
            deliver()
            sent.append(name)
        except AlertNotSent as exc:
            failures.append(str(exc))
    if failures:
        raise AlertNotSent("; ".join(failures) + (f" (sent by {', '.join(sent)})" if sent else ""))
    return sent
