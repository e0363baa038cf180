"""Provenance: material entering the chain must come from where it says it does.

Recycling is the easy door for illegally mined ore: declared as magnet scrap, it
needs no quota. Magnet scrap is Pr/Nd (or Sm) dominated with a little Dy/Tb; ore
from ionic clays is Y-rich with heavy REE, bastnaesite La/Ce-rich. Imports must
carry a customs declaration; without a customs-record table (not in reetrace yet)
the rule can only check that the number is present, well-formed and not reused.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

from reetrace.compliance import rules
from reetrace.compliance.checks.base import Check, Finding, Window
from reetrace.compliance.models import CustomsDeclaration
from reetrace.compliance.services.customs import declaration_number
from reetrace.ledger.choices import EventKind
from reetrace.ledger.models import Origin
from reetrace.ledger.rules import CHINA_TIME


def _origins(window: Window, kind: str):
    return (
        Origin.objects.filter(
            event__kind=kind,
            event__corrected_by__isnull=True,
            **window.period_filter("event__period"),
        )
        .select_related("event", "event__reporter", "lot")
        .prefetch_related("lot__elements")
        .order_by("event__event_time", "pk")
    )


class RecycledOreProfile(Check):
    """A recycling origin whose element profile is an ore's, not magnet scrap's.

    Parameters: `min_magnet_share` (Pr+Nd+Sm+Dy+Tb+Gd+Ho share of the RE content
    below this fires), `max_ore_marker_share` (Y+La+Er+Tm+Yb+Lu share above this
    fires), `severity`.
    """

    name = "recycled_ore_profile"
    title = "recycled lot with an ore's profile"
    incremental = True

    def findings(self, window: Window) -> Iterator[Finding]:
        p = self.params
        for origin in _origins(window, EventKind.RECYCLE):
            composition = {e.element: float(e.fraction) for e in origin.lot.elements.all()}
            magnet, ore = rules.profile_shares(composition)
            if magnet < p["min_magnet_share"] or ore > p["max_ore_marker_share"]:
                yield self._finding(origin, composition, magnet, ore)

    def _finding(self, origin, composition, magnet, ore) -> Finding:
        event = origin.event
        top = sorted(composition, key=composition.get, reverse=True)[:4]
        return self.event_finding(
            event,
            explanation=(
                f"lot {origin.lot.code} was declared as recycled ({origin.source!r}) but its "
                f"rare earths are {magnet:.0%} magnet elements and {ore:.0%} ore markers "
                f"(mostly {', '.join(top)}): magnet scrap is Pr/Nd dominated. Possibly "
                "illegally mined ore laundered as scrap, outside any quota."
            ),
            figures={
                "expected": self.params["min_magnet_share"],
                "observed": round(magnet, 4),
                "tolerance": self.params["max_ore_marker_share"],
                "unit": "share of RE content",
                "ore_marker_share": round(ore, 4),
                "lot_kg": str(origin.lot.mass_kg),
            },
            elements=top,
            lots=[origin.lot.code],
            events=[event.event_id],
        )


class ImportDeclaration(Check):
    """An import origin whose customs declaration is missing, malformed, reused, or
    not what customs recorded.

    Parameters: `pattern` (regular expression a declaration number must match),
    `kg_tolerance_share` (customs kg and the lot's kg may differ by this share),
    `max_days_apart` (customs date and event date), `check_country` (the origin
    country must be the customs one), `severity`. Matching against customs
    records starts once any import record is loaded: a ledger without customs
    data is judged on the numbers alone.
    """

    name = "import_declaration"
    title = "import without a valid customs declaration"
    sources = ("customs",)  # and not incremental: a reused number spans months

    def findings(self, window: Window) -> Iterator[Finding]:
        pattern = re.compile(self.params["pattern"])
        origins = list(_origins(window, EventKind.IMPORT))
        counts = Counter(declaration_number(o.customs_declaration) for o in origins)
        records = self._records({declaration_number(o.customs_declaration) for o in origins})
        for origin in origins:
            number = declaration_number(origin.customs_declaration)
            if not number:
                problem = "has no customs declaration number"
            elif not pattern.match(number):
                problem = f"cites {number!r}, which is not a customs declaration number"
            elif counts[number] > 1:
                problem = f"cites {number}, which {counts[number] - 1} other import(s) also cite"
            elif records is not None:
                problem = self._mismatch(origin, number, records.get(number))
                if problem is None:
                    continue
            else:
                continue
            yield self._finding(origin, problem)

    @staticmethod
    def _records(numbers: set[str]) -> dict[str, CustomsDeclaration] | None:
        if not CustomsDeclaration.objects.filter(flow=CustomsDeclaration.Flow.IMPORT).exists():
            return None
        found: dict[str, CustomsDeclaration] = {}
        ordered = sorted(numbers)
        for start in range(0, len(ordered), 500):
            chunk = ordered[start : start + 500]
            for record in CustomsDeclaration.objects.filter(number__in=chunk):
                found[record.number] = record
        return found

    def _mismatch(self, origin, number: str, record: CustomsDeclaration | None) -> str | None:
        p = self.params
        if record is None:
            return f"cites {number}, of which customs has no record"
        problems = []
        event = origin.event
        if record.flow != CustomsDeclaration.Flow.IMPORT:
            problems.append(f"customs recorded {number} as an {record.flow}")
        if record.declarant != event.reporter.identifier:
            problems.append(f"customs recorded it for declarant {record.declarant}")
        lot_kg = origin.lot.mass_kg
        if abs(record.kg - lot_kg) > lot_kg * Decimal(str(p["kg_tolerance_share"])):
            problems.append(f"customs recorded {record.kg} kg, the lot is {lot_kg} kg")
        if p["check_country"] and record.country != origin.origin_country:
            problems.append(f"customs recorded origin {record.country}")
        day: date = event.event_time.astimezone(CHINA_TIME).date()
        if abs((record.date - day).days) > p["max_days_apart"]:
            problems.append(f"customs dated it {record.date}")
        if not problems:
            return None
        return f"cites {number}, but " + "; ".join(problems)

    def _finding(self, origin, problem: str) -> Finding:
        event = origin.event
        return self.event_finding(
            event,
            explanation=(
                f"import {event.event_id} (lot {origin.lot.code}, {origin.lot.mass_kg} kg from "
                f"{origin.origin_country}) {problem}; an import without a customs record may "
                "be domestic ore laundered as imported."
            ),
            figures={
                "expected": "a unique declaration number",
                "observed": origin.customs_declaration,
                "tolerance": None,
                "unit": "declaration",
                "pattern": self.params["pattern"],
            },
            lots=[origin.lot.code],
            events=[event.event_id],
        )
