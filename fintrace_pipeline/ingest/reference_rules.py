"""How well a header reads as each column of a reference list (a vendor master or an employee list),
scored by the same lexicon and readings as the transaction columns (see ``header_rules``)."""

from __future__ import annotations

from fintrace_pipeline.ingest.header_rules import NOT_MONEY, HeaderScore, Rule, _rule, score_terms
from fintrace_pipeline.ingest.header_terms import header_terms
from fintrace_pipeline.ingest.lexicon import (
    ACCOUNT,
    ADDRESS,
    BANK,
    CODE,
    COMPANY,
    CREATE,
    CUSTOMER,
    DATE,
    DESCRIPTION,
    EMPLOYEE,
    ID,
    KIND,
    MODIFY,
    NAME,
    NUMBER,
    ON,
    PARTNER,
    REFERENCE,
    START,
    STATUS,
    TAX,
    USER,
    VENDOR,
)

# The canonical columns of a reference list: who (name, their number in the list), where (address),
# how they are paid (bank account or IBAN), their tax or company registration number, and when a
# vendor was added to the master.
REFERENCE_COLUMNS = ("name", "id", "address", "bank_account", "tax_id", "added_date")
REQUIRED_REFERENCE_COLUMNS = ("name",)
# What each column is, in a person's words (for messages).
DESCRIBED = {
    "name": "a name",
    "id": "an id or number",
    "address": "an address",
    "bank_account": "a bank account or IBAN",
    "tax_id": "a tax id",
    "added_date": "a date added",
}
WHO = {VENDOR: 0.0, EMPLOYEE: 0.0, CUSTOMER: -0.2, PARTNER: 0.0, USER: -0.1, COMPANY: 0.0}
NOT_PAYMENT_DETAILS = {BANK: -0.5, ACCOUNT: -0.4, TAX: -0.5, ADDRESS: -0.5}

REFERENCE_RULES: dict[str, Rule] = {
    "name": _rule(
        [
            ({NAME}, 0.7),
            ({VENDOR}, 0.75),
            ({EMPLOYEE}, 0.6),
            ({PARTNER}, 0.55),
            ({NAME, VENDOR}, 0.95),
            ({NAME, EMPLOYEE}, 0.95),
            ({NAME, COMPANY}, 0.9),
        ],
        NOT_MONEY,
        WHO,
        NOT_PAYMENT_DETAILS,
        {ID: -0.5, NUMBER: -0.5, CODE: -0.4, REFERENCE: -0.4, DATE: -0.6, KIND: -0.4, STATUS: -0.5},
        {DESCRIPTION: -0.3},
    ),
    "id": _rule(
        [
            ({ID}, 0.7),
            ({NUMBER}, 0.55),
            ({CODE}, 0.5),
            ({VENDOR}, 0.4),
            ({ID, VENDOR}, 0.9),
            ({NUMBER, VENDOR}, 0.9),
            ({CODE, VENDOR}, 0.85),
            ({ID, EMPLOYEE}, 0.9),
            ({NUMBER, EMPLOYEE}, 0.9),
        ],
        NOT_MONEY,
        WHO,
        NOT_PAYMENT_DETAILS,
        {NAME: -0.6, DATE: -0.6, REFERENCE: 0.0, KIND: -0.4, STATUS: -0.5},
    ),
    "address": _rule(
        [({ADDRESS}, 0.85)],
        NOT_MONEY,
        WHO,
        {BANK: -0.5, TAX: -0.5, NAME: -0.1, ID: -0.4, NUMBER: -0.2, DATE: -0.6},
    ),
    "bank_account": _rule(
        [({BANK}, 0.8), ({BANK, ACCOUNT}, 0.95), ({BANK, NUMBER}, 0.8), ({BANK, ACCOUNT, NUMBER}, 0.95)],
        NOT_MONEY,
        WHO,
        {NAME: -0.5, ADDRESS: -0.5, TAX: -0.5, DATE: -0.6, ID: 0.0, CODE: -0.2},
    ),
    "tax_id": _rule(
        [({TAX, ID}, 0.95), ({TAX, NUMBER}, 0.9), ({TAX, CODE}, 0.8), ({TAX, ID, NUMBER}, 0.95), ({TAX}, 0.5)],
        NOT_MONEY,
        WHO,
        {NAME: -0.5, ADDRESS: -0.5, BANK: -0.5, DATE: -0.6, ACCOUNT: -0.3},
    ),
    "added_date": _rule(
        [({DATE, CREATE}, 0.9), ({ON, CREATE}, 0.85), ({CREATE}, 0.6), ({DATE, START}, 0.6), ({DATE}, 0.4)],
        WHO,
        {MODIFY: -0.6, NAME: -0.5, ID: -0.4, NUMBER: -0.4, ADDRESS: -0.5, BANK: -0.5, TAX: -0.5},
    ),
}


def score_reference_header(canonical: str, header: str) -> HeaderScore | None:
    """How well ``header`` reads as reference-list column ``canonical``, or None when no reading fits."""
    return score_terms(REFERENCE_RULES[canonical], header_terms(header))
