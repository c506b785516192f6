"""Matching source headers to canonical column names, and finding the header row of a table."""

from __future__ import annotations

import re
from collections.abc import Sequence

from fintrace_pipeline import canonical
from fintrace_pipeline.ingest.errors import IngestError

# Normalised synonyms per canonical column (see ``normalize_header``). Exact matches are tried first.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "posting_date": (
        "posting date",
        "post date",
        "posted date",
        "date posted",
        "gl date",
        "gl posting date",
        "date",
        "transaction date",
        "txn date",
        "trans date",
        "accounting date",
        "effective date",
        "value date",
        "booking date",
        "book date",
        "journal date",
        "je date",
        "document date",
        "doc date",
        "period date",
        "posted on",
    ),
    "entry_date": (
        "entry date",
        "created on",
        "created date",
        "creation date",
        "date created",
        "created at",
        "entered date",
        "entered on",
        "date entered",
        "input date",
        "entry datetime",
        "entry timestamp",
        "entry time",
        "keyed date",
        "system date",
        "timestamp",
        "created",
        "record date",
    ),
    "amount": (
        "amount",
        "amt",
        "value",
        "net amount",
        "transaction amount",
        "txn amount",
        "total amount",
        "line amount",
        "signed amount",
        "local amount",
        "amount local",
        "base amount",
        "functional amount",
        "reporting amount",
        "net",
        "net value",
        "amount lc",
        "amount dc",
    ),
    "debit": ("debit", "debits", "dr", "debit amount", "dr amount", "debit value", "debit lc"),
    "credit": ("credit", "credits", "cr", "credit amount", "cr amount", "credit value", "credit lc"),
    "transaction_id": (
        "transaction id",
        "txn id",
        "trans id",
        "transaction number",
        "transaction ref",
        "transaction reference",
        "line id",
        "entry id",
        "record id",
        "id",
        "unique id",
        "row id",
    ),
    "je_number": (
        "je number",
        "je",
        "je id",
        "journal id",
        "journal number",
        "journal",
        "journal entry",
        "journal entry number",
        "journal entry id",
        "journal ref",
        "doc number",
        "document number",
        "document id",
        "document",
        "voucher",
        "voucher number",
        "voucher id",
        "entry number",
        "gl journal",
        "batch number",
    ),
    "account": (
        "gl account",
        "account",
        "account number",
        "account code",
        "account id",
        "gl account number",
        "gl account code",
        "gl code",
        "gl",
        "gl acct",
        "acct",
        "acct number",
        "acct code",
        "natural account",
        "ledger account",
        "nominal code",
        "nominal account",
        "account key",
    ),
    "account_name": (
        "account name",
        "account description",
        "gl account name",
        "gl account description",
        "account title",
        "acct name",
        "gl name",
        "nominal name",
        "account desc",
    ),
    "user": (
        "entered by",
        "posted by",
        "created by",
        "user",
        "user id",
        "username",
        "user name",
        "preparer",
        "prepared by",
        "input by",
        "keyed by",
        "entry user",
        "posted user",
        "created user",
        "employee",
        "booked by",
        "maker",
        "originator",
    ),
    "approver": (
        "approved by",
        "approver",
        "approver id",
        "approver name",
        "authorised by",
        "authorized by",
        "authoriser",
        "authorizer",
        "reviewer",
        "reviewed by",
        "checker",
        "released by",
    ),
    "vendor": (
        "vendor",
        "vendor name",
        "supplier",
        "supplier name",
        "payee",
        "payee name",
        "counterparty",
        "counterparty name",
        "vendor id",
        "supplier id",
        "beneficiary",
        "merchant",
        "creditor",
    ),
    "invoice_number": (
        "invoice number",
        "invoice",
        "invoice id",
        "invoice ref",
        "invoice reference",
        "inv number",
        "inv",
        "bill number",
        "vendor invoice number",
        "supplier invoice number",
    ),
    "description": (
        "description",
        "memo",
        "narrative",
        "narration",
        "line description",
        "line memo",
        "details",
        "text",
        "line text",
        "comment",
        "comments",
        "remarks",
        "explanation",
        "particulars",
        "desc",
        "je description",
        "journal description",
        "transaction description",
        "header description",
    ),
    "cost_center": (
        "cost center",
        "cost center code",
        "cost center id",
        "department",
        "dept",
        "department code",
        "cc",
        "profit center",
        "division",
        "business unit",
        "bu",
    ),
    "currency": ("currency", "currency code", "ccy", "curr", "cur", "transaction currency"),
    "source": ("source", "source system", "journal source", "je source", "source code", "module", "origin"),
}

# Looser patterns for headers no synonym matched, tried in this order on the normalised header.
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("entry_date", re.compile(r"\b(created|entered|entry|input)\b.*\b(date|time|on|at)\b")),
    ("posting_date", re.compile(r"\b(post\w*|gl|transaction|accounting|effective)\b.*\bdate\b")),
    ("amount", re.compile(r"\bamount\b")),
    ("account_name", re.compile(r"\b(account|acct)\b.*\b(name|description|title)\b")),
    ("account", re.compile(r"\b(account|acct)\b")),
    ("je_number", re.compile(r"\b(journal|je)\b")),
    ("invoice_number", re.compile(r"\binvoice\b")),
    ("vendor", re.compile(r"\b(vendor|supplier|payee)\b")),
    ("approver", re.compile(r"\bapprov")),
    ("user", re.compile(r"\b(entered|posted|created|prepared) by\b")),
    ("cost_center", re.compile(r"\b(cost center|department)\b")),
    ("description", re.compile(r"\b(description|memo|narrative)\b")),
)

