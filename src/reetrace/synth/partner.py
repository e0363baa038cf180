"""The partner's import statistics (Eurostat Comext layout), with known causes injected.

Every export we declare becomes part of a partner record, as a statistical office
would publish it, and every way the record differs from our declaration is a known
cause, counted in `ground_truth.json` under `partner_causes`:

* timing: the partner records the goods in the month of (export day + lag days),
  the lag by the country they arrive in (`lag_days`, the reconciliation model's);
* valuation: the partner values CIF, FOB x `cif_uplift` of the recording country,
  in euros at the reconciliation rate table's month of arrival;
* transit: goods declared to a member state are cleared by a neighbour
  (`transit_via`, e.g. DE-bound goods recorded by NL), a share `transit_rate`;
* classification: magnets recorded as alloys (`misclassified_as`), a share
  `misclassified_rate` of 8505.11 exports;
* units: a share `gross_weight_rate` of partner rows reports gross weight
  (net x `gross_to_net` of the product group; WEIGHT_BASIS says so);
* unexplained: the fraud that changes what the partner sees: a licence-mismatch
  diversion is recorded by the country it really went to, and a misdeclared
  export (Dy/Tb magnets declared as plain NdFeB) is valued by the importer at the
  price of what it really is.

So that the chain's own records do not depend on the partner model, each export
takes exactly two draws from the chain's stream (it always has); everything else
comes from a stream of its own. The same seed writes the same bytes.
"""

from __future__ import annotations

import csv
import random
from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

from reetrace.reconciliation import reference
from reetrace.synth.compositions import dec, fmt

KG = Decimal("0.001")
CENT = Decimal("0.01")
COLUMNS = [
    "REPORTER", "PARTNER", "PRODUCT_NC", "FLOW", "PERIOD", "VALUE_IN_EUROS", "QUANTITY_IN_KG",
    "WEIGHT_BASIS",
]  # fmt: skip
MAGNETS = "850511"


class RateMissing(Exception):
    """The partner's arrival month has no euro rate in the reconciliation's table."""


def eur_per_usd() -> dict[str, Decimal]:
    """The reconciliation app's default rate table: month -> euros per US dollar."""
    with (reference.DATA / "exchange_rates.csv").open(encoding="utf-8", newline="") as handle:
        return {
            row["month"]: Decimal(row["units_per_usd"])
            for row in csv.DictReader(handle)
            if row["currency"] == "EUR"
        }


def _table(table: dict, country: str, default):
    area = reference.EU27 if country in reference.area_members() else None
    for key in (country, area, "default"):
        if key and key in table:
            return table[key]
    return default


