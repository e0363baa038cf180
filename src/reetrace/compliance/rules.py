"""The arithmetic of the compliance rules, over plain numbers (no ORM).

Analytics work in float REO kg: the ledger keeps masses exact, but a finding only
needs to say "about 412.7 kg REO of Dy is missing", and floats let the heavy
aggregation stay in SQL. Every threshold comparison lives here so that it can be
property-tested and read in one place.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from reetrace.registry.elements import ELEMENTS

__all__ = [
    "MAGNET_ELEMENTS",
    "OK",
    "ORE_MARKERS",
    "OVERRUN",
    "WARNING",
    "YieldSummary",
    "contained_value",
    "loss_is_large",
    "oxide_to_metal_price",
    "price_is_high",
    "price_is_low",
    "profile_shares",
    "quota_level",
    "risk_score",
    "shortfall",
    "trailing_median",
    "unexplained_loss",
    "volume_dropped",
    "volume_spiked",
    "yield_summary",
]

MAGNET_ELEMENTS = frozenset({"Pr", "Nd", "Sm", "Dy", "Tb", "Gd", "Ho"})
ORE_MARKERS = frozenset({"Y", "La", "Er", "Tm", "Yb", "Lu"})


@dataclass(frozen=True)
class YieldSummary:
    """REO yields of one transformation: per element, over all, and without dropped ones."""

    input_reo: float
    output_reo: float
    per_element: dict[str, float] = field(default_factory=dict)
    dropped: tuple[str, ...] = ()
    retained_yield: float = 1.0

    @property
    def total_yield(self) -> float:
        return self.output_reo / self.input_reo if self.input_reo > 0 else 1.0


def yield_summary(
    inputs: Mapping[str, float],
    outputs: Mapping[str, float],
    *,
    min_input_reo_kg: float,
    min_input_share: float,
    max_ratio: float,
) -> YieldSummary:
    """Per-element yields; an element is *dropped* when the inputs carried a material
    amount of it and its yield is below `max_ratio` x the yield of the other elements.

    The retained yield leaves dropped elements out, so a run that hides Dy in a
    magnet is reported once (as a dropped element), not also as a low yield.
    """
    total_in = sum(inputs.values())
    total_out = sum(outputs.get(el, 0.0) for el in inputs)
    per_element = {
        el: (outputs.get(el, 0.0) / kg if kg > 0 else 1.0) for el, kg in sorted(inputs.items())
    }
    dropped = []
    for el, kg in sorted(inputs.items()):
        if kg < min_input_reo_kg or total_in <= 0 or kg / total_in < min_input_share:
            continue
        rest_in = total_in - kg
        rest_out = total_out - outputs.get(el, 0.0)
        if rest_in <= 0:
            continue
        if per_element[el] < max_ratio * (rest_out / rest_in):
            dropped.append(el)
    kept_in = sum(kg for el, kg in inputs.items() if el not in dropped)
    kept_out = sum(outputs.get(el, 0.0) for el in inputs if el not in dropped)
    retained = kept_out / kept_in if kept_in > 0 else 1.0
    return YieldSummary(total_in, total_out, per_element, tuple(dropped), retained)


OK, WARNING, OVERRUN = "ok", "warning", "overrun"  # choices.QuotaStatus (rules stay pure)


def quota_level(used_kg: float, quota_kg: float, *, warn_at: float, alert_at: float) -> str:
    """OVERRUN beyond `alert_at` of the quota, WARNING from `warn_at`, else OK.

    A zero quota for a column means nothing of that column may be used at all.
    """
    if quota_kg <= 0:
        return OVERRUN if used_kg > 0 else OK
    share = used_kg / quota_kg
    if share > alert_at:
        return OVERRUN
    if share >= warn_at:
        return WARNING
    return OK


def loss_is_large(
    loss_kg: float,
    throughput_kg: float,
    *,
    max_share: float,
    min_loss_kg: float,
    held_kg: float | None = None,
    max_share_of_holding: float = 1.0,
) -> bool:
    """A declared loss counts when it is material and large against the month's
    throughput or against what was held of the lot before the write-off."""
    if loss_kg < min_loss_kg:
        return False
    against_holding = held_kg is not None and loss_kg > max_share_of_holding * held_kg
    return loss_kg > max_share * throughput_kg or against_holding


def shortfall(shipped: float, received: float, *, tolerance_share: float, min_kg: float) -> float:
    """kg missing from a receipt beyond the weighing tolerance (0 when within it)."""
    missing = shipped - received
    if missing <= max(min_kg, tolerance_share * shipped):
        return 0.0
    return missing


def profile_shares(composition: Mapping[str, float]) -> tuple[float, float]:
    """(share of magnet elements, share of ore markers) in a lot's rare-earth content."""
    total = sum(composition.values())
    if total <= 0:
        return 0.0, 0.0
    magnet = sum(f for el, f in composition.items() if el in MAGNET_ELEMENTS)
    ore = sum(f for el, f in composition.items() if el in ORE_MARKERS)
    return magnet / total, ore / total


