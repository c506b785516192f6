"""The review queue in a real browser: a reviewer works through a processed ledger's flagged entries by
click and by keyboard (with a comment), sees the server's count move, reloads and finds it kept,
filters by verdict; the verdicts are stored as the API gives them back. A viewer sees the queue
read-only with the reason, and a revoked token is asked for again in words."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request

import pytest

from fintrace_pipeline.generate import generate_ledger, write_ledger
from fintrace_pipeline.settings import PROJECT_ROOT
from fintrace_pipeline_tests.browser.test_dashboard import PROCESSING_TIMEOUT_MS

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("browser")]

ROWS = 1_000
COMMENT = "ask AP for the original invoice"


def fintrace(system, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "fintrace_pipeline.cli", *args],
        env=system.env,
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def call(system, path: str, token: str | None = None) -> dict:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    request = urllib.request.Request(f"{system.url}{path}", headers=headers)
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


@pytest.fixture(scope="module")
def processed(system, tmp_path_factory) -> str:
    """A generated ledger (with journal entries) dropped into the inbox and processed; its data_file_id."""
    written = tmp_path_factory.mktemp("review") / "review_ledger.csv"
    write_ledger(generate_ledger(ROWS, seed=31), written)
    os.replace(written, system.var / "inbox" / written.name)  # whole, as a finished copy lands
    deadline = time.monotonic() + PROCESSING_TIMEOUT_MS / 1000
    while time.monotonic() < deadline:
        files = [f for f in call(system, "/api/files/?limit=50")["files"] if f["file_name"] == written.name]
        if files and files[0]["latest_job_status"] in ("COMPLETED", "FAILED"):
            assert files[0]["latest_job_status"] == "COMPLETED"
            return files[0]["data_file_id"]
        time.sleep(0.5)
    raise AssertionError(f"{written.name} was not processed in time")


@pytest.fixture(scope="module")
def tokens(system, processed) -> dict[str, str]:
    """A reviewer and a viewer; from the first one on, the API needs a token."""
    made = {}
    for name, role in (("rita", "reviewer"), ("vic", "viewer")):
        lines = fintrace(system, "users", "add", name, "--role", role).strip().splitlines()
        made[name] = lines[-1].strip()
    return made


def give_token(page, token: str) -> None:
    page.wait_for_selector("#token-form:not([hidden])")
    page.fill("#token-input", token)
    page.click("#token-form button")


def progress(page) -> str:
    return page.text_content("#review-progress")


def wait_for_progress(page, start: str) -> None:
    page.wait_for_function(
        "([start]) => document.getElementById('review-progress').textContent.startsWith(start)", arg=[start]
    )


def selected_title(page) -> str:
    return page.text_content("#review-item-title")


def badges(page) -> list[str]:
    return page.locator("#review-items .review-item .verdict").all_text_contents()


def test_a_reviewer_records_verdicts_by_click_and_keyboard_and_they_are_kept(
    page, system, processed, tokens, screenshot_dir
):
    token = tokens["rita"]
    page.goto(f"{system.url}/files/{processed}")
    give_token(page, token)
    page.wait_for_selector("#review-items .review-item")
    queue = call(system, f"/api/review-queue/?file_id={processed}&limit=20", token)
    assert queue["unit"] == "entry"
    total = queue["counts"]["queue"]
    assert total > 20
    names = [item["je_number"] for item in queue["items"]]
    assert page.text_content("#review-title") == "Review queue: entries"
    assert progress(page) == f"0 of {total:,} entries reviewed · 0 confirmed · 0 cleared · 0 follow-up"
    assert page.locator("#review-items .name").all_text_contents() == names
    assert page.text_content("#review-page") == f"1–20 of {total:,}"
    keys = page.text_content("#review-keys")
    assert "j / k next / previous" in keys and "c confirmed" in keys and "/ comment" in keys
    # The selected entry's reasons and lines, as the API gives them.
    first = queue["items"][0]
    assert selected_title(page).startswith(f"{names[0]} · risk ")
    assert page.locator("#review-reasons li").all_text_contents() == [first["reason_text"]]
    shown = page.locator("#review-lines tbody tr td:first-child").all_text_contents()
    assert [int(text.replace(",", "")) for text in shown] == [line["row_number"] for line in first["lines"]]

    # By click: the first entry confirmed; the next one is selected.
    page.click("#review-confirmed")
    wait_for_progress(page, "1 of")
    assert selected_title(page).startswith(f"{names[1]} · ")
    assert page.text_content("#review-message") == f"{names[0]}: confirmed."

    # By keyboard: a comment typed after "/", left with Esc, then "f" for follow-up.
    page.locator("#review-items .review-item").nth(1).locator(".pick").focus()
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "review-comment"
    page.keyboard.type(COMMENT)
    page.keyboard.press("Escape")
    assert page.evaluate("document.activeElement.id") != "review-comment"
    page.keyboard.press("f")
    wait_for_progress(page, "2 of")
    assert selected_title(page).startswith(f"{names[2]} · ")
    # "j" skips the third, "x" clears the fourth, "k" goes back to it.
    page.keyboard.press("j")
    assert selected_title(page).startswith(f"{names[3]} · ")
    page.keyboard.press("x")
    wait_for_progress(page, "3 of")
    page.keyboard.press("k")
    assert selected_title(page).startswith(f"{names[3]} · ")
    expected_progress = f"3 of {total:,} entries reviewed · 1 confirmed · 1 cleared · 1 follow-up"
    assert progress(page) == expected_progress
    assert badges(page)[:5] == ["Confirmed", "Follow-up", "Unreviewed", "Cleared", "Unreviewed"]
    page.locator("#review").screenshot(path=str(screenshot_dir / "review_queue.png"))

    # A reload shows the server's counts and verdicts again.
    page.reload()
    page.wait_for_selector("#review-items .review-item")
    wait_for_progress(page, "3 of")
    assert progress(page) == expected_progress
    assert badges(page)[:5] == ["Confirmed", "Follow-up", "Unreviewed", "Cleared", "Unreviewed"]
    # The flagged view (the same entries, in the same order) shows each entry's verdict under its reasons.
    flagged = page.locator("#entry-table tbody tr.entry td.entry-reasons")
    assert flagged.nth(0).locator(".verdict-note").text_content() == "Confirmed by rita"
    assert flagged.nth(1).locator(".verdict-note").text_content() == f"Follow-up by rita: “{COMMENT}”"
    assert flagged.nth(2).locator(".verdict-note").count() == 0

    # Filters by verdict, each option with its count.
    options = page.locator("#review-filter option").all_text_contents()
    assert options == [
        f"All ({total:,})",
        f"Unreviewed ({total - 3:,})",
        "Confirmed (1)",
        "Cleared (1)",
        "Follow-up (1)",
    ]
    page.select_option("#review-filter", "follow_up")
    page.wait_for_function("document.getElementById('review-page').textContent === '1–1 of 1'")
    assert page.locator("#review-items .name").all_text_contents() == [names[1]]
    assert COMMENT in page.text_content("#review-current")
    assert page.input_value("#review-comment") == COMMENT
    page.select_option("#review-filter", "unreviewed")
    page.wait_for_function(f"document.getElementById('review-page').textContent === '1–20 of {total - 3:,}'")
    assert page.locator("#review-items .name").first.text_content() == names[2]
    assert set(badges(page)) == {"Unreviewed"}
    assert progress(page) == expected_progress  # of the whole queue, whatever is shown

    # Stored as recorded, under the reviewer's name.
    stored = call(system, f"/api/verdicts/?file_id={processed}", token)
    assert stored["counts"] == {"confirmed": 1, "cleared": 1, "follow_up": 1}
    assert {v["je_number"]: (v["verdict"], v["comment"], v["reviewer"]) for v in stored["verdicts"]} == {
        names[0]: ("confirmed", None, "rita"),
        names[1]: ("follow_up", COMMENT, "rita"),
        names[3]: ("cleared", None, "rita"),
    }


def test_a_viewer_sees_the_queue_read_only_with_the_reason(page, system, processed, tokens):
    page.goto(f"{system.url}/files/{processed}")
    give_token(page, tokens["vic"])
    page.wait_for_selector("#review-items .review-item")
    before = call(system, f"/api/verdicts/?file_id={processed}", tokens["vic"])["counts"]
    reason = "recording verdicts needs the reviewer role; vic is a viewer"
    assert page.text_content("#review-readonly") == f"Read-only: {reason}."
    for verdict in ("confirmed", "cleared", "follow_up"):
        assert page.is_disabled(f"#review-{verdict}")
        assert page.get_attribute(f"#review-{verdict}", "title") == reason
    assert page.is_disabled("#review-comment")
    page.keyboard.press("c")
    page.wait_for_selector("#review-error:not([hidden])")
    assert page.text_content("#review-error") == f"Not recorded: {reason}."
    assert call(system, f"/api/verdicts/?file_id={processed}", tokens["vic"])["counts"] == before


def test_a_revoked_token_is_refused_in_words_and_asked_for_again(page, system, processed, tokens):
    token = fintrace(system, "users", "add", "ron", "--role", "reviewer").strip().splitlines()[-1].strip()
    page.goto(f"{system.url}/files/{processed}")
    give_token(page, token)
    page.wait_for_selector("#review-items .review-item")
    assert page.is_hidden("#review-readonly") and page.is_enabled("#review-confirmed")
    fintrace(system, "users", "revoke", "ron")
    page.click("#review-confirmed")
    page.wait_for_selector("#token-form:not([hidden])")
    assert page.text_content("#token-error") == "That token was not accepted."
    # Another reviewer's token: the verdict waiting for it is recorded under their name.
    page.fill("#token-input", tokens["rita"])
    page.click("#token-form button")
    page.wait_for_function("document.getElementById('review-message').textContent.endsWith(': confirmed.')")
    newest = call(system, f"/api/verdicts/?file_id={processed}&limit=1", tokens["rita"])["verdicts"][0]
    assert (newest["verdict"], newest["reviewer"]) == ("confirmed", "rita")