_CURRENCY_CODES = {"usd", "eur", "gbp", "chf", "jpy", "cad", "aud", "nzd", "sek", "nok", "dkk", "inr", "cny"}
_NUMBER_WORDS = {"no", "num", "nbr", "nr", "#"}
_SPELLINGS = {"centre": "center", "authorised": "authorized"}


def normalize_header(header: str) -> str:
    """Lower-case words only: "Invoice #" -> "invoice number", "Amount (USD)" -> "amount"."""
    # camelCase and PascalCase headers ("PostingDate") split into words before lower-casing.
    text = re.sub(r"([a-z])([A-Z])", r"\1 \2", str(header).strip())
    text = text.lower().replace("#", " # ").replace("&", " and ")
    words = [w for w in re.split(r"[^a-z0-9#]+", text) if w]
    words = ["number" if w in _NUMBER_WORDS else _SPELLINGS.get(w, w) for w in words]
    # A trailing currency code qualifies the amount ("Amount (USD)"); it is not part of the name.
    if len(words) > 1 and words[-1] in _CURRENCY_CODES:
        words = words[:-1]
    return " ".join(words)


def guess_column_mapping(headers: list[str]) -> dict[str, str]:
    """Canonical name -> source header, guessed from the header text alone (``label`` is never guessed).

    Each source header feeds at most one canonical column. A signed amount column wins over a
    debit/credit pair; the pair is only mapped when no amount column exists.
    """
    normalised = {h: normalize_header(h) for h in headers if h is not None and str(h).strip()}
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for canonical_name, synonyms in SYNONYMS.items():
        for synonym in synonyms:  # synonyms are in order of preference
            match = next((h for h, n in normalised.items() if n == synonym and h not in used), None)
            if match is not None:
                mapping[canonical_name] = match
                used.add(match)
                break
    for header, norm in normalised.items():
        if header in used:
            continue
        for canonical_name, pattern in _PATTERNS:
            if canonical_name not in mapping and pattern.search(norm):
                mapping[canonical_name] = header
                used.add(header)
                break
    if "amount" in mapping:
        mapping.pop("debit", None)
        mapping.pop("credit", None)
    return mapping


def resolve_mapping(headers: Sequence[str], user_mapping: dict[str, str] | None) -> dict[str, str]:
    """The guessed mapping with the user's entries laid over it.

    A user entry wins over the guess for its canonical column and takes its source header away from
    any guessed column. Mapping ``amount`` drops a guessed debit/credit pair and vice versa.
    """
    user_mapping = dict(user_mapping or {})
    unknown = sorted(set(user_mapping) - set(canonical.MAPPABLE))
    if unknown:
        raise IngestError(
            f"the column mapping names unknown target column(s) {', '.join(unknown)}; "
            f"allowed: {', '.join(canonical.MAPPABLE)}"
        )
    by_loose_name = {_loose(h): h for h in headers}
    resolved_user: dict[str, str] = {}
    for target, source in user_mapping.items():
        if source in headers:
            resolved_user[target] = source
        elif _loose(source) in by_loose_name:
            resolved_user[target] = by_loose_name[_loose(source)]
        else:
            raise IngestError(
                f"the column mapping names the header {source!r} for {target}, but the file has no such "
                f"column (headers: {describe_headers(headers)})"
            )
    guessed = guess_column_mapping(list(headers))
    taken = set(resolved_user.values())
    mapping = {k: v for k, v in guessed.items() if k not in resolved_user and v not in taken}
    if "amount" in resolved_user:
        mapping.pop("debit", None)
        mapping.pop("credit", None)
    if {"debit", "credit"} & set(resolved_user):
        mapping.pop("amount", None)
    mapping.update(resolved_user)
    return mapping


def has_required_columns(mapping: dict[str, str]) -> bool:
    return "posting_date" in mapping and ("amount" in mapping or "debit" in mapping or "credit" in mapping)


def find_header_row(rows: Sequence[Sequence[str]], user_mapping: dict[str, str] | None = None) -> int | None:
    """Index of the first row that reads as the table's header, or None.

    A header row maps a posting date and an amount (or debit/credit), or holds every header the
    user's mapping names. Title rows above it ("General Ledger FY2024", blank rows) are passed over.
    """
    wanted = {_loose(h) for h in (user_mapping or {}).values()}
    for index, row in enumerate(rows):
        cells = [str(c).strip() for c in row if c is not None and str(c).strip()]
        if len(cells) < 2:
            continue
        if wanted and wanted <= {_loose(c) for c in cells}:
            return index
        if has_required_columns(guess_column_mapping(cells)):
            return index
    return None


def unique_headers(cells: Sequence[str]) -> list[str]:
    """Header names that can key a dict: blanks become "column N", repeats get " (2)", " (3)"..."""
    headers: list[str] = []
    seen: set[str] = set()
    for position, cell in enumerate(cells, start=1):
        name = str(cell).strip() if cell is not None else ""
        name = name or f"column {position}"
        candidate, copy = name, 1
        while candidate in seen:
            copy += 1
            candidate = f"{name} ({copy})"
        seen.add(candidate)
        headers.append(candidate)
    return headers


def describe_headers(headers: Sequence[str]) -> str:
    shown = ", ".join(repr(h) for h in list(headers)[:30])
    return shown + (f", ... ({len(headers)} in all)" if len(headers) > 30 else "")


def _loose(header: str) -> str:
    return re.sub(r"\s+", " ", str(header).strip().lower())
