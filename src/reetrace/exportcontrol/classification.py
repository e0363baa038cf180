"""Classification of a product on a date against the control list (pure, no ORM).

Control depends on form and composition, never on the customs code alone: all
rare-earth magnets share 8505111000 whether or not they contain Dy or Tb, so the
declared code is only compared with the entry's reference codes as a note.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from reetrace.core.errors import ErrorCode, ReetraceError
from reetrace.exportcontrol.control_list import (
    CONTROL_FORMS,
    Announcement,
    ControlList,
    Entry,
    control_list,
)

__all__ = ["Classification", "Match", "classify", "composition_arg", "form_label"]

_FORM_LABELS = {
    "metal": "metal",
    "alloy": "alloy",
    "target": "sputtering target",
    "oxide": "oxide",
    "mixed_compound": "compound/mixture",
    "sintered_ndfeb": "sintered NdFeB",
    "bonded_ndfeb": "bonded NdFeB",
    "smco": "SmCo magnet",
}


def form_label(form: str) -> str:
    return _FORM_LABELS.get(form, form)


@dataclass(frozen=True)
class Match:
    entry: Entry
    element: str
    fraction: Decimal
    status: str  # "in force" or "suspended by ... until ..."
    reason: str

    @property
    def code(self) -> str:
        return self.entry.code

    def as_dict(self) -> dict:
        return {
            "code": self.entry.code,
            "announcement": self.entry.announcement,
            "element": self.element,
            "wt_pct": str(_pct(self.fraction)),
            "threshold_wt_pct": str(self.entry.threshold_wt_pct),
            "threshold_status": self.entry.threshold_status,
            "entry_status": self.entry.status,
            "status": self.status,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class Classification:
    on_date: date
    form: str
    licence_required: bool
    matches: list[Match] = field(default_factory=list)
    suspended_matches: list[Match] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    pending_matches: list[Match] = field(default_factory=list)
    decided_by: list[str] = field(default_factory=list)
    data_as_of: date | None = None

    @property
    def codes(self) -> list[str]:
        return [m.code for m in self.matches]

    def as_dict(self) -> dict:
        return {
            "on_date": self.on_date.isoformat(),
            "form": self.form,
            "licence_required": self.licence_required,
            "matches": [m.as_dict() for m in self.matches],
            "suspended_matches": [m.as_dict() for m in self.suspended_matches],
            "pending_matches": [m.as_dict() for m in self.pending_matches],
            "decided_by": list(self.decided_by),
            "data_as_of": self.data_as_of.isoformat() if self.data_as_of else None,
            "notes": list(self.notes),
        }


def _pct(fraction: Decimal) -> Decimal:
    return (fraction * 100).quantize(Decimal("0.01"))


def _reason(form: str, entry: Entry, element: str, fraction: Decimal, status: str) -> str:
    threshold = entry.threshold_wt_pct.quantize(Decimal("0.01"))
    unconfirmed = " (threshold UNCONFIRMED)" if entry.threshold_status == "UNCONFIRMED" else ""
    return (
        f"{form_label(form)}, {element} {_pct(fraction)} wt% >= {threshold} wt% threshold"
        f"{unconfirmed} -> {entry.code}, Announcement {entry.announcement}, {status}"
    )


NOT_YET = "not yet in force"


def _status(listing: ControlList, announcement: Announcement, on: date) -> str:
    """'in force', 'suspended ...', or 'not yet in force ...' before its effective date."""
    if not announcement.in_effect(on):
        return f"{NOT_YET}: takes effect on {announcement.effective_from.isoformat()}"
    suspension = listing.suspension_of(announcement.number, on)
    if suspension is None:
        return "in force"
    return f"suspended by Announcement {suspension.by} until {suspension.until.isoformat()}"


def _matches_of(
    listing: ControlList, form: str, composition: dict[str, Decimal], on: date
) -> list[Match]:
    found = []
    for announcement, entry in listing.entries():
        if announcement.scope != "domestic" or form not in entry.forms:
            continue
        status = _status(listing, announcement, on)
        for element in entry.elements:
            fraction = composition.get(element, Decimal(0))
            if fraction > 0 and fraction >= entry.threshold_fraction:
                reason = _reason(form, entry, element, fraction, status)
                found.append(Match(entry, element, fraction, status, reason))
    return found


def _customs_notes(hs_code: str | None, matches: list[Match], listing: ControlList) -> list[str]:
    if not hs_code:
        return []
    notes = []
    for match in matches:
        if match.entry.customs_codes and hs_code not in match.entry.customs_codes:
            notes.append(
                f"declared customs code {hs_code} is not a reference code of {match.code} "
                f"({', '.join(match.entry.customs_codes)}); check the declaration"
            )
    shared = [e.code for _, e in listing.entries() if hs_code in e.customs_codes]
    if shared and not matches:
        notes.append(
            f"customs code {hs_code} is a reference code of controlled entries "
            f"({', '.join(sorted(shared))}), but the code alone does not decide: "
            "this composition does not reach any threshold; declare 'not controlled' "
            "with composition evidence in the remarks field"
        )
    return notes


def _decision_notes(
    listing: ControlList, in_force: list[Match], suspended: list[Match], on: date
) -> tuple[list[str], list[str]]:
    """Which announcements decide the answer on `on`, and why those and not others:
    a suspension that has lapsed is named, since the answer changed when it did."""
    by_number = {a.number: a for a in listing.announcements}
    deciding = sorted({m.entry.announcement for m in in_force})
    notes = []
    for number in deciding:
        codes = ", ".join(sorted({m.code for m in in_force if m.entry.announcement == number}))
        why = f"in force since {by_number[number].effective_from.isoformat()}"
        ended = [s for s in listing.suspensions_of(number) if s.until < on]
        if ended:
            last = max(ended, key=lambda s: s.until)
            why = (
                f"Announcement {last.by}'s suspension of it ended on {last.until.isoformat()}, "
                f"so it applies again from {date.fromordinal(last.until.toordinal() + 1)}"
            )
        notes.append(f"decided by Announcement {number} ({codes}): {why}")
    if not in_force and not suspended:
        notes.append(
            f"no entry in force on {on.isoformat()} is reached by this form and composition"
        )
    if not in_force and suspended:
        for number in sorted({m.entry.announcement for m in suspended}):
            suspension = listing.suspension_of(number, on)
            if suspension is not None:
                notes.append(
                    f"Announcement {number} matches but is suspended by Announcement "
                    f"{suspension.by} until {suspension.until.isoformat()}: no licence is "
                    "required under it on this date"
                )
    return deciding, notes


def _pending_notes(pending: list[Match], on: date) -> list[str]:
    return [
        f"{m.code} ({m.element}, Announcement {m.entry.announcement}) is not yet in force on "
        f"{on.isoformat()}: {m.status.removeprefix(NOT_YET + ': ')}"
        for m in pending
    ]


def _currency_note(listing: ControlList, on: date) -> list[str]:
    if listing.data_as_of is None:
        return []
    note = (
        f"control-list data as of {listing.data_as_of.isoformat()}; announcements after "
        "that date are not known"
    )
    if on > listing.data_as_of:
        note += f" (this answer is for {on.isoformat()}, after it)"
    return [note]


def classify(
    product_form: str,
    composition: dict[str, Decimal],
    hs_code: str | None,
    on_date: date,
    *,
    listing: ControlList | None = None,
) -> Classification:
    """Is a licence required to export this product on `on_date`, and why."""
    listing = listing or control_list()
    notes = []
    if product_form not in CONTROL_FORMS:
        notes.append(f"form {product_form!r} is not a form named by the control list")
    found = _matches_of(listing, product_form, composition, on_date)
    pending = [m for m in found if m.status.startswith(NOT_YET)]
    effective = [m for m in found if m not in pending]
    in_force = [m for m in effective if m.status == "in force"]
    suspended = [m for m in effective if m.status != "in force"]
    notes += _customs_notes(hs_code, effective, listing)
    deciding, decision = _decision_notes(listing, in_force, suspended, on_date)
    notes += decision + _pending_notes(pending, on_date) + _currency_note(listing, on_date)
    return Classification(
        on_date,
        product_form,
        bool(in_force),
        in_force,
        suspended,
        notes,
        pending_matches=pending,
        decided_by=deciding,
        data_as_of=listing.data_as_of,
    )


def composition_arg(raw: str) -> dict:
    """'Nd=0.29,Dy=0.021' -> {'Nd': '0.29', 'Dy': '0.021'} (mass fractions as metal)."""
    pairs = {}
    for part in filter(None, (p.strip() for p in raw.split(","))):
        element, sep, value = part.partition("=")
        if not sep:
            raise ReetraceError(
                ErrorCode.COMPOSITION_INVALID,
                f"--composition: {part!r} is not ELEMENT=FRACTION",
                field="composition",
            )
        pairs[element.strip()] = value.strip()
    return pairs
