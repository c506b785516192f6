"""The dashboard follows a run over the progress stream, and over polling when the stream is refused."""

from __future__ import annotations

import pytest

from fintrace_pipeline.generate import generate_ledger, write_ledger
from fintrace_pipeline.stages import STAGES
from fintrace_pipeline_tests.browser.test_dashboard import PROCESSING_TIMEOUT_MS, process_after_preview

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("browser")]

# Records every progress the page draws, per change: the finished (COMPLETED or SKIPPED) steps and the bar.
RECORD_STEPS = """
window.seenProgress = [];
new MutationObserver(() => {
  const steps = [...document.querySelectorAll('#upload-steps li')].map((li) => li.textContent);
  window.seenProgress.push({
    completed: steps.filter((text) => text.endsWith('COMPLETED') || text.endsWith('SKIPPED')).length,
    percent: Number(document.getElementById('upload-bar').getAttribute('aria-valuenow')),
  });
}).observe(document.getElementById('upload-steps'), {childList: true, subtree: true, characterData: true});
"""


def _upload(page, system, path):
    page.goto(f"{system.url}/")
    page.evaluate(RECORD_STEPS)
    page.set_input_files("#file-input", str(path))
    process_after_preview(page)
    page.wait_for_function(
        "document.getElementById('upload-status').textContent === 'COMPLETED'", timeout=PROCESSING_TIMEOUT_MS
    )
    return page.evaluate("window.seenProgress")


def test_the_page_watches_the_run_move_through_its_steps_over_the_stream(page, system, tmp_path):
    path = tmp_path / "may_ledger.csv"
    write_ledger(generate_ledger(3_000, seed=31), path)
    streamed: list[str] = []
    page.on("request", lambda request: streamed.append(request.url) if "/processing-progress/" in request.url else None)
    seen = _upload(page, system, path)

    assert page.get_attribute("#upload-bar", "data-transport") == "stream"
    assert all("/processing-progress/stream?" in url for url in streamed) and len(streamed) == 1
    completed = [s["completed"] for s in seen]
    # The steps finish one after another on the page, never going back, ending with all of them.
    assert completed == sorted(completed) and completed[-1] == len(STAGES)
    assert len(set(completed)) >= 4
    percents = [s["percent"] for s in seen]
    assert percents == sorted(percents) and percents[-1] == 100


def test_without_the_stream_the_page_polls_to_the_end(page, system, tmp_path):
    path = tmp_path / "june_ledger.csv"
    write_ledger(generate_ledger(600, seed=32), path)
    page.route("**/api/processing-progress/stream*", lambda route: route.abort())
    _upload(page, system, path)
    assert page.get_attribute("#upload-bar", "data-transport") == "poll"
    steps = page.locator("#upload-steps li").all_text_contents()
    assert len(steps) == len(STAGES) and all(text.endswith(("COMPLETED", "SKIPPED")) for text in steps)
