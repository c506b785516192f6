"""Choosing which source column feeds each canonical column: the user's mapping first, then the
best-scoring headers (see ``header_rules``), checked and tie-broken by content (see ``column_profile``).

Every choice has a confidence; where a runner-up came close, the choice and the runner-up become a
warning, so an ambiguous mapping is never silent.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import pandas as pd

from fintrace_pipeline import canonical
from fintrace_pipeline.ingest.code_labels import code_labels
from fintrace_pipeline.ingest.column_profile import CONSTANT_MATTERS, MIN_INVOICE_SHARE, ColumnProfile
from fintrace_pipeline.ingest.errors import IngestError
from fintrace_pipeline.ingest.header_rules import RULES, score_header
from fintrace_pipeline.ingest.time_columns import time_columns

REQUIRED_MIN = 0.25  # a required column takes a weaker header than an optional one
OPTIONAL_MIN = 0.35
CLOSE = 0.1  # a runner-up this near is reported
TIE_WEIGHT = 0.1  # how much the content's preference can move a header score
CONSTANT_PENALTY = 0.3
INVOICE_LIKE = 0.2  # a reference column whose values name invoices moves this far towards invoice_number
AMOUNT_FIRST = 0.6  # a signed amount column this credible is used even beside a debit/credit pair
SIDES = ("debit", "credit")
REQUIRED = ("posting_date", "amount", *SIDES)
STRONG_HEADER = 0.7
LOW_CONFIDENCE = 0.5  # a required column chosen below this is reported
BY_USER, BY_HEADER, BY_CONTENT = "user", "header", "content"


@dataclass(frozen=True)
class Candidate:
    canonical: str
    header: str
    header_score: float
    score: float  # the header score moved by the content: what choices are made on
    confidence: float  # the header score times the share of values that fit
    content_agrees: bool = True


@dataclass(frozen=True)
class Choice:
    header: str
    confidence: float
    decided_by: str  # BY_USER, BY_HEADER or BY_CONTENT
    runner_up: Candidate | None = None


@dataclass
class MappingProposal:
    headers: list[str]
    choices: dict[str, Choice]
    warnings: list[str] = field(default_factory=list)
    # Other columns that hold posting dates, best first: where the posting date is a placeholder.
    other_dates: list[str] = field(default_factory=list)
    # Canonical date name -> the separate time-of-day column read with it.
    time_columns: dict[str, str] = field(default_factory=dict)

    @property
    def mapping(self) -> dict[str, str]:
        return {name: choice.header for name, choice in self.choices.items()}

    @property
    def unmapped(self) -> list[str]:
        used = {choice.header for choice in self.choices.values()} | set(self.time_columns.values())
        return [h for h in self.headers if h not in used]

    @property
    def missing(self) -> list[str]:
        """The required columns no source column feeds."""
        missing = [] if "posting_date" in self.choices else ["posting_date"]
        if not {"amount", *SIDES} & set(self.choices):
            missing.append("amount")
        return missing

    def details(self) -> dict[str, dict]:
        """Per canonical column: the source column, confidence, how it was decided, the close runner-up."""
        out = {}
        for name, choice in self.choices.items():
            runner = choice.runner_up
            out[name] = {
                "column": choice.header,
                "confidence": choice.confidence,
                "decided_by": choice.decided_by,
                "runner_up": {"column": runner.header, "confidence": runner.confidence} if runner else None,
            }
            if name in self.time_columns:
                out[name]["time_column"] = self.time_columns[name]
        return out


def propose_mapping(
    headers: Sequence[str], sample: pd.DataFrame | None = None, user_mapping: dict[str, str] | None = None
) -> MappingProposal:
    """The mapping for a table with these headers; ``sample`` holds some of its cleaned cells (empty
    and placeholder cells as NA). Without a sample the choice rests on the headers alone."""
    headers = list(headers)
    fixed = _user_choices(headers, user_mapping)
    closed = set(fixed)
    if "amount" in fixed:
        closed |= set(SIDES)
    if closed & set(SIDES):
        closed.add("amount")
    closed |= left_unmapped(user_mapping)
    profiles = {h: ColumnProfile(sample[h]) for h in headers} if sample is not None else None
    used = {choice.header for choice in fixed.values()}
    candidates = _candidates(headers, profiles, closed, used)
    warnings: list[str] = []
    chosen = _choose(candidates, closed, used, warnings)
    _warn_about_passed_over(candidates, chosen, warnings)
    if "amount" not in chosen and "amount" not in fixed:
        chosen.pop("debit_credit_indicator", None)
    choices = dict(fixed)
    taken = used | {c.header for c in chosen.values()}
    for name, pick in chosen.items():
        choices[name] = _with_runner_up(pick, candidates[name], taken, warnings)
    ordered = {name: choices[name] for name in canonical.MAPPABLE if name in choices}
    posting = ordered.get("posting_date")
    other_dates = [
        c.header
        for c in candidates["posting_date"]
        if c.content_agrees and profiles is not None and posting is not None and c.header != posting.header
    ]
    times = time_columns(headers, {name: choice.header for name, choice in ordered.items()}, sample)
    return MappingProposal(
        headers=headers, choices=ordered, warnings=warnings, other_dates=other_dates, time_columns=times
    )


def guess_column_mapping(headers: Sequence[str]) -> dict[str, str]:
    """Canonical name -> source header, from the header text alone (``label`` is never guessed)."""
    return propose_mapping(headers).mapping


def _candidates(
    headers: list[str], profiles: dict[str, ColumnProfile] | None, closed: set[str], used: set[str]
) -> dict[str, list[Candidate]]:
    """Every header that reads as each canonical column, best first (those the content agrees with first)."""
    candidates: dict[str, list[Candidate]] = {name: [] for name in RULES}
    # The names of a code column's values describe the code, not the transaction.
    names_of_codes = code_labels(headers, {h: p.present for h, p in profiles.items()}) if profiles else set()
    for name in RULES:
        if name in closed:
            continue
        for header in headers:
            if header in used:
                continue
            scored = score_header(name, header)
            if scored is None or scored.score < REQUIRED_MIN:
                continue
            if profiles is None:
                candidates[name].append(Candidate(name, header, scored.score, scored.score, scored.score))
                continue
            profile = profiles[header]
            if name == "description" and header in names_of_codes:
                continue
            if not profile.passes(name, scored.needs):
                if name in REQUIRED and scored.needs is None:
                    # Kept as a last resort: the rows are then rejected with their values shown.
                    fit = round(scored.score * profile.fit(name), 2)
                    candidates[name].append(Candidate(name, header, scored.score, scored.score, fit, False))
                continue
            penalty = CONSTANT_PENALTY if name in CONSTANT_MATTERS and profile.is_constant() else 0.0
            score = scored.score + TIE_WEIGHT * profile.preference(name) - penalty
            confidence = max(0.0, scored.score - penalty) * profile.fit(name)
            candidates[name].append(Candidate(name, header, scored.score, round(score, 4), round(confidence, 2)))
    if profiles is not None:
        _move_invoice_references(candidates, profiles, closed)
    for found in candidates.values():
        found.sort(key=lambda c: (not c.content_agrees, -c.score, -c.header_score))
    return candidates


def _move_invoice_references(
    candidates: dict[str, list[Candidate]], profiles: dict[str, ColumnProfile], closed: set[str]
) -> None:
    """A reference column whose values mostly name invoices ("CRINV0000021") is an invoice number."""
    if "invoice_number" in closed:
        return
    for i, candidate in enumerate(candidates["transaction_id"]):
        if profiles[candidate.header].invoice_share < MIN_INVOICE_SHARE:
            continue
        candidates["transaction_id"][i] = _moved(candidate, -INVOICE_LIKE)
        moved = _moved(candidate, INVOICE_LIKE, canonical="invoice_number")
        existing = [c for c in candidates["invoice_number"] if c.header == candidate.header]
        if not existing or existing[0].score < moved.score:
            candidates["invoice_number"] = [c for c in candidates["invoice_number"] if c.header != candidate.header]
            candidates["invoice_number"].append(moved)


def _moved(candidate: Candidate, delta: float, **changes) -> Candidate:
    confidence = round(max(0.0, min(1.0, candidate.confidence + delta)), 2)
    return replace(candidate, score=round(candidate.score + delta, 4), confidence=confidence, **changes)


def _choose(
    candidates: dict[str, list[Candidate]], closed: set[str], used: set[str], warnings: list[str]
) -> dict[str, Candidate]:
    """Required columns first (they may take a weaker header), then the rest best-first."""
    taken = set(used)
    chosen: dict[str, Candidate] = {}

    def best(name: str, minimum: float, exclude: set[str] = frozenset()) -> Candidate | None:
        return next((c for c in candidates[name] if c.header not in taken | exclude and _reaches(c, minimum)), None)

    def take(candidate: Candidate | None) -> None:
        if candidate is not None:
            chosen[candidate.canonical] = candidate
            taken.add(candidate.header)
            if not candidate.content_agrees:
                warnings.append(
                    f"{candidate.canonical}: {candidate.header!r} was used although most of its values are not "
                    f"{_kind(candidate.canonical)}; no other column fits better"
                )

    if "posting_date" not in closed:
        take(best("posting_date", REQUIRED_MIN))
    if not {"amount", *SIDES} <= closed:
        _choose_amount(best, take, closed)
    remaining = sorted(
        (c for name, found in candidates.items() if name not in chosen and name not in closed for c in found),
        key=lambda c: (-c.score, -c.header_score),
    )
    for candidate in remaining:
        if candidate.canonical in REQUIRED or candidate.canonical in chosen or not candidate.content_agrees:
            continue
        if candidate.header not in taken and _reaches(candidate, OPTIONAL_MIN):
            take(candidate)
    return chosen


def _reaches(candidate: Candidate, minimum: float) -> bool:
    # The content may break ties and push a candidate down, but not lift a weak header over the bar.
    return min(candidate.header_score, candidate.score) >= minimum


def _choose_amount(best, take, closed: set[str]) -> None:
    """One signed amount column, or a debit/credit pair: whichever reads better."""
    amount = None if "amount" in closed else best("amount", REQUIRED_MIN)
    debit = None if "debit" in closed else best("debit", REQUIRED_MIN)
    credit = None if "credit" in closed else best("credit", REQUIRED_MIN, {debit.header} if debit else set())
    sides = [s for s in (debit, credit) if s is not None]
    side_score = sum(s.score for s in sides) / len(sides) - (0.2 if len(sides) == 1 else 0.0) if sides else -1.0
    if amount is not None and not amount.content_agrees and any(s.content_agrees for s in sides):
        amount = None
    if amount is not None and (amount.score >= AMOUNT_FIRST or amount.score >= side_score):
        take(amount)
    else:
        for side in sides:
            take(side)


def _warn_about_passed_over(
    candidates: dict[str, list[Candidate]], chosen: dict[str, Candidate], warnings: list[str]
) -> None:
    """A header that plainly names a required column, passed over because its values do not fit;
    a required column read from a header that names it only weakly."""
    for name, pick in chosen.items():
        if name in REQUIRED and pick.content_agrees and pick.confidence < LOW_CONFIDENCE:
            warnings.append(
                f"{name}: {pick.header!r} was the best candidate but reads as {name} only weakly "
                f"(confidence {pick.confidence:.2f})"
            )
    for name in ("posting_date", "amount"):
        for candidate in candidates[name]:
            if not candidate.content_agrees and candidate.header_score >= STRONG_HEADER and name in chosen:
                if chosen[name].header != candidate.header:
                    warnings.append(
                        f"{candidate.header!r} reads like {name} but its values do not ({_kind(name)} expected)"
                    )


def _with_runner_up(pick: Candidate, found: list[Candidate], taken: set[str], warnings: list[str]) -> Choice:
    others = [c for c in found if c.header != pick.header and c.header not in taken]
    runner = others[0] if others else None
    # The header decided when no other candidate's header reads as well; otherwise the content did.
    headers_alone = all(c.header_score < pick.header_score for c in found if c.header != pick.header)
    decided_by = BY_HEADER if headers_alone else BY_CONTENT
    if runner is not None and round(pick.score - runner.score, 4) < CLOSE:
        warnings.append(
            f"{pick.canonical}: chose {pick.header!r} (confidence {pick.confidence:.2f}) over {runner.header!r} "
            f"({runner.confidence:.2f}); pass a mapping to use the other"
        )
        return Choice(pick.header, pick.confidence, decided_by, runner)
    return Choice(pick.header, pick.confidence, decided_by)


def left_unmapped(user_mapping: dict[str, str] | None) -> set[str]:
    """The canonical columns the user names with a blank source: no column feeds them, none is guessed."""
    return {target for target, source in (user_mapping or {}).items() if not source.strip()}


def _user_choices(headers: list[str], user_mapping: dict[str, str] | None) -> dict[str, Choice]:
    """The user's entries, each matched to a header (ignoring case and spacing)."""
    user_mapping = dict(user_mapping or {})
    unknown = sorted(set(user_mapping) - set(canonical.MAPPABLE))
    if unknown:
        raise IngestError(
            f"the column mapping names unknown target column(s) {', '.join(unknown)}; "
            f"allowed: {', '.join(canonical.MAPPABLE)}"
        )
    by_loose_name = {loose(h): h for h in headers}
    choices = {}
    for target, source in user_mapping.items():
        if not source.strip():
            continue  # left unmapped on purpose (see left_unmapped)
        header = source if source in headers else by_loose_name.get(loose(source))
        if header is None:
            shown = ", ".join(repr(h) for h in headers[:30]) + (
                f", ... ({len(headers)} in all)" if len(headers) > 30 else ""
            )
            raise IngestError(
                f"the column mapping names the header {source!r} for {target}, but the file has no such "
                f"column (headers: {shown})"
            )
        choices[target] = Choice(header, 1.0, BY_USER)
    return choices


def loose(header: str) -> str:
    return re.sub(r"\s+", " ", str(header).strip().lower())


def _kind(name: str) -> str:
    return "dates" if name.endswith("date") else "amounts"
