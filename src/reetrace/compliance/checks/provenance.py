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

from reetrace.compliance import rules
from reetrace.compliance.checks.base import Check, Finding, Window
from reetrace.ledger.choices import EventKind
from reetrace.ledger.models import Origin


def _origins(window: Window, kind: str):
    return (
        Origin.objects.filter(
            event__kind=kind,
            event__corrected_by__isnull=True,
            **window.period_filter("event__period"),
        )
        .select_related("event", "lot")
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
        return Finding(
            rule=self.name,
            key=event.event_id,
            severity=self.params["severity"],
            enterprise_id=event.reporter_id,
            period=event.period,
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
    """An import origin whose customs declaration is missing, malformed or reused.

    Parameters: `pattern` (regular expression a declaration number must match),
    `severity`. Matching against customs records needs a customs table (not yet
    in reetrace).
    """

    name = "import_declaration"
    title = "import without a valid customs declaration"

    def findings(self, window: Window) -> Iterator[Finding]:
        pattern = re.compile(self.params["pattern"])
        origins = list(_origins(window, EventKind.IMPORT))
        counts = Counter(o.customs_declaration.strip().upper() for o in origins)
        for origin in origins:
            number = origin.customs_declaration.strip().upper()
            if not number:
                problem = "has no customs declaration number"
            elif not pattern.match(number):
                problem = f"cites {number!r}, which is not a customs declaration number"
            elif counts[number] > 1:
                problem = f"cites {number}, which {counts[number] - 1} other import(s) also cite"
            else:
                continue
            yield self._finding(origin, problem)

    def _finding(self, origin, problem: str) -> Finding:
        event = origin.event
        return Finding(
            rule=self.name,
            key=event.event_id,
            severity=self.params["severity"],
            enterprise_id=event.reporter_id,
            period=event.period,
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
