"""A company's or a file's calendar and limits as written by a person: parsed, or refused saying what
is accepted; the configured ones come from the environment."""

from __future__ import annotations

import pytest

from fintrace_pipeline.analysis_choices import ChoiceError, Choices
from fintrace_pipeline.analytics.file_options import options_for
from fintrace_pipeline.analytics.rules import AnomalyDetectionOptions
from fintrace_pipeline.country_calendar import calendar_name, calendar_place, usual_weekend
from fintrace_pipeline.settings import get_settings


def test_choices_are_parsed_into_the_options_they_set():
    choices = Choices.parse(
        country=" de-by ",
        weekend_days="fri, Saturday",
        business_hours="8:30-18:00",
        approval_limits="25000, 5000,10000",
        materiality="2500",
    )
    assert choices.country == "DE-BY"
    assert choices.options(set_by="file") == {
        "weekend_days": ["Friday", "Saturday"],
        "business_hours_start": "08:30",
        "business_hours_end": "18:00",
        "approval_limits": [5000.0, 10000.0, 25000.0],
        "approval_limits_source": "file",
        "materiality": 2500.0,
    }
    assert Choices.parse(country="", materiality=None) == Choices()
    assert Choices.parse(weekend_days="none").weekend_days == ()


@pytest.mark.parametrize(
    ("field", "text", "message"),
    [
        ("country", "XX", "unknown country 'XX': expected an ISO 3166-1 alpha-2 code"),
        ("country", "Germany", "unknown country 'Germany'"),
        ("country", "DE-ZZ", "unknown subdivision 'ZZ' of DE (Germany): its subdivisions are"),
        ("weekend_days", "Sat,Funday", "unknown weekday 'Funday': expected weekday names"),
        ("business_hours", "9-17", "expected HH:MM-HH:MM, such as 08:00-18:00"),
        ("business_hours", "18:00-08:00", "the start must be before the end"),
        ("approval_limits", "10,000.00", "write each amount without thousands separators"),
        ("approval_limits", "0,5000", "approval limit must be a positive amount, got '0'"),
        ("approval_limits", "5k", "approval limit '5k' is not an amount"),
        ("materiality", "-5", "materiality must be a positive amount, got '-5'"),
    ],
)
def test_a_choice_that_cannot_be_used_is_refused_saying_what_is_accepted(field, text, message):
    with pytest.raises(ChoiceError, match=message.replace("(", r"\(").replace(")", r"\)")):
        Choices.parse(**{field: text})


def test_the_calendar_knows_countries_subdivisions_and_their_weekends():
    assert calendar_name("DE-BY") == "Germany (Bayern)" and calendar_place("US") == "the United States"
    assert usual_weekend("US") == (5, 6) and usual_weekend("SA") == (4, 5)


def test_configured_choices_come_from_the_environment_and_a_file_s_own_win(monkeypatch):
    monkeypatch.setenv("FINTRACE_COUNTRY", "br")
    monkeypatch.setenv("FINTRACE_APPROVAL_LIMITS", "5000,20000")
    monkeypatch.setenv("FINTRACE_MATERIALITY", "1000")
    monkeypatch.setenv("FINTRACE_BUSINESS_HOURS", "08:00-18:00")
    settings = get_settings()
    assert settings.country == "BR"
    configured = settings.analysis_options()
    assert configured == {
        "country": "BR",
        "business_hours_start": "08:00",
        "business_hours_end": "18:00",
        "approval_limits": [5000.0, 20000.0],
        "approval_limits_source": "company",
        "materiality": 1000.0,
    }
    own = {"country": "DE", **Choices.parse(approval_limits="9000").options(set_by="file")}
    options = options_for(AnomalyDetectionOptions, configured, own)
    assert (options.country, list(options.approval_limits), options.approval_limits_source) == ("DE", [9000.0], "file")
    assert (options.materiality, options.business_hours_end) == (1000.0, "18:00")
    monkeypatch.setenv("FINTRACE_COUNTRY", "Narnia")
    with pytest.raises(ValueError, match="FINTRACE_COUNTRY: unknown country 'Narnia'"):
        get_settings()
