"""Query parameters: a NUL character in any of them is refused with 400 before it reaches a database."""

import pytest

from fintrace_pipeline_tests.api.conftest import (
    error,
)

TEXT_PARAMETERS = [
    "/api/flagged-transactions/?file_id={file}&rule=%00",
    "/api/flagged-transactions/?file_id={file}&rule=DUP%00EXACT",
    "/api/analytics-results/?file_id={file}&analytics_type=all%00",
    "/api/ml-processing-results/?file_id={file}&model_type=%00",
    "/api/files/?status=FAILED%00",
    "/api/exports/?file_id={file}&what=scores%00",
    "/api/exports/?file_id={file}&what=scores&format=csv%00",
    "/api/processing-results/?file_id={file}%00",
    "/api/processing-progress/?job_id=%00",
    "/api/files/?limit=1%00",
    "/api/flagged-transactions/?file_id={file}&min_risk=1%00",
]


@pytest.mark.parametrize("path", TEXT_PARAMETERS)
def test_a_nul_character_in_a_query_parameter_is_400(client, seeded, path):
    error(client.get(path.format(file=seeded.file_id)), 400)


def test_the_rule_filter_names_the_nul_character(client, seeded):
    message = error(client.get(f"/api/flagged-transactions/?file_id={seeded.file_id}&rule=%00"), 400)
    assert "rule" in message and "NUL" in message
