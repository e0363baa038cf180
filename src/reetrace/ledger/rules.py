"""The physics and the reporting rules of capture, as pure functions (no ORM).

Conservation is checked per element in REO-equivalent kg: a transformation may
lose material (declared or not) but never create any. The tolerance absorbs the
rounding of compositions to nine decimals and of masses to 1 mg.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from reetrace.core.errors import ErrorCode, ReetraceError
from reetrace.core.quantities import FRACTION_QUANTUM, parse_decimal, round_kg
from reetrace.ledger.choices import EventKind, Process
from reetrace.registry.choices import EnterpriseRole as R
from reetrace.registry.elements import ELEMENTS
from reetrace.registry.periodic import ceiling, compound_formula, is_element

CHINA_TIME = ZoneInfo("Asia/Shanghai")
CONSERVATION_TOLERANCE_KG = Decimal("0.001")

_PRODUCERS = {R.SEPARATOR, R.METAL_MAKER, R.MAGNET_MAKER, R.RECYCLER}
_DOMESTIC = set(R) - {R.FOREIGN_BUYER}

KIND_ROLES: dict[str, frozenset[str]] = {
    EventKind.MINE: frozenset({R.MINER}),
    EventKind.IMPORT: frozenset(_PRODUCERS | {R.TRADER, R.EXPORTER}),
    EventKind.RECYCLE: frozenset(_PRODUCERS),
    EventKind.SHIP: frozenset(_DOMESTIC),
    EventKind.RECEIVE: frozenset(_DOMESTIC),
    EventKind.EXPORT: frozenset({R.EXPORTER}),
    EventKind.ADJUST: frozenset(_DOMESTIC),
    EventKind.CORRECT: frozenset(_DOMESTIC),
}

PROCESS_ROLES: dict[str, frozenset[str]] = {
    Process.SEPARATION: frozenset({R.SEPARATOR}),
    Process.REDUCTION: frozenset({R.METAL_MAKER}),
    Process.ALLOYING: frozenset({R.METAL_MAKER, R.MAGNET_MAKER}),
    Process.MAGNET_MAKING: frozenset({R.MAGNET_MAKER}),
    Process.RECYCLING: frozenset({R.RECYCLER, R.MAGNET_MAKER}),
    Process.BLENDING: frozenset(_PRODUCERS | {R.TRADER}),
}


def role_check(*, kind: str, process: str | None, roles: frozenset[str], reporter: str) -> None:
    allowed = (
        PROCESS_ROLES[process] if kind == EventKind.TRANSFORM and process else KIND_ROLES[kind]
    )
    if not roles & allowed:
        what = f"{kind} ({process})" if process else kind
        raise ReetraceError(
            ErrorCode.ROLE_NOT_ALLOWED,
            f"{reporter} has roles {sorted(roles) or 'none'}; a {what} event needs one of "
            f"{sorted(allowed)}",
            field="kind",
        )


def composition_parse(raw: dict, *, field: str = "composition") -> dict[str, Decimal]:
    """Validate per-element mass fractions: symbols of the periodic table, each 0..1,
    sum <= 1. Rare earths and other constituents alike (`rare_earths_split`)."""
    if not isinstance(raw, dict):
        raise ReetraceError(
            ErrorCode.COMPOSITION_INVALID,
            f"{field} must map element symbols to fractions",
            field=field,
        )
    composition: dict[str, Decimal] = {}
    for symbol, value in raw.items():
        if not is_element(symbol):
            raise ReetraceError(
                ErrorCode.COMPOSITION_INVALID,
                f"{field}: {symbol!r} is not an element symbol of the periodic table "
                "(e.g. Nd, Dy, Co, Fe)",
                field=f"{field}.{symbol}",
            )
        fraction = parse_decimal(value, field=f"{field}.{symbol}")
        if not Decimal(0) <= fraction <= Decimal(1):
            raise ReetraceError(
                ErrorCode.COMPOSITION_INVALID,
                f"{field}.{symbol} = {fraction} must be a mass fraction between 0 and 1",
                field=f"{field}.{symbol}",
            )
        if fraction != fraction.quantize(FRACTION_QUANTUM):
            raise ReetraceError(
                ErrorCode.COMPOSITION_INVALID,
                f"{field}.{symbol} = {fraction} has more than 9 decimals",
                field=f"{field}.{symbol}",
            )
        if fraction > 0:
            composition[symbol] = fraction.quantize(FRACTION_QUANTUM)
    total = sum(composition.values(), Decimal(0))
    if total > 1:
        raise ReetraceError(
            ErrorCode.COMPOSITION_INVALID,
            f"{field}: fractions add up to {total}, more than 1",
            field=field,
        )
    return composition


def rare_earths_split(
    composition: dict[str, Decimal],
) -> tuple[dict[str, Decimal], dict[str, Decimal]]:
    """(the rare earths, the other constituents): only the first are conserved and
    counted as REO."""
    rare = {el: f for el, f in composition.items() if el in ELEMENTS}
    return rare, {el: f for el, f in composition.items() if el not in ELEMENTS}


def compound_of(form: str, product_code: str = "") -> str | None:
    """The compound whose formula caps a lot's metal content, or None (metals, alloys,
    magnets, ore and scrap have no such cap). A mixed compound of unknown kind is held
    to the oxide, the loosest of the three."""
    code = product_code.upper()
    if "CARBONATE" in code:
        return "carbonate"
    if "CHLORIDE" in code:
        return "chloride"
    if form in ("oxide", "mixed_compound"):
        return "oxide"
    return None


CEILING_TOLERANCE = Decimal("0.000001")


def ceiling_check(composition: dict[str, Decimal], compound: str | None, *, field: str) -> None:
    """Refuse more of a rare earth than its compound can hold, alone or together."""
    if compound is None:
        return
    hint = (
        f"compositions are mass fractions of each element as metal, not of its {compound} "
        "(a pure compound's metal fraction is its ceiling)"
    )
    load = Decimal(0)
    for element, fraction in sorted(composition.items()):
        if element not in ELEMENTS:
            continue
        top = ceiling(compound, element)
        if fraction > top + CEILING_TOLERANCE:
            raise ReetraceError(
                ErrorCode.COMPOSITION_INVALID,
                f"{field}.{element} = {fraction.normalize():f} is above {top}, the most "
                f"{element} its {compound} can hold ({compound_formula(compound, element)} is "
                f"{top * 100:.2f} % {element}); {hint}",
                field=f"{field}.{element}",
            )
        load += fraction / top
    if load > 1 + CEILING_TOLERANCE:
        raise ReetraceError(
            ErrorCode.COMPOSITION_INVALID,
            f"{field}: the rare earths as {compound} would weigh {load:.4f} kg per kg of the "
            f"lot, more than the lot; {hint}",
            field=field,
        )


@dataclass(frozen=True)
class Portion:
    """A mass of material with a composition (a transformation input or output)."""

    kg: Decimal
    composition: dict[str, Decimal]

    def metal_kg(self, element: str) -> Decimal:
        return self.kg * self.composition.get(element, Decimal(0))


def conservation_check(inputs: list[Portion], outputs: list[Portion]) -> None:
    """Refuse outputs that contain more of any element than the inputs did."""
    for element in sorted({el for p in outputs for el in p.composition}):
        factor = ELEMENTS[element].metal_to_oxide
        made = sum((p.metal_kg(element) for p in outputs), Decimal(0)) * factor
        used = sum((p.metal_kg(element) for p in inputs), Decimal(0)) * factor
        if made > used + CONSERVATION_TOLERANCE_KG:
            raise ReetraceError(
                ErrorCode.CONSERVATION_VIOLATED,
                f"outputs contain {round_kg(made)} kg REO of {element} but the inputs only "
                f"{round_kg(used)} kg; a transformation cannot create {element}",
                field=f"outputs.{element}",
            )


def attribution_links(
    inputs: list[Portion], outputs: list[Portion]
) -> list[list[tuple[Decimal, dict[str, Decimal]]]]:
    """For each output, per input: (kg of the output from that input, REO kg per element).

    Mass is split in proportion to the input masses; each element in proportion
    to what each input contributed of that element.
    """
    total_in = sum((p.kg for p in inputs), Decimal(0))
    element_in: dict[str, Decimal] = defaultdict(Decimal)
    for p in inputs:
        for el in p.composition:
            element_in[el] += p.metal_kg(el)
    result = []
    for out in outputs:
        per_input = []
        for p in inputs:
            kg = round_kg(out.kg * p.kg / total_in) if total_in else Decimal(0)
            reo = {}
            for el in out.composition:
                if element_in[el] > 0 and p.composition.get(el):
                    share = p.metal_kg(el) / element_in[el]
                    reo[el] = round_kg(out.metal_kg(el) * share * ELEMENTS[el].metal_to_oxide)
            per_input.append((kg, reo))
        result.append(per_input)
    return result


def reporting_month(moment: datetime) -> date:
    """The month (as its first day) an event belongs to, on China Standard Time."""
    local = moment.astimezone(CHINA_TIME)
    return date(local.year, local.month, 1)


def report_deadline(period: date, deadline_day: int) -> date:
    """Last day on which the report for `period` is on time (the 10th of the next month)."""
    year, month = (period.year + 1, 1) if period.month == 12 else (period.year, period.month + 1)
    return date(year, month, deadline_day)
