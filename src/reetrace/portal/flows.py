"""The national flow of one element, mine to magnet to customer, for a Sankey diagram.

The ledger keeps the REO each element moves per month, by how and in what form the
moving lot was made and where it went (`ledger.MonthlyMovement`, exact micrograms,
moved by capture); this module names the stages. A lot's stage is where it entered
the chain (mining, import, recycling) for origin lots, and its product form
otherwise. The sums are chart widths and table figures, rounded to grams.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Q, Sum
from django.utils.translation import gettext_lazy as _

from reetrace.ledger.choices import EventKind
from reetrace.ledger.models import MonthlyMovement
from reetrace.ledger.movements import EXPORT, LINK, SALE, UG_PER_KG
from reetrace.registry.choices import EnterpriseRole, ProductForm
from reetrace.registry.elements import ELEMENTS
from reetrace.registry.models import Enterprise

__all__ = ["STAGES", "TOP", "Flows", "element_flows", "top_and_other"]

TOP = 10  # a chart names the ten biggest destinations or enterprises; the rest is "other"
OTHER = "other"

STAGES = {
    "mining": _("Mining"),
    "imports": _("Imports"),
    "recycling": _("Recycling"),
    "ore": _("Ore and concentrate"),
    "separation": _("Separation (compounds, oxides)"),
    "metals": _("Metals and alloys"),
    "magnets": _("Magnets"),
    "scrap": _("Scrap"),
    "other": _("Other products"),
    "domestic": _("Domestic use"),
}
_ORIGIN_STAGE = {
    EventKind.MINE: "mining",
    EventKind.IMPORT: "imports",
    EventKind.RECYCLE: "recycling",
}
_FORM_STAGE = {
    ProductForm.ORE: "ore",
    ProductForm.MIXED_COMPOUND: "separation",
    ProductForm.OXIDE: "separation",
    ProductForm.METAL: "metals",
    ProductForm.ALLOY: "metals",
    ProductForm.SINTERED_NDFEB: "magnets",
    ProductForm.BONDED_NDFEB: "magnets",
    ProductForm.SMCO: "magnets",
    ProductForm.SCRAP: "scrap",
}


@dataclass
class Flows:
    element: str
    start: date
    end: date
    links: dict[tuple[str, str], Decimal] = field(default_factory=lambda: defaultdict(Decimal))

    def add(self, source: str, target: str, reo_kg: Decimal) -> None:
        if reo_kg and source != target:
            self.links[(source, target)] += round(reo_kg, 3)

    def rows(self) -> list[dict]:
        """One row per link, biggest first, with translated stage names."""
        return [
            {"source": stage_label(s), "target": stage_label(t), "reo_kg": kg}
            for (s, t), kg in sorted(self.links.items(), key=lambda item: -item[1])
        ]

    def chart(self) -> dict:
        """Plotly's sankey trace data: node labels and links by node index.

        The TOP export destinations by REO kg are nodes of their own, the others one
        node "Export, N other destinations" (the table below lists every link), so the
        diagram keeps a readable number of nodes inside its box."""
        destinations: dict[str, Decimal] = defaultdict(Decimal)
        for (_s, t), kg in self.links.items():
            if t.startswith("export:"):
                destinations[t] += kg
        kept, others = top_and_other(destinations)
        merged: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
        for (s, t), kg in self.links.items():
            merged[(s, "export:" + OTHER if t in others else t)] += kg
        order = [k for k in STAGES if k != "domestic"]
        used = {n for link in merged for n in link}
        nodes = [n for n in order if n in used] + (["domestic"] if "domestic" in used else [])
        nodes += [n for n in kept] + (["export:" + OTHER] if others else [])
        index = {n: i for i, n in enumerate(nodes)}
        labels = [str(stage_label(n)) for n in nodes]
        if others:
            labels[-1] = str(_("Export, %(n)s other destinations") % {"n": len(others)})
        return {
            "labels": labels,
            "source": [index[s] for s, _t in merged],
            "target": [index[t] for _s, t in merged],
            "value": [float(v) for v in merged.values()],
            "unit": f"{self.element} REO kg",
        }


def top_and_other(totals: dict, top: int = TOP) -> tuple[list, set]:
    """The `top` biggest keys by total (ties by key), and the rest when more than one is
    left over (a single "other" would only rename one key)."""
    ranked = sorted(totals, key=lambda k: (-totals[k], k))
    if len(ranked) <= top + 1:
        return ranked, set()
    return ranked[:top], set(ranked[top:])


def stage_label(stage: str) -> str:
    if stage.startswith("export:"):
        word = _("Export")
        return f"{word} {stage.removeprefix('export:')}"
    return str(STAGES[stage])


def lot_stage(kind: str | None, form: str) -> str:
    return _ORIGIN_STAGE.get(kind) or _FORM_STAGE.get(form, "other")


def element_flows(*, element: str, start: date, end: date) -> Flows:
    """REO kg of `element` moving between stages in the months start..end (inclusive).

    One grouped read of the ledger's monthly movement summary (a few rows per month,
    whatever the volume): links between products, sales to the buyers that are
    domestic users (by their registry role now), exports by destination."""
    if element not in ELEMENTS:
        raise ValueError(f"unknown element {element!r}")
    flows = Flows(element, start, end)
    domestic_users = Enterprise.objects.filter(roles__role=EnterpriseRole.DOMESTIC_USER)
    rows = (
        MonthlyMovement.objects.filter(element=element, period__gte=start, period__lte=end)
        .filter(
            Q(route__in=(LINK, EXPORT))
            | Q(route=SALE, target__in=domestic_users.values("identifier"))
        )
        .values("route", "source_kind", "source_form", "target")
        .annotate(reo_ug=Sum("reo_ug"))
        .order_by()
    )
    for row in rows:
        source = lot_stage(row["source_kind"], row["source_form"])
        route, target = row["route"], row["target"]
        if route == LINK:
            target = lot_stage(None, target)
        elif route == SALE:
            target = "domestic"
        else:
            target = f"export:{target}"
        flows.add(source, target, Decimal(row["reo_ug"]) / UG_PER_KG)
    return flows