class PartnerStats:
    def __init__(self, cfg, seed: int):
        self.cfg = cfg["partner"]
        self.prices = cfg["prices"]
        self.grades = cfg["magnets"]
        self.rng = random.Random(f"partner-{seed}")
        self.rates = eur_per_usd()
        self.rows: dict[tuple[str, str, str], list[Decimal]] = {}
        self.gross: dict[tuple[str, str, str], bool] = {}
        self.truth: dict[str, dict[tuple, list[Decimal]]] = defaultdict(dict)
        self.unexplained: list[dict] = []

    # -- per export ------------------------------------------------------------------
    def lag_days(self, country: str) -> int:
        return int(_table(self.cfg["lag_days"], country, 0)) if self.cfg["lag"] else 0

    def uplift(self, country: str) -> Decimal:
        return dec(_table(self.cfg["cif_uplift"], country, 1.0))

    def record(
        self,
        g,
        *,
        declared: str,
        arrives: str,
        hs: str,
        kg: Decimal,
        fob: Decimal,
        event: dict,
        tag: dict | None,
    ) -> None:
        """The partner's view of one export declared today to `declared` that arrives
        in `arrives` (another country only when the goods were diverted)."""
        first, second = g.rng.random(), g.rng.random()  # the chain's two draws
        day = g.day
        arrival = day + timedelta(days=self.lag_days(arrives))
        month, period = f"{day:%Y-%m}", f"{arrival:%Y-%m}"
        hs6, product = hs[:6], hs[:8]
        reporter, cause = arrives, None
        via = self.cfg["transit_via"].get(arrives, [])
        if arrives == declared and via and first < self.cfg["transit_rate"]:
            reporter, cause = via[int(second * len(via))], "transit"
        elif hs6 == MAGNETS and 1 - first < self.cfg["misclassified_rate"]:
            options = self.cfg["misclassified_as"]
            product, cause = options[int(second * len(options))], "classification"
        tag = tag or {}
        true_fob = self._true_fob(g, kg, tag) if "misdeclared" in tag else fob
        uplift = self.uplift(reporter)
        cif = (true_fob * uplift).quantize(CENT)
        eur = cif * self._rate(period)
        key = (reporter, period.replace("-", ""), product)
        if key not in self.gross:
            self.gross[key] = self.rng.random() < self.cfg["gross_weight_rate"]
        row = self.rows.setdefault(key, [Decimal(0), Decimal(0)])
        row[0] += kg
        row[1] += eur
        self._add("valuation", (reporter, period), fob=true_fob, cif=cif)
        if arrives != declared:
            self._unexplained(
                "licence_mismatch", event, hs6, declared, arrives, month, period, kg, fob
            )
            return
        if "misdeclared" in tag:
            self._unexplained(
                "misdeclared_export", event, hs6, declared, reporter, month, period, Decimal(0),
                true_fob - fob, case=tag["misdeclared"]["id"],
            )  # fmt: skip
        if period != month:
            self._add("timing", (hs6, declared, month, period), kg=kg)
        if cause == "transit":
            self._add("transit", (hs6, declared, reporter, period), kg=kg)
        elif cause == "classification":
            self._add("classification", (hs6, product[:6], declared, period), kg=kg)

    def _true_fob(self, g, kg: Decimal, tag: dict) -> Decimal:
        """What the importer paid for Dy/Tb magnets declared as plain NdFeB."""
        low, high = self.grades[tag.get("true_grade", "sintered_h")]["price"]
        price = dec(round(self.rng.uniform(low, high), 2))
        return (kg * price / dec(self.prices["usd_cny"])).quantize(CENT)

    def _rate(self, period: str) -> Decimal:
        if period not in self.rates:
            raise RateMissing(
                f"no EUR rate for {period} in the reconciliation rate table "
                f"({reference.DATA / 'exchange_rates.csv'}): the partner records goods "
                "arriving then; add that month's rates or choose an earlier end month"
            )
        return self.rates[period]

    def _add(self, part: str, key: tuple, **figures: Decimal) -> None:
        sums = self.truth[part].setdefault(key, [Decimal(0)] * len(figures))
        for i, value in enumerate(figures.values()):
            sums[i] += value

    def _unexplained(
        self, cause, event, hs6, declared, recorded, month, period, kg, value, case=""
    ):
        self.unexplained.append(
            {
                "cause": cause,
                "case": case,
                "event": event["event_id"],
                "declaration": event["customs_declaration"],
                "hs6": hs6,
                "declared_country": declared,
                "recorded_country": recorded,
                "month": month,
                "arrival_month": period,
                "kg": fmt(kg),
                "value_usd": fmt(value),
            }
        )

    # -- the file and the truth ------------------------------------------------------
    def factor(self, product: str) -> Decimal:
        group = reference.hs6_table().get(product[:6], {}).get("group")
        table = self.cfg["gross_to_net"]
        return dec(table.get(group, table["default"]))

    def file_rows(self) -> list[dict]:
        rows = []
        for (country, period, product), (kg, eur) in sorted(self.rows.items()):
            gross = self.gross[(country, period, product)]
            reported = kg * self.factor(product) if gross else kg
            rows.append(
                {
                    "REPORTER": country,
                    "PARTNER": "CN",
                    "PRODUCT_NC": product,
                    "FLOW": "1",
                    "PERIOD": period,
                    "VALUE_IN_EUROS": f"{eur.quantize(CENT):f}",
                    "QUANTITY_IN_KG": f"{reported.quantize(KG):f}",
                    "WEIGHT_BASIS": "gross" if gross else "net",
                }
            )
        return rows

    def ground_truth(self, cases: list[dict]) -> dict:
        """`partner_causes`: each cause's injected kg (and value), with its totals."""
        by_event = {
            e: c["id"] for c in cases if c["type"] == "licence_mismatch" for e in c["events"]
        }
        units = []
        for (country, period, product), (kg, _eur) in sorted(self.rows.items()):
            if self.gross[(country, period, product)]:
                gross = (kg * self.factor(product)).quantize(KG)
                month = f"{period[:4]}-{period[4:]}"
                units.append(
                    {"hs6": product[:6], "country": country, "month": month, "net_kg": fmt(kg),
                     "gross_kg": fmt(gross), "kg": fmt(gross - kg)}
                )  # fmt: skip
        rows = {
            "timing": self._rows("timing", ("hs6", "country", "month", "arrival_month"), ("kg",)),
            "valuation": self._rows("valuation", ("country", "month"), ("fob_usd", "cif_usd")),
            "transit": self._rows("transit", ("hs6", "declared", "recorded", "month"), ("kg",)),
            "classification": self._rows(
                "classification", ("hs6", "recorded_hs6", "country", "month"), ("kg",)
            ),
            "units": units,
        }
        unexplained = [
            u | {"case": u["case"] or by_event.get(u["event"], "")} for u in self.unexplained
        ]
        out = {
            "parameters": {
                key: self.cfg[key]
                for key in (
                    "lag",
                    "lag_days",
                    "cif_uplift",
                    "gross_to_net",
                    "transit_rate",
                    "transit_via",
                    "misclassified_rate",
                    "misclassified_as",
                    "gross_weight_rate",
                )
            }  # fmt: skip
            | {"rates": "src/reetrace/reconciliation/data/exchange_rates.csv (EUR, arrival month)"},
        }
        for part, found in rows.items():
            field = "kg"
            total = (
                sum((Decimal(r[field]) for r in found), Decimal(0)) if part != "valuation" else None
            )
            out[part] = {"rows": found} | ({"total_kg": fmt(total)} if total is not None else {})
        value = sum(
            (Decimal(r["cif_usd"]) - Decimal(r["fob_usd"]) for r in rows["valuation"]), Decimal(0)
        )
        out["valuation"]["total_usd"] = fmt(value)
        misdeclared = [u for u in unexplained if u["cause"] == "misdeclared_export"]
        out["unexplained"] = {
            "rows": unexplained,
            # Diverted kg: -kg in the declared country, +kg in the recording one.
            "total_kg": fmt(sum((Decimal(u["kg"]) for u in unexplained), Decimal(0))),
            # Misdeclared exports: the importer's value above our declared FOB.
            "value_gap_usd": fmt(sum((Decimal(u["value_usd"]) for u in misdeclared), Decimal(0))),
        }
        return out

    def _rows(self, part: str, keys: tuple[str, ...], figures: tuple[str, ...]) -> list[dict]:
        return [
            dict(zip(keys, key, strict=True))
            | {f: fmt(v) for f, v in zip(figures, sums, strict=True)}
            for key, sums in sorted(self.truth[part].items())
        ]
