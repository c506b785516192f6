"""Monetary unit sampling re-performed by hand on a population of seven lines."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from fintrace_pipeline.analytics.sampling import SamplingError, SamplingOptions, mus_sample, random_start

# Row 3 is zero (never selectable); row 2 is a credit, taken at its absolute amount. Total 2,300.
POPULATION = pd.DataFrame(
    {
        "row_number": [1, 2, 3, 4, 5, 6, 7],
        "posting_date": pd.to_datetime(["2024-01-05"] * 7),
        "amount": [100.0, -250.0, 0.0, 1200.0, 50.0, 400.0, 300.0],
        "vendor": ["A", "B", "C", "D", "E", "F", "G"],
    }
)


def test_a_sample_by_size_re_performed_by_hand():
    sample = mus_sample(POPULATION, SamplingOptions(size=4, seed=0))
    p = sample["parameters"]
    assert p["population_total"] == 2300.0 and p["sampling_interval"] == 575.0  # 2,300 / 4
    # default_rng(0).random() = 0.63696..., × 575 = 366.25
    assert p["random_start"] == round(np.random.default_rng(0).random() * 575, 2) == 366.25
    # 1,200 ≥ 575: top stratum. The rest in row order: 100 (cum 100), 250 (350), 50 (400), 400 (800),
    # 300 (1,100); points 366.25 and 941.25 fall in (350, 400] and (800, 1,100]: rows 5 and 7.
    assert [(i["row_number"], i["selection"], i["sampling_point"]) for i in sample["items"]] == [
        (4, "top stratum", None),
        (5, "sampling point", 366.25),
        (7, "sampling point", 941.25),
    ]
    assert [i["cumulative_before"] for i in sample["items"]] == [None, 350.0, 800.0]
    assert sample["items"][1]["vendor"] == "E" and sample["items"][1]["posting_date"] == "2024-01-05"
    assert sample["top_stratum"] == {"lines": 1, "total": 1200.0}
    assert sample["sampled_remainder"] == {"lines": 5, "total": 1100.0, "sampling_points": 2}
    assert sample["population"] == {"lines": 6, "total": 2300.0, "zero_lines_excluded": 1}
    assert "random start 366.25" in sample["reperform"] and "2,300.00 / sample size 4 = 575.00" in sample["reperform"]


def test_a_sample_from_confidence_and_tolerable_misstatement():
    sample = mus_sample(POPULATION, SamplingOptions(confidence=0.95, tolerable=600.0, seed=0))
    p = sample["parameters"]
    assert p["confidence_factor"] == round(-math.log(0.05), 4) == 2.9957
    assert p["sampling_interval"] == 200.28  # 600 / 2.9957
    # 250, 1,200, 400 and 300 are at least one interval; of 100 and 50 (total 150) the start 127.57
    # falls in the second's (100, 150].
    assert p["random_start"] == 127.57
    assert [(i["row_number"], i["selection"]) for i in sample["items"]] == [
        (2, "top stratum"),
        (4, "top stratum"),
        (5, "sampling point"),
        (6, "top stratum"),
        (7, "top stratum"),
    ]
    assert sample["items"][0]["amount"] == -250.0


def test_the_same_seed_gives_the_same_selection_and_another_seed_another_start():
    shuffled = POPULATION.sample(frac=1, random_state=1)
    assert mus_sample(shuffled, SamplingOptions(size=4, seed=0)) == mus_sample(
        POPULATION, SamplingOptions(size=4, seed=0)
    )
    other = mus_sample(POPULATION, SamplingOptions(size=4, seed=7))["parameters"]["random_start"]
    assert other == round(np.random.default_rng(7).random() * 575, 2) and other != 366.25
    assert 0 < random_start(123, 0.05) <= 0.05


def test_bad_parameters_are_refused_in_words():
    with pytest.raises(SamplingError, match="between 1 and 100,000"):
        SamplingOptions(size=0)
    with pytest.raises(SamplingError, match="not both"):
        SamplingOptions(size=5, confidence=0.95, tolerable=100.0)
    with pytest.raises(SamplingError, match="both a confidence"):
        SamplingOptions(confidence=0.95)
    with pytest.raises(SamplingError, match="between 0 and 1"):
        SamplingOptions(confidence=95, tolerable=100.0)
    with pytest.raises(SamplingError, match="positive amount"):
        SamplingOptions(confidence=0.9, tolerable=-1.0)
    with pytest.raises(SamplingError, match="no non-zero amounts"):
        mus_sample(POPULATION.assign(amount=0.0), SamplingOptions(size=2))
