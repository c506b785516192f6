from __future__ import annotations

import numpy as np
import pandas as pd

from fintrace_pipeline.analytics.duplicates.normalize import edit_distances_within, normalize_invoice, normalize_vendor


def test_normalize_invoice_ignores_case_spacing_punctuation_and_leading_zeros():
    values = pd.Series(["INV-0042", "inv 42", "INV42", "0042", "B/2025/0123", "B/2025/123", "INV-0", "--"])
    assert normalize_invoice(values).tolist() == ["INV42", "INV42", "INV42", "42", "B2025123", "B2025123", "INV0", "--"]
    assert normalize_invoice(values, drop_alpha_prefix=True).tolist()[:4] == ["42", "42", "42", "42"]


def test_normalize_vendor_drops_case_punctuation_and_legal_forms():
    values = pd.Series(
        [
            "Acme Supplies, Ltd.",
            "ACME SUPPLIES LIMITED",
            "The Acme Supplies Inc",
            "Acme L.L.C.",
            "Smith & Co",
            "Café Nero GmbH",
            "Inc",
        ]
    )
    assert normalize_vendor(values).tolist() == [
        "ACME SUPPLIES",
        "ACME SUPPLIES",
        "ACME SUPPLIES",
        "ACME",
        "SMITH",
        "CAFE NERO",
        "INC",
    ]


def test_edit_distances_are_exact_up_to_the_limit():
    left = np.array(["KITTEN", "FLAW", "ACME SUPPLIES", "ABC", "", "SAME"], dtype=object)
    right = np.array(["SITTING", "LAWN", "ACME SUPLIES", "XYZABC", "AB", "SAME"], dtype=object)
    assert edit_distances_within(left, right, 3).tolist() == [3, 2, 1, 3, 2, 0]
    # Beyond the limit the distance is reported as limit + 1.
    assert edit_distances_within(left, right, 1).tolist() == [2, 2, 1, 2, 2, 0]
