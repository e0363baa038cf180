"""Magnet making: PrNd metal plus DyFe / Tb metal (or Sm metal) into magnet lots and swarf.

The magnet mass follows from the grade's PrNd (or Sm) content; Dy and Tb are
dosed to the grade. A misdeclaring exporter drops Dy/Tb from the magnets it
declares (the Dy/Tb "vanishes" as loss, so conservation still holds) and
tags the lots for export without a licence.
"""

from __future__ import annotations

from decimal import Decimal

from reetrace.ledger.choices import Process
from reetrace.synth.compositions import ZERO, add_metal, dec, grams, grams_up, reo_of_metal
from reetrace.synth.parties import Holding, Party
from reetrace.synth.stages import MAX_INPUTS, _hidden_loss, _lots, run_yield

HEAVY = ("Dy", "Tb")


def pick_grade(g, maker: Party) -> str | None:
    grades = g.cfg["magnets"]
    usable = []
    for grade in maker.grades:
        spec = grades[grade]
        if grade == "smco":
            ok = maker.held("METAL-SM") > 0
        else:
            ok = maker.held("METAL-PRND") > 0
            ok = ok and (spec["dy"][1] == 0 or maker.held("ALLOY-DYFE") > 0)
            ok = ok and (spec["tb"][1] == 0 or maker.held("METAL-TB") > 0)
        if ok:
            usable.append(grade)
    if not usable:
        return None
    return g.rng.choices(usable, [grades[x]["share"] for x in usable])[0]


def _take(maker: Party, product: str, kg: Decimal, inputs: list, metal: dict) -> None:
    """Part of the oldest lots, while the event has room for input lines."""
    lots, kg = maker.stock.get(product, []), grams(kg)
    while lots and kg > 0 and len(inputs) < MAX_INPUTS:
        lot = lots[0]
        part = min(lot.kg, kg)
        inputs.append((lot.code, part))
        add_metal(metal, part, lot.comp)
        lot.kg -= part
        kg -= part
        if lot.kg <= 0:
            lots.pop(0)


def _dose(g, maker: Party, spec: dict, base_kg: Decimal, base: str, inputs, metal) -> dict:
    """Take DyFe and Tb metal in proportion to the grade; returns the target fractions."""
    target = {base: dec(round(g.rng.uniform(*spec[base.lower()]), 4))}
    for el, product in (("Dy", "ALLOY-DYFE"), ("Tb", "METAL-TB")):
        low, high = spec.get(el.lower(), [0, 0])
        if high <= 0:
            continue
        target[el] = dec(round(g.rng.uniform(low, high), 4))
        need = base_kg * target[el] / target[base]
        lots = maker.stock.get(product, [])
        if not lots:
            continue
        fraction = lots[0].comp.get(el, ZERO) or dec("0.8")
        _take(maker, product, need / fraction, inputs, metal)
    return target


def make_magnets(g, maker: Party) -> list[Holding]:
    grade = pick_grade(g, maker)
    if grade is None:
        return []
    spec = g.cfg["magnets"][grade]
    inputs: list[tuple[str, Decimal]] = []
    metal: dict[str, Decimal] = {}
    base_product, base = ("METAL-SM", "Sm") if grade == "smco" else ("METAL-PRND", "PrNd")
    lots = maker.take_all(base_product)
    for extra in lots[MAX_INPUTS // 2 :]:
        maker.add(extra)
    for lot in lots[: MAX_INPUTS // 2]:
        inputs.append((lot.code, lot.kg))
        add_metal(metal, lot.kg, lot.comp)
    base_kg = (
        metal.get("Sm", ZERO) if base == "Sm" else metal.get("Pr", ZERO) + metal.get("Nd", ZERO)
    )
    target = _dose(g, maker, spec, base_kg, "Sm" if base == "Sm" else "PrNd", inputs, metal)
    return _run(g, maker, grade, spec, inputs, metal, base_kg, target)


def _run(g, maker, grade, spec, inputs, metal, base_kg, target) -> list[Holding]:
    proc = g.cfg["processes"]["magnet_making"]
    used, honest, fraud = run_yield(g, "magnet_making", maker)
    scrap_share = min(g.rng.uniform(*proc["scrap_share"]), used * 0.5)
    magnet_share = dec(used - scrap_share)
    misdeclared = (
        bool(set(target) & set(HEAVY)) and maker.exports and g.fraud.roll("misdeclared_export")
    )
    magnet_metal = {
        el: m * magnet_share for el, m in metal.items() if not (misdeclared and el in HEAVY)
    }
    base_key = "Sm" if "Sm" in target else "PrNd"
    kg = grams_up(base_kg * magnet_share / target[base_key])
    outputs = _lots(g, spec["product"], magnet_metal, kg, "magnet")
    scrap_metal = {el: m * dec(scrap_share) for el, m in metal.items()}
    scrap_fraction = dec(round(g.rng.uniform(0.28, 0.32), 3))
    scrap_kg = grams_up(sum(scrap_metal.values()) / scrap_fraction)
    if scrap_kg > dec("0.01"):
        outputs += _lots(g, "SCRAP-MAGNET", scrap_metal, scrap_kg, "scrap_collected")
    event, holdings = g.emit.transform(maker, Process.MAGNET_MAKING, inputs, outputs)
    g.put("event", event)
    _hidden_loss(g, fraud, maker, event, holdings, metal, honest, used)
    for holding in holdings:
        holding.tag = {"grade": grade}
    if misdeclared:
        _record_misdeclared(g, maker, event, holdings, metal, magnet_share)
    return holdings


def _record_misdeclared(g, maker, event, holdings, metal, share) -> None:
    hidden = {el: metal.get(el, ZERO) * share for el in HEAVY if metal.get(el, ZERO) > 0}
    magnets = [h for h in holdings if h.product.startswith("MAGNET-")]
    case = g.fraud.record(
        "misdeclared_export",
        enterprise=maker.identifier,
        period=g.period,
        lots=[h.code for h in magnets],
        events=[event["event_id"]],
        magnitude=reo_of_metal(hidden),
        unit="kg REO Dy/Tb",
        note="Dy/Tb inputs went into these magnets; declared without Dy/Tb, exported unlicensed",
    )
    for holding in magnets:
        true_grade = (holding.tag or {}).get("grade")
        holding.tag = {"grade": "sintered_n", "misdeclared": case, "true_grade": true_grade}