def contained_value(composition: Mapping[str, float], metal_price: Mapping[str, float]) -> float:
    """CNY per kg of a lot: each element's metal fraction times its price per kg metal."""
    return sum(f * metal_price.get(el, 0.0) for el, f in composition.items())


def oxide_to_metal_price(element: str, cny_per_kg_oxide: float) -> float:
    """A kg of metal is `factor` kg of oxide, so it is worth `factor` x the oxide price."""
    return cny_per_kg_oxide * float(ELEMENTS[element].metal_to_oxide)


def price_is_low(
    unit_price_cny: float, value_cny: float, *, min_fraction: float, min_value: float
) -> bool:
    """Under-invoiced: the lot's contained value matters and the price is below its share."""
    return value_cny >= min_value and unit_price_cny < min_fraction * value_cny


def price_is_high(
    unit_price_cny: float, value_cny: float, *, max_multiple: float, min_value: float
) -> bool:
    """Over-invoiced: the lot's contained value matters and the price is a large multiple
    of it (value moved to the seller, e.g. out of a company or across a group)."""
    return value_cny >= min_value and unit_price_cny > max_multiple * value_cny


def unexplained_loss(
    input_reo: float, output_reo: float, *, low_yield: float, tolerance: float
) -> float:
    """REO kg of one element that a run lost beyond what its process may lose.

    The process may keep as little as `low_yield - tolerance` of the input; whatever
    came out below that is unexplained (0 when the run is within its range). A good
    run never offsets a bad one: the caller sums these per run, never nets them.
    """
    floor = input_reo * max(low_yield - tolerance, 0.0)
    return max(floor - output_reo, 0.0)


def trailing_median(history: Iterable[float]) -> float:
    """Median of the months before (0 for no history)."""
    values = sorted(history)
    if not values:
        return 0.0
    middle = len(values) // 2
    if len(values) % 2:
        return values[middle]
    return (values[middle - 1] + values[middle]) / 2


def volume_dropped(
    observed: float, history: Iterable[float], *, min_fraction: float, min_median: float
) -> bool:
    """A month far below the enterprise's own recent months (their median).

    Every month of the history must have had volume: a drop is judged against an
    active enterprise, not one that starts, pauses or trades now and then.
    """
    history = list(history)
    if not history or min(history) <= 0:
        return False
    median = trailing_median(history)
    return median >= min_median and observed < min_fraction * median


def volume_spiked(
    observed: float,
    history: Iterable[float],
    *,
    max_multiple: float,
    min_history: int,
    capacity: float | None = None,
    min_volume: float = 0.0,
) -> bool:
    """A month beyond a fixed capacity, or beyond `max_multiple` x the median of the
    months before (once there are `min_history` of them with volume)."""
    if observed <= min_volume:
        return False
    if capacity is not None and capacity > 0 and observed > capacity:
        return True
    active = [v for v in history if v > 0]
    if len(active) < min_history:
        return False
    return observed > max_multiple * trailing_median(active)


def risk_score(
    alerts: Iterable[tuple[str, str]],
    *,
    severity_weights: Mapping[str, float],
    rule_weights: Mapping[str, float],
) -> float:
    """Sum of severity weight x rule weight over (rule, severity) of live alerts.

    A rule not in the table weighs 1, so a new rule counts before it is tuned.
    """
    return sum(
        severity_weights.get(severity, 0.0) * rule_weights.get(rule, 1.0)
        for rule, severity in alerts
    )
