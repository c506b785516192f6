"""A source's reference lists as the checks read them: each list's version and its entries, with the
names, addresses, bank accounts and tax ids normalised so differently written values compare equal."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from fintrace_pipeline.analytics.duplicates.normalize import fold_accents, normalize_vendor

# The fields of an entry (every list has them all; those its file lacks are empty).
ENTRY_FIELDS = ("name", "id", "address", "bank_account", "tax_id", "added_date")
# The compared fields of an entry and their normalised columns.
NORMALIZED = {
    "name": "name_normalized",
    "address": "address_normalized",
    "bank_account": "bank_account_normalized",
    "tax_id": "tax_id_normalized",
}
# Street words written in full or abbreviated ("High Street" == "High St.").
_STREET_WORDS = {
    "STREET": "ST",
    "ROAD": "RD",
    "AVENUE": "AVE",
    "BOULEVARD": "BLVD",
    "DRIVE": "DR",
    "LANE": "LN",
    "PLACE": "PL",
    "SQUARE": "SQ",
}


@dataclass(frozen=True)
class ReferenceList:
    kind: str  # "vendor_master" or "employees"
    version: int
    file_name: str
    entries: pd.DataFrame  # the list's columns (name, id, address, ...) with their normalised forms


@dataclass(frozen=True)
class ReferenceLists:
    """The newest vendor master and employee list of a source; either may be missing."""

    source: str
    vendor_master: ReferenceList | None = None
    employees: ReferenceList | None = None

    @property
    def empty(self) -> bool:
        return self.vendor_master is None and self.employees is None


def normalized_entries(entries: pd.DataFrame) -> pd.DataFrame:
    """``entries`` with a normalised column beside each compared field it has (NA where the value is)."""
    out = entries.reset_index(drop=True)
    for field in ENTRY_FIELDS:
        if field not in out.columns:
            out[field] = pd.Series(pd.NaT if field == "added_date" else pd.NA, index=out.index)
    out = out.astype({f: "string" for f in ENTRY_FIELDS if f != "added_date"})
    out["added_date"] = pd.to_datetime(out["added_date"])
    for field, column in NORMALIZED.items():
        text = out[field].astype("string").str.strip()
        text = text.mask(text == "")
        out[column] = _NORMALIZERS[field](text).mask(text.isna()).astype("string")
    return out


def normalize_name(values: pd.Series) -> pd.Series:
    """Names as the duplicate tests compare vendors: case, accents, punctuation and legal forms ignored."""
    return normalize_vendor(values.fillna(""))


def normalize_address(values: pd.Series) -> pd.Series:
    """ "12 High Street," and "12 high st" -> "12 HIGH ST": case, accents, punctuation, street words."""
    text = fold_accents(values.fillna("").str.replace(r"[ßẞ]", "ss", regex=True)).str.upper()
    text = text.str.replace(r"[^0-9A-Z]+", " ", regex=True).str.strip()
    words = text.str.split(" ")
    text = words.map(lambda parts: " ".join(_STREET_WORDS.get(p, p) for p in parts)).astype("string")
    return text.str.replace(r"STRASSE\b", "STR", regex=True)  # "Lindenstrasse" == "Lindenstr."


def normalize_account(values: pd.Series) -> pd.Series:
    """ "GB29 NWBK 6016 1331 9268 19" -> "GB29NWBK60161331926819": letters and digits only."""
    return values.fillna("").str.upper().str.replace(r"[^0-9A-Z]+", "", regex=True)


def normalize_tax_id(values: pd.Series) -> pd.Series:
    """ "DE 811 234 567" and "811234567" -> "811234567": a leading country code is no part of the number."""
    return normalize_account(values).str.replace(r"^[A-Z]{2}(?=[0-9])", "", regex=True)


_NORMALIZERS = {
    "name": normalize_name,
    "address": normalize_address,
    "bank_account": normalize_account,
    "tax_id": normalize_tax_id,
}
