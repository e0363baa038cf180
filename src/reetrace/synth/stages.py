"""What each producer does on a working day: mine, import, collect scrap, separate,
reduce to metal, make magnets, recycle. Honest producers stay within their quota
and within their process's yield range; the ledger checks the rest.

Each function takes the chain (`g`), puts its events with `g.put`, and returns
the new holdings so the caller can sell them.
"""

from __future__ import annotations

import math
from decimal import Decimal

from reetrace.ledger.choices import Process
from reetrace.synth import evasion
from reetrace.synth.compositions import (
    HEAVY_PRODUCTS,
    OXIDE_FAMILIES,
    ZERO,
    add_metal,
    comp_for,
    dec,
    grams,
    grams_up,
    ore_composition,
    oxide_mass,
    reo_of_metal,
    reo_split,
    split_masses,
)
from reetrace.synth.parties import Holding, Party

FEED = ("ORE-BASTNAESITE", "ORE-MONAZITE", "ORE-IONIC-CLAY", "MIXED-OXIDE-MHREE")
# Recycled feed (business profile): separated with the ore, on no quota.
RECYCLED_FEED = "MIXED-CARBONATE"
METAL_OF = {
    "OXIDE-PRND": "METAL-PRND",
    "OXIDE-DY": "ALLOY-DYFE",
    "OXIDE-TB": "METAL-TB",
    "OXIDE-SM": "METAL-SM",
}
MAX_INPUTS = 150
MAX_LOTS_PER_PRODUCT = 40


def ore_lot(g, ore_key: str) -> tuple[str, Decimal, dict]:
    ore = g.cfg["ores"][ore_key]
    treo = dec(round(g.rng.uniform(*ore["treo"]), 4))
    kind = "ore_concentrate" if ore["product"].startswith("ORE-") else "mixed_oxide"
    return ore["product"], g.lot_size(kind), ore_composition(ore["distribution"], treo)


def mine(g, miner: Party) -> list[Holding]:
    product, kg, comp = ore_lot(g, miner.ore)
    quota = g.quota_of(miner, "mining")
    light, heavy = reo_split(kg, comp)
    if not g.quota_allows(quota, light, heavy):
        if g.business is None:
            return []
        # A business mine fills its quota with a last, smaller lot, then stops.
        kg = g.business.quota_rest(quota, kg, light, heavy)
        if kg <= 0:
            return []
    event, holding = g.emit.mine(miner, quota["code"], product, kg, comp)
    g.put("event", event)
    g.quota_use(quota, light, heavy, event["event_id"], holding.code)
    return [holding]


def import_feed(g, separator: Party) -> list[Holding]:
    """An honest import has a customs record; a laundering one cites a made-up number."""
    source = g.rng.choices(g.cfg["imports"], [i["share"] for i in g.cfg["imports"]])[0]
    laundering = g.fraud.roll("laundering_import")
    ore_key = "ionic_heavy" if laundering else source["ore"]
    country = "MM" if laundering else source["country"]
    product, _, comp = ore_lot(g, ore_key)
    kg = g.lot_size("import")
    declaration = g.customs_number("I")
    event, holding = g.emit.imported(separator, declaration, country, product, kg, comp)
    g.put("event", event)
    if laundering:
        g.fraud.record(
            "laundering_import",
            enterprise=separator.identifier,
            period=g.period,
            lots=[holding.code],
            events=[event["event_id"]],
            magnitude=kg,
            unit="kg",
            customs_declaration=declaration,
            note="no customs record with this declaration number; ionic-clay HREE profile",
        )
    else:
        g.customs("import", declaration, separator, country, product, kg, g.day)
    return [holding]


def collect_scrap(g, recycler: Party, laundering: bool = False) -> list[Holding]:
    rec = g.cfg["processes"]["recycling"]
    if laundering:
        _, _, comp = ore_lot(g, "ionic_heavy")
    else:
        fraction = dec(round(g.rng.uniform(*rec["scrap_re_fraction"]), 4))
        profile = rec["eol_profile"]
        total = sum(dec(v) for v in profile.values())
        comp = {
            el: (fraction * dec(v) / total).quantize(Decimal("0.000001"))
            for el, v in profile.items()
        }
    kg = g.lot_size("scrap_collected")
    source = "end-of-life NdFeB motor magnets" if not laundering else "NdFeB magnet swarf"
    event, holding = g.emit.recycle(recycler, source, "SCRAP-MAGNET", kg, comp)
    g.put("event", event)
    if laundering:
        g.fraud.record(
            "laundering_scrap",
            enterprise=recycler.identifier,
            period=g.period,
            lots=[holding.code],
            events=[event["event_id"]],
            magnitude=kg,
            unit="kg",
            declared_source=source,
            note="composition is an ionic-clay heavy-REE profile (Y, Dy, Tb), not magnet scrap",
        )
    return [holding]


def family_outputs(g, metal: dict, recovery: float, purity_range) -> list[tuple]:
    """Single-oxide products from mixed material, each split into lots."""
    outputs = []
    for product, elements in OXIDE_FAMILIES:
        out = {el: metal[el] * dec(recovery) for el in elements if metal.get(el, ZERO) > 0}
        if not out:
            continue
        purity = dec(round(g.rng.uniform(*purity_range), 4))
        kg = oxide_mass(out, purity)
        if kg < dec("0.01"):
            continue
        size_kind = "heavy_oxide" if product in HEAVY_PRODUCTS else "oxide"
        outputs += _lots(g, product, out, kg, size_kind)
    return outputs


def _lots(g, product: str, metal: dict, kg: Decimal, size_kind: str) -> list[tuple]:
    comp = comp_for(metal, kg)
    size = g.lot_size(size_kind)
    size = max(size, grams(kg / MAX_LOTS_PER_PRODUCT) + 1)
    count = max(1, math.ceil(kg / size))
    return [(product, part, comp) for part in split_masses(kg, [size] * count)]


def run_yield(g, process: str, party: Party) -> tuple[float, float, str | None]:
    """(yield used, honest yield, fraud case kind): a fraudster declares less out, or
    (a separator topping up with unrecorded ore) more than its plant recovers.

    An honest run scatters a little around the plant's own recovery
    (evasion.plant_centre), which lies inside the process range.
    """
    low, _high = g.cfg["processes"][process]["yield"]
    centre = evasion.plant_centre(g, party, process)
    noise = g.cfg["evasion"]["plant_noise"]
    honest = centre + g.rng.uniform(-noise, noise)
    if g.fraud.roll("hidden_sales_loss"):
        return low * g.fraud.uniform(0.6, 0.85), honest, "hidden_sales_loss"
    topped = g.topups.topped(g, party, process, centre)
    if topped is not None:
        return topped, honest, "yield_topup"
    return honest, honest, None


def separate(g, sep: Party) -> list[Holding]:
    quota = g.quota_of(sep, "separation")
    inputs, metal = [], {}
    for product in (*FEED, RECYCLED_FEED):
        recycled = product == RECYCLED_FEED
        for lot in sep.take_all(product):
            light, heavy = (ZERO, ZERO) if recycled else reo_split(lot.kg, lot.comp)
            if len(inputs) >= MAX_INPUTS or not g.quota_allows(quota, light, heavy):
                sep.add(lot)
                continue
            if not recycled:
                g.quota_use(quota, light, heavy, None, lot.code)
            inputs.append((lot.code, lot.kg))
            add_metal(metal, lot.kg, lot.comp)
    if not inputs:
        return []
    used, honest, fraud = run_yield(g, "separation", sep)
    outputs = family_outputs(g, metal, used, g.cfg["processes"]["separation"]["purity"])
    event, holdings = g.emit.transform(sep, Process.SEPARATION, inputs, outputs, quota["code"])
    g.put("event", event)
    g.quota_event(quota, event["event_id"])
    _hidden_loss(g, fraud, sep, event, holdings, metal, honest, used)
    return holdings


def _hidden_loss(g, fraud, party, event, holdings, metal, honest, used) -> None:
    if not fraud:
        return
    if fraud == "yield_topup":
        g.topups.record(g, party, event, holdings, metal, honest, used)
        return
    low, high = g.cfg["processes"][event["process"]]["yield"]
    g.fraud.record(
        fraud,
        enterprise=party.identifier,
        period=g.period,
        lots=[h.code for h in holdings],
        events=[event["event_id"]],
        magnitude=reo_of_metal(metal) * dec(honest - used),
        unit="kg REO",
        declared_yield=f"{used:.4f}",
        yield_range=[low, high],
        process=event["process"],
    )


def reduce_to_metal(g, maker: Party) -> list[Holding]:
    made = []
    cfg = g.cfg["processes"]["reduction"]
    for oxide, metal_product in METAL_OF.items():
        lots = maker.take_all(oxide)
        if not lots:
            continue
        for extra in lots[MAX_INPUTS:]:
            maker.add(extra)
        lots = lots[:MAX_INPUTS]
        metal = {}
        for lot in lots:
            add_metal(metal, lot.kg, lot.comp)
        if sum(metal.values()) < 1:
            for lot in lots:
                maker.add(lot)
            continue
        used, honest, fraud = run_yield(g, "reduction", maker)
        out = {el: m * dec(used) for el, m in metal.items()}
        fraction = dec(cfg["dyfe_dy_fraction"]) if metal_product == "ALLOY-DYFE" else None
        fraction = fraction or dec(round(g.rng.uniform(*cfg["purity"]), 4))
        kg = grams_up(sum(out.values()) / fraction)
        kind = "metal" if metal_product == "METAL-PRND" else "heavy_metal"
        outputs = _lots(g, metal_product, out, kg, kind)
        inputs = [(lot.code, lot.kg) for lot in lots]
        event, holdings = g.emit.transform(maker, Process.REDUCTION, inputs, outputs)
        g.put("event", event)
        _hidden_loss(g, fraud, maker, event, holdings, metal, honest, used)
        made += holdings
    return made


def recycle(g, recycler: Party) -> list[Holding]:
    lots = recycler.take_all("SCRAP-MAGNET")
    for extra in lots[MAX_INPUTS:]:
        recycler.add(extra)
    lots = lots[:MAX_INPUTS]
    if not lots:
        return []
    metal = {}
    for lot in lots:
        add_metal(metal, lot.kg, lot.comp)
    used, honest, fraud = run_yield(g, "recycling", recycler)
    if g.business and g.business.carbonate_run():
        out = {el: m * dec(used) for el, m in metal.items()}
        kg = oxide_mass(out, g.business.carbonate_reo_share())
        outputs = _lots(g, RECYCLED_FEED, out, kg, "mixed_oxide")
    else:
        outputs = family_outputs(g, metal, used, g.cfg["processes"]["recycling"]["purity"])
    inputs = [(lot.code, lot.kg) for lot in lots]
    event, holdings = g.emit.transform(recycler, Process.RECYCLING, inputs, outputs)
    g.put("event", event)
    _hidden_loss(g, fraud, recycler, event, holdings, metal, honest, used)
    return holdings
